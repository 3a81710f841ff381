import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { DocumentResponse, KnowledgeBaseResponse } from '../../api/models';
import { aDocument, aKnowledgeBase, KB_ID } from '../../../testing/knowledge-fixtures';
import { KnowledgeBaseStore } from './knowledge-base.store';
import { KnowledgeBasesService, POLL_MS } from './knowledge-bases.service';

const KB = `/api/v1/knowledge-bases/${KB_ID}`;
const DOCUMENTS = `${KB}/documents`;

describe('KnowledgeBaseStore', () => {
  let http: HttpTestingController;
  let store: KnowledgeBaseStore;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting(), KnowledgeBasesService, KnowledgeBaseStore],
    });
    http = TestBed.inject(HttpTestingController);
    store = TestBed.inject(KnowledgeBaseStore);
  });

  afterEach(() => http.verify());

  async function answer(kb: KnowledgeBaseResponse, documents: DocumentResponse[], timeout = 1000): Promise<void> {
    const wait = { timeout, interval: 20 };
    (await vi.waitFor(() => http.expectOne(KB), wait)).flush(kb);
    (await vi.waitFor(() => http.expectOne((r) => r.url === DOCUMENTS), wait)).flush({
      items: documents,
      page: 1,
      page_size: 20,
      total: documents.length,
    });
  }

  it('reads the documents again while one is indexing, so its progress moves, and stops once it is indexed', async () => {
    const indexing = aDocument({ status: 'indexing', progress: { done: 3, total: 12 }, indexed_at: null });
    const busy = aKnowledgeBase({ documents: { total: 1, pending: 0, indexing: 1, indexed: 0, failed: 0 }, chunk_count: 12 });
    store.id.set(KB_ID);
    await answer(busy, [indexing]);
    await vi.waitFor(() => expect(store.documents()[0]?.progress.done).toBe(3));
    expect(store.following()).toBe(true);

    // Read again after POLL_MS, without anyone asking.
    await answer(busy, [{ ...indexing, progress: { done: 9, total: 12 } }], POLL_MS * 3);
    await vi.waitFor(() => expect(store.documents()[0].progress.done).toBe(9));

    const ready = aKnowledgeBase({ documents: { total: 1, pending: 0, indexing: 0, indexed: 1, failed: 0 }, chunk_count: 12 });
    await answer(ready, [{ ...indexing, status: 'indexed', progress: { done: 12, total: 12 } }], POLL_MS * 3);
    await vi.waitFor(() => expect(store.following()).toBe(false));
    await new Promise((wake) => setTimeout(wake, POLL_MS * 1.5));
    http.expectNone(KB);
  });

  it('follows a re-embed being built even when every document is indexed', async () => {
    const reembedding = aKnowledgeBase({
      documents: { total: 1, pending: 0, indexing: 0, indexed: 1, failed: 0 },
      reembed: {
        status: 'building',
        embedding_model: { id: 'emb-nomic', name: 'nomic-embed-text' },
        dimensions: 768,
        done: 2,
        total: 12,
        error: null,
        started_at: '2026-01-01T00:00:00.000Z',
      },
    });
    store.id.set(KB_ID);
    await answer(reembedding, [aDocument()]);
    await vi.waitFor(() => expect(store.following()).toBe(true));
    await answer({ ...reembedding, reembed: null }, [aDocument()], POLL_MS * 3);
    await vi.waitFor(() => expect(store.following()).toBe(false));
  });
});
