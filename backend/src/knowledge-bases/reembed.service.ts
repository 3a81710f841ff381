import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../common/actor.js';
import { DomainError, notFound, validationFailed } from '../common/domain-error.js';
import { checkBoundModel, dimensionsOf } from './bound-models.js';
import { enqueueMissing } from './ingestion/embedding-queue.js';
import { EmbeddingWorker } from './ingestion/embedding-worker.js';
import { IndexLifecycle, returned } from './ingestion/index-lifecycle.js';
import { EmbeddingIndex, KnowledgeBase } from './knowledge-base.entity.js';
import { VectorStore } from './retrieval/vector-store.js';

/**
 * Moving a knowledge base to another embedding model: a new index is built beside the active one
 * (searches keep using the old one), the worker cuts over when the last chunk is embedded, and
 * the old vectors are dropped after a short grace period. Any dimensions are allowed here.
 */
@Injectable()
export class ReembedService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly worker: EmbeddingWorker,
    private readonly lifecycle: IndexLifecycle,
    private readonly vectors: VectorStore,
  ) {}

  async start(actor: Actor, knowledgeBaseId: string, modelId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const kb = await manager.findOne(KnowledgeBase, { where: { id: knowledgeBaseId }, lock: { mode: 'pessimistic_write' } });
      if (!kb) throw notFound('knowledge base', knowledgeBaseId);
      await this.startLocked(manager, actor, kb, modelId);
    });
    this.afterCommit();
  }

  /** With the knowledge base row locked by the caller's transaction. */
  async startLocked(manager: EntityManager, actor: Actor, kb: KnowledgeBase, modelId: string): Promise<void> {
    const checked = await checkBoundModel(manager, modelId, 'embedding_model_id', 'embedding');
    if (checked.error) throw validationFailed([checked.error]);
    const model = checked.model;
    const pending = await manager.findOne(EmbeddingIndex, {
      where: [
        { knowledgeBaseId: kb.id, status: 'building' },
        { knowledgeBaseId: kb.id, status: 'failed' },
      ],
    });
    if (pending && pending.embeddingModelId !== model.id) {
      throw new DomainError(
        'conflict',
        'knowledge_base.reembed_in_progress',
        'A re-embed onto another model is under way: cancel it first (DELETE /knowledge-bases/{id}/reembed)',
      );
    }
    if (!pending && model.id === kb.embeddingModelId) {
      throw validationFailed([
        {
          field: 'embedding_model_id',
          code: 'unchanged',
          message: `${model.displayName} is already this knowledge base’s embedding model`,
        },
      ]);
    }
    if (pending?.status === 'building') return;
    let index = pending;
    if (index) {
      await manager.update(EmbeddingIndex, { id: index.id }, { status: 'building', error: null });
    } else {
      index = manager.create(EmbeddingIndex, {
        knowledgeBaseId: kb.id,
        embeddingModelId: model.id,
        dimensions: dimensionsOf(model),
        status: 'building',
        startedBy: actor.userId,
      });
      await manager.save(index);
    }
    const queued = await enqueueMissing(manager, index.id, { knowledgeBaseId: kb.id });
    await this.audit.record(manager, actor, {
      action: pending ? 'knowledge_base.reembed_resumed' : 'knowledge_base.reembed_started',
      entityType: 'knowledge_base',
      entityId: kb.id,
      changes: {
        embedding_model_id: { before: kb.embeddingModelId, after: model.id },
        dimensions: { before: kb.dimensions, after: index.dimensions },
        chunks_queued: { before: null, after: queued },
      },
    });
    // Nothing to embed (an empty knowledge base): the new index is complete already.
    if (queued === 0) await this.lifecycle.cutOverIfComplete(manager, index.id, kb.id);
  }

  /**
   * Two steps: first the index stops being built (workers claim only from active and building
   * indexes, so nothing new starts), then its jobs and vectors go once the batches in flight end.
   * Deleting the jobs in one go instead would chase the workers, who keep claiming ahead of it.
   */
  async cancel(actor: Actor, knowledgeBaseId: string): Promise<void> {
    const stopped = await this.dataSource.transaction(async (manager) => {
      const [pending] = (await manager.query(
        `SELECT id, embedding_model_id, status FROM embedding_indexes WHERE knowledge_base_id = $1 AND status IN ('building', 'failed') FOR UPDATE`,
        [knowledgeBaseId],
      )) as { id: string; embedding_model_id: string; status: string }[];
      if (!pending) {
        if (!(await manager.existsBy(KnowledgeBase, { id: knowledgeBaseId }))) throw notFound('knowledge base', knowledgeBaseId);
        throw new DomainError('not_found', 'knowledge_base.no_reembed', 'No re-embed is under way on this knowledge base');
      }
      await manager.update(EmbeddingIndex, { id: pending.id }, { status: 'failed', error: { class: 'cancelled', message: 'Cancelled' } });
      await this.audit.record(manager, actor, {
        action: 'knowledge_base.reembed_cancelled',
        entityType: 'knowledge_base',
        entityId: knowledgeBaseId,
        changes: { reembed: { before: { embedding_model_id: pending.embedding_model_id, status: pending.status }, after: null } },
      });
      return pending;
    });
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`DELETE FROM embedding_jobs WHERE index_id = $1`, [stopped.id]);
      const [{ n }] = (await manager.query(`SELECT count(*)::int AS n FROM chunk_embeddings WHERE index_id = $1`, [stopped.id])) as {
        n: number;
      }[];
      const deleted = returned<{ id: string }>(
        await manager.query(`DELETE FROM embedding_indexes WHERE id = $1 AND status = 'failed' RETURNING id`, [stopped.id]),
      );
      if (deleted.length === 0) return;
      await this.audit.record(manager, actor, {
        action: 'knowledge_base.index_dropped',
        entityType: 'knowledge_base',
        entityId: knowledgeBaseId,
        changes: {
          cancelled_index: { before: { id: stopped.id, embedding_model_id: stopped.embedding_model_id, vectors: n }, after: null },
        },
      });
    });
    this.vectors.forget(stopped.id);
  }

  afterCommit(): void {
    this.worker.wake();
  }
}
