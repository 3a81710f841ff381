import { computed, inject, Injectable, OnDestroy, signal } from '@angular/core';
import { Subscription } from 'rxjs';
import type { UploadResponse } from '../../api/models';
import { problemMessage, problemNumber, problemStatus } from '../../core/http/problem';
import type { UploadEvent } from '../../core/http/upload';
import { formatBytes } from './knowledge-base-state';
import { KnowledgeBasesService } from './knowledge-bases.service';

export type UploadStatus = 'queued' | 'uploading' | 'processing' | 'done' | 'duplicate' | 'failed';

/** One file on its way into the knowledge base, as the upload list shows it. */
export interface UploadItem {
  id: number;
  name: string;
  size: number;
  status: UploadStatus;
  /** Bytes sent so far. */
  loaded: number;
  /** What to tell the admin: the API's detail once answered, or why it was refused. */
  message: string | null;
  /** The document created (or found, for a duplicate). */
  documentId: string | null;
}

/** The file picker's filter: what the API extracts text from. */
export const ACCEPTED_FILES = '.txt,.text,.md,.markdown,.html,.htm,.pdf,text/plain,text/markdown,text/html,application/pdf';
export const SUPPORTED_TYPES = 'plain text, Markdown, HTML or PDF';

let nextId = 0;

export function queuedUpload(file: Pick<File, 'name' | 'size'>): UploadItem {
  return { id: ++nextId, name: file.name, size: file.size, status: 'queued', loaded: 0, message: null, documentId: null };
}

/**
 * The item after one event of its upload. Once every byte is sent the API still extracts and
 * chunks the text before it answers: that wait is `processing`.
 */
export function applyUploadEvent(item: UploadItem, event: UploadEvent<UploadResponse>): UploadItem {
  if (event.type === 'progress') {
    const total = event.total ?? item.size;
    const loaded = Math.min(event.loaded, total);
    return { ...item, status: total > 0 && loaded >= total ? 'processing' : 'uploading', loaded };
  }
  const { document, duplicate, detail } = event.body;
  return { ...item, status: duplicate ? 'duplicate' : 'done', loaded: item.size, message: detail, documentId: document.id };
}

/** Percent sent, for the item's progress bar. */
export function uploadPercent(item: UploadItem): number {
  if (item.status === 'done' || item.status === 'duplicate' || item.status === 'processing') return 100;
  return item.size > 0 ? Math.min(100, Math.floor((item.loaded / item.size) * 100)) : 0;
}

/** The file is larger than the limit: said before a byte is sent, in the words of the API's 413. */
export function tooLarge(name: string, maxBytes: number): string {
  return `${name} is larger than the ${formatBytes(maxBytes)} upload limit (the knowledge.max_upload_bytes setting).`;
}

/** Why an upload was refused, in a sentence that names the file: 413 and 415 in plain words. */
export function uploadRefusal(name: string, error: unknown): string {
  const status = problemStatus(error);
  if (status === 413) {
    const max = problemNumber(error, 'max_bytes');
    return max !== null ? tooLarge(name, max) : `${name} is larger than the upload limit (the knowledge.max_upload_bytes setting).`;
  }
  if (status === 415) return `${name} is not a supported file type. Upload ${SUPPORTED_TYPES} (.txt, .md, .html, .pdf).`;
  return `${name} was not uploaded: ${problemMessage(error)}`;
}

/**
 * Files dropped or picked for one knowledge base, uploaded one after another with their progress.
 * `completed` counts the uploads the API answered, so the document list can read itself again.
 */
@Injectable()
export class DocumentUploads implements OnDestroy {
  private readonly service = inject(KnowledgeBasesService);

  readonly items = signal<UploadItem[]>([]);
  readonly completed = signal(0);
  /** `knowledge.max_upload_bytes`, once read (null: unknown, the API still enforces it). */
  readonly maxBytes = signal<number | null>(null);
  readonly active = computed(() => this.items().some((item) => ['queued', 'uploading', 'processing'].includes(item.status)));

  private readonly files = new Map<number, { knowledgeBaseId: string; file: File }>();
  private current: { id: number; subscription: Subscription } | null = null;
  private limit: Promise<number | null> | null = null;

  /** Reads the upload limit once, to show it and to refuse larger files before sending them. */
  loadLimit(): Promise<number | null> {
    this.limit ??= this.service.maxUploadBytes().then((max) => {
      this.maxBytes.set(max);
      return max;
    });
    return this.limit;
  }

  add(knowledgeBaseId: string, files: File[]): void {
    const queued = files.map((file) => {
      const item = queuedUpload(file);
      this.files.set(item.id, { knowledgeBaseId, file });
      return item;
    });
    this.items.update((items) => [...queued, ...items]);
    void this.next();
  }

  /** Stops a queued or running upload and forgets it. */
  cancel(id: number): void {
    if (this.current?.id === id) {
      this.current.subscription.unsubscribe();
      this.current = null;
    }
    this.forget(id);
    void this.next();
  }

  /** Removes a finished item from the list. */
  dismiss(id: number): void {
    if (!this.files.has(id)) this.items.update((items) => items.filter((item) => item.id !== id));
  }

  clearFinished(): void {
    this.items.update((items) => items.filter((item) => this.files.has(item.id)));
  }

  ngOnDestroy(): void {
    this.current?.subscription.unsubscribe();
  }

  private async next(): Promise<void> {
    if (this.current) return;
    // The oldest waiting file first (ids grow as files are added).
    const item = this.items()
      .filter((candidate) => candidate.status === 'queued')
      .reduce<UploadItem | null>((oldest, candidate) => (!oldest || candidate.id < oldest.id ? candidate : oldest), null);
    if (!item) return;
    const { knowledgeBaseId, file } = this.files.get(item.id)!;
    const max = await this.loadLimit();
    if (this.current || !this.files.has(item.id)) return;
    if (max !== null && file.size > max) {
      this.finish(item.id, { status: 'failed', message: tooLarge(file.name, max) });
      return;
    }
    this.update(item.id, { status: 'uploading' });
    const subscription = this.service.upload(knowledgeBaseId, file).subscribe({
      next: (event) => this.items.update((items) => items.map((one) => (one.id === item.id ? applyUploadEvent(one, event) : one))),
      error: (error: unknown) => this.finish(item.id, { status: 'failed', message: uploadRefusal(file.name, error) }),
      complete: () => {
        this.finish(item.id, {});
        this.completed.update((count) => count + 1);
      },
    });
    // A synchronous answer (tests) has finished already.
    if (this.files.has(item.id)) this.current = { id: item.id, subscription };
  }

  private finish(id: number, change: Partial<UploadItem>): void {
    this.update(id, change);
    this.files.delete(id);
    if (this.current?.id === id) this.current = null;
    void this.next();
  }

  private forget(id: number): void {
    this.files.delete(id);
    this.items.update((items) => items.filter((item) => item.id !== id));
  }

  private update(id: number, change: Partial<UploadItem>): void {
    this.items.update((items) => items.map((item) => (item.id === id ? { ...item, ...change } : item)));
  }
}
