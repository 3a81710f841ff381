import type {
  DocumentResponse,
  KnowledgeBaseResponse,
  ModelResponse,
  SearchHitDto,
  SearchResponse,
  UploadResponse,
} from '../app/api/models';
import { aModel } from './registry-fixtures';

// Knowledge base test data shaped by the generated DTOs.

export const KB_ID = '66666666-6666-4666-8666-666666666666';
export const DOCUMENT_ID = '77777777-7777-4777-8777-777777777777';

export function anEmbeddingModel(id: string, display_name: string, dimensions: number | null, overrides: Partial<ModelResponse> = {}) {
  return aModel({
    id,
    display_name,
    model_id: display_name.toLowerCase().replace(/\s+/g, '-'),
    type: 'embedding',
    params: dimensions === null ? {} : { dimensions },
    pricing: null,
    ...overrides,
  });
}

export function aKnowledgeBase(overrides: Partial<KnowledgeBaseResponse> = {}): KnowledgeBaseResponse {
  return {
    id: KB_ID,
    name: 'HR handbook',
    description: 'Policies for everyone',
    embedding_model: { id: 'emb-small', name: 'Small embeddings' },
    generation_model: { id: 'gen-1', name: 'GPT-4o mini' },
    dimensions: 1536,
    distance_metric: 'cosine',
    chunk_size: 400,
    chunk_overlap: 50,
    documents: { total: 0, pending: 0, indexing: 0, indexed: 0, failed: 0 },
    chunk_count: 0,
    reembed: null,
    vector_search: 'exact',
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

export function aDocument(overrides: Partial<DocumentResponse> = {}): DocumentResponse {
  return {
    id: DOCUMENT_ID,
    knowledge_base_id: KB_ID,
    title: 'Staff handbook',
    filename: 'handbook.md',
    media_type: 'text/markdown',
    size_bytes: 14_540,
    content_hash: 'a'.repeat(64),
    status: 'indexed',
    progress: { done: 12, total: 12 },
    error: null,
    uploaded_by: null,
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    indexed_at: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

export function anUploadResponse(overrides: Partial<UploadResponse> = {}): UploadResponse {
  return {
    document: aDocument({ status: 'pending', progress: { done: 0, total: 12 }, indexed_at: null }),
    duplicate: false,
    detail: 'Indexing 12 chunks in the background',
    ...overrides,
  };
}

export function aSearchHit(overrides: Partial<SearchHitDto> = {}): SearchHitDto {
  return {
    chunk_id: '88888888-8888-4888-8888-888888888888',
    document_id: DOCUMENT_ID,
    title: 'Staff handbook',
    heading: 'Staff handbook › Vacation',
    anchor: 'vacation',
    content: 'Everyone gets 30 vacation days a year.',
    ordinal: 0,
    score: 0.032522,
    similarity: 0.8312,
    vector_rank: 1,
    text_rank: 2,
    ...overrides,
  };
}

export function aSearchResponse(items: SearchHitDto[], overrides: Partial<SearchResponse> = {}): SearchResponse {
  return { items, vector_search: 'pgvector', embedding_model_id: 'emb-small', took_ms: 42, ...overrides };
}
