import { computed, effect, inject, Injectable, resource, signal } from '@angular/core';
import { Observable } from 'rxjs';
import { Api } from '../../api/api';
import { cancelReembed } from '../../api/fn/knowledge-bases/cancel-reembed';
import { createKnowledgeBase } from '../../api/fn/knowledge-bases/create-knowledge-base';
import { deleteDocument } from '../../api/fn/knowledge-bases/delete-document';
import { deleteKnowledgeBase } from '../../api/fn/knowledge-bases/delete-knowledge-base';
import { getDocument } from '../../api/fn/knowledge-bases/get-document';
import { getKnowledgeBase } from '../../api/fn/knowledge-bases/get-knowledge-base';
import { listDocuments, ListDocuments$Params } from '../../api/fn/knowledge-bases/list-documents';
import { listKnowledgeBases, ListKnowledgeBases$Params } from '../../api/fn/knowledge-bases/list-knowledge-bases';
import { reembedKnowledgeBase } from '../../api/fn/knowledge-bases/reembed-knowledge-base';
import { retryDocument } from '../../api/fn/knowledge-bases/retry-document';
import { searchKnowledgeBase } from '../../api/fn/knowledge-bases/search-knowledge-base';
import { updateKnowledgeBase } from '../../api/fn/knowledge-bases/update-knowledge-base';
import { uploadDocument, UploadDocument$Params } from '../../api/fn/knowledge-bases/upload-document';
import { listModels } from '../../api/fn/models/list-models';
import { getSetting } from '../../api/fn/settings/get-setting';
import type {
  CreateKnowledgeBaseRequest,
  DocumentPage,
  DocumentResponse,
  KnowledgeBasePage,
  KnowledgeBaseResponse,
  ModelResponse,
  SearchRequest,
  SearchResponse,
  UpdateKnowledgeBaseRequest,
  UploadResponse,
} from '../../api/models';
import { UploadClient, UploadEvent } from '../../core/http/upload';
import { latestValue, loadError } from '../../shared/latest';
import { isBusy } from './knowledge-base-state';

export type KnowledgeBaseQuery = Required<Pick<ListKnowledgeBases$Params, 'page' | 'page_size'>> &
  Pick<ListKnowledgeBases$Params, 'search'>;
export type DocumentQuery = Required<Pick<ListDocuments$Params, 'page' | 'page_size'>>;

/** How often a list with work in progress (indexing, re-embedding) is read again. */
export const POLL_MS = 1_000;

const FIRST_PAGE: KnowledgeBaseQuery = { page: 1, page_size: 20 };
const EMPTY_PAGE: KnowledgeBasePage = { items: [], page: 1, page_size: 20, total: 0 };

/**
 * Knowledge bases and their documents, one instance per page: the list (read again while one of
 * them is indexing), and thin calls for the detail view, the forms and the search box.
 */
@Injectable()
export class KnowledgeBasesService {
  private readonly api = inject(Api);
  private readonly uploads = inject(UploadClient);

  readonly query = signal<KnowledgeBaseQuery>(FIRST_PAGE);
  /** Set by the list while it is on screen: the list is read (and followed) only then. */
  readonly listShown = signal(false);

  private readonly pageResource = resource({
    params: () => (this.listShown() ? this.query() : undefined),
    loader: ({ params }) => this.api.invoke(listKnowledgeBases, params),
  });

  readonly page = latestValue(this.pageResource, EMPTY_PAGE);
  readonly knowledgeBases = computed(() => this.page().items);
  readonly total = computed(() => this.page().total);
  readonly loading = this.pageResource.isLoading;
  readonly loaded = computed(() => this.pageResource.hasValue() || this.pageResource.status() === 'error');
  readonly error = loadError(this.pageResource);

  constructor() {
    // Progress in the list (documents indexing, a re-embed) moves without a reload.
    effect((onCleanup) => {
      if (!this.listShown() || this.pageResource.isLoading() || !this.knowledgeBases().some(isBusy)) return;
      const timer = setTimeout(() => this.pageResource.reload(), POLL_MS * 2);
      onCleanup(() => clearTimeout(timer));
    });
  }

  filter(search: string | undefined): void {
    if (this.query().search !== search) this.query.update((query) => ({ ...query, search, page: 1 }));
  }

  reload(): void {
    this.pageResource.reload();
  }

  get(id: string): Promise<KnowledgeBaseResponse> {
    return this.api.invoke(getKnowledgeBase, { id });
  }

  async create(body: CreateKnowledgeBaseRequest): Promise<KnowledgeBaseResponse> {
    return this.reloadingAfter(this.api.invoke(createKnowledgeBase, { body }));
  }

  async update(id: string, body: UpdateKnowledgeBaseRequest): Promise<KnowledgeBaseResponse> {
    return this.reloadingAfter(this.api.invoke(updateKnowledgeBase, { id, body }));
  }

  async remove(id: string): Promise<void> {
    await this.reloadingAfter(this.api.invoke(deleteKnowledgeBase, { id }));
  }

  /** Builds a new index with another embedding model beside the active one (202: progress in `reembed`). */
  reembed(id: string, embeddingModelId: string): Promise<KnowledgeBaseResponse> {
    return this.reloadingAfter(this.api.invoke(reembedKnowledgeBase, { id, body: { embedding_model_id: embeddingModelId } }));
  }

  cancelReembed(id: string): Promise<void> {
    return this.reloadingAfter(this.api.invoke(cancelReembed, { id }));
  }

  /** Active models of a type, for the pickers of the forms. */
  async activeModels(type: 'embedding' | 'generation'): Promise<ModelResponse[]> {
    return (await this.api.invoke(listModels, { type, status: 'active', page_size: 100, sort: 'display_name' })).items;
  }

  documents(id: string, query: DocumentQuery): Promise<DocumentPage> {
    return this.api.invoke(listDocuments, { id, ...query });
  }

  document(id: string, documentId: string): Promise<DocumentResponse> {
    return this.api.invoke(getDocument, { id, documentId });
  }

  retryDocument(id: string, documentId: string): Promise<DocumentResponse> {
    return this.api.invoke(retryDocument, { id, documentId });
  }

  deleteDocument(id: string, documentId: string): Promise<void> {
    return this.api.invoke(deleteDocument, { id, documentId });
  }

  /** The upload with its progress; 200 `duplicate: true` when the same bytes are there already. */
  upload(id: string, file: File, title?: string): Observable<UploadEvent<UploadResponse>> {
    const body: UploadDocument$Params['body'] = { file, ...(title ? { title } : {}) };
    return this.uploads.post<UploadResponse>(uploadDocument.PATH, { id }, body);
  }

  search(id: string, body: SearchRequest): Promise<SearchResponse> {
    return this.api.invoke(searchKnowledgeBase, { id, body });
  }

  /** The upload limit (`knowledge.max_upload_bytes`), or null when it cannot be read. */
  async maxUploadBytes(): Promise<number | null> {
    try {
      const setting = await this.api.invoke(getSetting, { key: 'knowledge.max_upload_bytes' });
      const value: unknown = setting.value;
      return typeof value === 'number' ? value : null;
    } catch {
      return null;
    }
  }

  private async reloadingAfter<T>(call: Promise<T>): Promise<T> {
    const result = await call;
    if (this.listShown()) this.reload();
    return result;
  }
}
