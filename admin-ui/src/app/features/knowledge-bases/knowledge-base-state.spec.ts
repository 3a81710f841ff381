import { aKnowledgeBase } from '../../../testing/knowledge-fixtures';
import { formatBytes, indexingState, isBusy, percent } from './knowledge-base-state';

const counts = (change: Partial<ReturnType<typeof aKnowledgeBase>['documents']>) => ({
  total: 0,
  pending: 0,
  indexing: 0,
  indexed: 0,
  failed: 0,
  ...change,
});

describe('knowledge base state', () => {
  it('says what a knowledge base is doing, the work in progress first', () => {
    expect(indexingState(aKnowledgeBase())).toMatchObject({ status: 'empty', label: 'No documents' });
    expect(indexingState(aKnowledgeBase({ documents: counts({ total: 3, indexed: 3 }) }))).toMatchObject({
      status: 'ready',
      label: 'Ready',
    });
    expect(indexingState(aKnowledgeBase({ documents: counts({ total: 3, indexed: 1, pending: 1, indexing: 1 }) }))).toEqual({
      status: 'indexing',
      label: 'Indexing',
      tone: 'info',
      detail: '2 documents to go',
    });
    expect(indexingState(aKnowledgeBase({ documents: counts({ total: 3, indexed: 2, failed: 1 }) }))).toMatchObject({
      status: 'failed',
      label: '1 failed',
      detail: '2 of 3 indexed',
    });
    const reembed = {
      status: 'building' as const,
      embedding_model: { id: 'emb-nomic', name: 'nomic-embed-text' },
      dimensions: 768,
      done: 30,
      total: 120,
      error: null,
      started_at: '2026-01-01T00:00:00.000Z',
    };
    expect(indexingState(aKnowledgeBase({ documents: counts({ total: 3, indexed: 3 }), reembed }))).toEqual({
      status: 'reembedding',
      label: 'Re-embedding 25%',
      tone: 'info',
      detail: 'onto nomic-embed-text',
    });
    const failed = { ...reembed, status: 'failed' as const, error: { class: 'authentication_error', message: 'the key was rejected' } };
    expect(indexingState(aKnowledgeBase({ documents: counts({ total: 3, indexed: 3 }), reembed: failed }))).toMatchObject({
      status: 'failed',
      label: 'Re-embed failed',
      detail: 'the key was rejected',
    });
  });

  it('is followed while documents wait or index, or an index is being built', () => {
    expect(isBusy(aKnowledgeBase({ documents: counts({ total: 1, pending: 1 }) }))).toBe(true);
    expect(isBusy(aKnowledgeBase({ documents: counts({ total: 1, failed: 1 }) }))).toBe(false);
    expect(isBusy(aKnowledgeBase())).toBe(false);
  });

  it('counts whole percents and readable sizes', () => {
    expect(percent(0, 0)).toBe(0);
    expect(percent(5, 12)).toBe(41);
    expect(percent(13, 12)).toBe(100);
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(14_540)).toBe('14.2 KB');
    expect(formatBytes(20 * 1024 * 1024)).toBe('20 MB');
  });
});
