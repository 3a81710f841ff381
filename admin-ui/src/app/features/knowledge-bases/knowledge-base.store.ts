import { computed, effect, inject, Injectable, resource, signal } from '@angular/core';
import type { DocumentPage } from '../../api/models';
import { latestValue, loadError } from '../../shared/latest';
import { documentBusy, isBusy } from './knowledge-base-state';
import { DocumentQuery, KnowledgeBasesService, POLL_MS } from './knowledge-bases.service';

const EMPTY_DOCUMENTS: DocumentPage = { items: [], page: 1, page_size: 20, total: 0 };

/**
 * One knowledge base and a page of its documents, read again every POLL_MS while anything is
 * waiting or indexing (or a re-embed is building), so progress moves without a reload. One
 * instance per detail view.
 */
@Injectable()
export class KnowledgeBaseStore {
  private readonly service = inject(KnowledgeBasesService);

  readonly id = signal<string | null>(null);
  readonly documentQuery = signal<DocumentQuery>({ page: 1, page_size: 20 });

  private readonly kbResource = resource({
    params: () => this.id() ?? undefined,
    loader: ({ params: id }) => this.service.get(id),
  });
  private readonly documentsResource = resource({
    params: () => {
      const id = this.id();
      return id ? { id, ...this.documentQuery() } : undefined;
    },
    loader: ({ params: { id, ...query } }) => this.service.documents(id, query),
  });

  /** Null until the first answer (and after the id changes). */
  readonly kb = computed(() => (this.kbResource.hasValue() ? this.kbResource.value() : null));
  readonly kbError = loadError(this.kbResource);
  readonly page = latestValue(this.documentsResource, EMPTY_DOCUMENTS);
  readonly documents = computed(() => this.page().items);
  readonly documentsLoaded = computed(() => this.documentsResource.hasValue() || this.documentsResource.status() === 'error');
  readonly documentsError = loadError(this.documentsResource);
  readonly loading = computed(() => this.kbResource.isLoading() || this.documentsResource.isLoading());

  /** Whether the page follows work in progress. */
  readonly following = computed(() => {
    const kb = this.kb();
    return (kb !== null && isBusy(kb)) || this.documents().some(documentBusy);
  });

  constructor() {
    effect((onCleanup) => {
      if (!this.following() || this.loading()) return;
      const timer = setTimeout(() => this.reload(), POLL_MS);
      onCleanup(() => clearTimeout(timer));
    });
  }

  reload(): void {
    this.kbResource.reload();
    this.documentsResource.reload();
  }

  async retry(documentId: string): Promise<void> {
    await this.service.retryDocument(this.id()!, documentId);
    this.reload();
  }

  async removeDocument(documentId: string): Promise<void> {
    await this.service.deleteDocument(this.id()!, documentId);
    this.reload();
  }
}
