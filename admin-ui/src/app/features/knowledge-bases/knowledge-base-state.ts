import type { DocumentResponse, KnowledgeBaseResponse, ModelResponse } from '../../api/models';
import type { BadgeTone } from '../../shared/status-badge.component';

/** What a knowledge base is doing, as one badge of the list and the detail header. */
export interface IndexingState {
  status: 'ready' | 'empty' | 'indexing' | 'reembedding' | 'failed';
  label: string;
  tone: BadgeTone;
  /** A second line: what is left, or what failed. */
  detail: string | null;
}

/** Work is under way that the page should follow: documents waiting or indexing, or an index being built. */
export function isBusy(kb: KnowledgeBaseResponse): boolean {
  return kb.documents.pending + kb.documents.indexing > 0 || kb.reembed?.status === 'building';
}

export function documentBusy(document: DocumentResponse): boolean {
  return document.status === 'pending' || document.status === 'indexing';
}

export function indexingState(kb: KnowledgeBaseResponse): IndexingState {
  const { documents, reembed } = kb;
  const open = documents.pending + documents.indexing;
  if (reembed?.status === 'building') {
    return {
      status: 'reembedding',
      label: `Re-embedding ${percent(reembed.done, reembed.total)}%`,
      tone: 'info',
      detail: `onto ${reembed.embedding_model.name}`,
    };
  }
  if (open > 0) {
    return { status: 'indexing', label: 'Indexing', tone: 'info', detail: `${plural(open, 'document')} to go` };
  }
  if (reembed?.status === 'failed') {
    return { status: 'failed', label: 'Re-embed failed', tone: 'error', detail: reembed.error?.message ?? null };
  }
  if (documents.failed > 0) {
    return {
      status: 'failed',
      label: `${documents.failed} failed`,
      tone: 'error',
      detail: `${documents.indexed} of ${documents.total} indexed`,
    };
  }
  if (documents.total === 0) return { status: 'empty', label: 'No documents', tone: 'neutral', detail: null };
  return { status: 'ready', label: 'Ready', tone: 'success', detail: null };
}

/** Whole percent of `done` out of `total`; 0 of 0 is 0 (nothing started), never NaN. */
export function percent(done: number, total: number): number {
  if (total <= 0) return 0;
  return Math.min(100, Math.floor((done / total) * 100));
}

/** The vector size an embedding model declares (`params.dimensions`), or null. */
export function dimensionsOf(model: Pick<ModelResponse, 'params'> | null | undefined): number | null {
  const value = (model?.params as Record<string, unknown> | undefined)?.['dimensions'];
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : null;
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** 512 B, 14.2 KB, 3.1 MB (powers of 1024, as the upload limit is set). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 ? Math.round(value) : +value.toFixed(1)} ${units[unit]}`;
}

const MEDIA_LABELS: Record<string, string> = {
  'text/plain': 'Text',
  'text/markdown': 'Markdown',
  'text/html': 'HTML',
  'application/pdf': 'PDF',
};

export function mediaLabel(mediaType: string): string {
  return MEDIA_LABELS[mediaType] ?? mediaType;
}
