import type { EntityManager } from 'typeorm';
import type { RegistrySnapshot } from '../registry/registry-cache.js';
import type { DocumentResponse } from './dto/document.dto.js';
import type { DocumentCounts, KnowledgeBaseResponse, ModelRef, ReembedStatus } from './dto/knowledge-base.dto.js';
import type { KnowledgeDocument } from './document.entity.js';
import type { KnowledgeBase } from './knowledge-base.entity.js';
import { metricOf } from './retrieval/vector-math.js';
import type { VectorMode } from './retrieval/vector-store.js';

const modelRef = (snapshot: RegistrySnapshot, id: string): ModelRef => ({ id, name: snapshot.models.get(id)?.displayName ?? '(deleted)' });

/** Document counts, chunk counts and re-embed progress of many knowledge bases in three queries. */
export async function knowledgeBaseStats(manager: EntityManager, ids: string[]) {
  // One after another: the manager may be a transaction's, whose single connection runs one query at a time.
  const documents = (await manager.query(
    `SELECT knowledge_base_id AS id, status, count(*)::int AS n FROM documents WHERE knowledge_base_id = ANY($1::uuid[]) GROUP BY 1, 2`,
    [ids],
  )) as { id: string; status: keyof DocumentCounts; n: number }[];
  const chunks = (await manager.query(
    `SELECT knowledge_base_id AS id, count(*)::int AS n FROM chunks WHERE knowledge_base_id = ANY($1::uuid[]) GROUP BY 1`,
    [ids],
  )) as { id: string; n: number }[];
  const reembeds = (await manager.query(
    `SELECT ix.knowledge_base_id AS id, ix.status, ix.embedding_model_id, ix.dimensions, ix.error, ix.created_at,
              (SELECT count(*)::int FROM chunk_embeddings e WHERE e.index_id = ix.id) AS done
         FROM embedding_indexes ix WHERE ix.knowledge_base_id = ANY($1::uuid[]) AND ix.status IN ('building', 'failed')`,
    [ids],
  )) as {
    id: string;
    status: 'building' | 'failed';
    embedding_model_id: string;
    dimensions: number;
    error: ReembedStatus['error'];
    created_at: Date;
    done: number;
  }[];
  return { documents, chunks, reembeds };
}

export function toKnowledgeBaseResponse(
  kb: KnowledgeBase,
  stats: Awaited<ReturnType<typeof knowledgeBaseStats>>,
  snapshot: RegistrySnapshot,
  mode: VectorMode,
): KnowledgeBaseResponse {
  const counts: DocumentCounts = { total: 0, pending: 0, indexing: 0, indexed: 0, failed: 0 };
  for (const row of stats.documents.filter((d) => d.id === kb.id)) {
    counts[row.status] = row.n;
    counts.total += row.n;
  }
  const chunkCount = stats.chunks.find((c) => c.id === kb.id)?.n ?? 0;
  const next = stats.reembeds.find((r) => r.id === kb.id);
  return {
    id: kb.id,
    name: kb.name,
    description: kb.description,
    embedding_model: modelRef(snapshot, kb.embeddingModelId),
    generation_model: modelRef(snapshot, kb.generationModelId),
    dimensions: kb.dimensions,
    distance_metric: metricOf(snapshot.models.get(kb.embeddingModelId)?.params),
    chunk_size: kb.chunkSize,
    chunk_overlap: kb.chunkOverlap,
    documents: counts,
    chunk_count: chunkCount,
    reembed: next
      ? {
          status: next.status,
          embedding_model: modelRef(snapshot, next.embedding_model_id),
          dimensions: next.dimensions,
          done: next.done,
          total: chunkCount,
          error: next.error,
          started_at: new Date(next.created_at).toISOString(),
        }
      : null,
    vector_search: mode,
    created_at: kb.createdAt.toISOString(),
    updated_at: kb.updatedAt.toISOString(),
  };
}

/** What the audit trail records of a knowledge base. */
export function auditedKnowledgeBase(kb: KnowledgeBase): Record<string, unknown> {
  return {
    name: kb.name,
    description: kb.description,
    embedding_model_id: kb.embeddingModelId,
    generation_model_id: kb.generationModelId,
    dimensions: kb.dimensions,
    chunk_size: kb.chunkSize,
    chunk_overlap: kb.chunkOverlap,
  };
}

export function toDocumentResponse(doc: KnowledgeDocument, done: number): DocumentResponse {
  return {
    id: doc.id,
    knowledge_base_id: doc.knowledgeBaseId,
    title: doc.title,
    filename: doc.filename,
    media_type: doc.mediaType,
    size_bytes: doc.sizeBytes,
    content_hash: doc.contentHash,
    status: doc.status,
    progress: { done: doc.status === 'indexed' ? doc.chunkCount : Math.min(done, doc.chunkCount), total: doc.chunkCount },
    error: doc.error,
    uploaded_by: doc.uploadedBy,
    created_at: doc.createdAt.toISOString(),
    updated_at: doc.updatedAt.toISOString(),
    indexed_at: doc.indexedAt ? doc.indexedAt.toISOString() : null,
  };
}
