import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../../audit/audit.service.js';
import { systemActor } from '../../common/actor.js';
import type { DocumentError } from '../document.entity.js';
import { lockIndex, VectorStore } from '../retrieval/vector-store.js';
import { enqueueMissing } from './embedding-queue.js';

/** How long a retired index is kept after a cut-over, for searches that started on it. */
export const RETIRED_GRACE_MS = 5_000;

/** The retired indexes whose grace has passed: `dropRetired` drops them. */
export const RETIRED_PAST_GRACE = `FROM embedding_indexes
  WHERE status = 'retired' AND retired_at < now() - make_interval(secs => ${RETIRED_GRACE_MS / 1000})`;

/** UPDATE … RETURNING through TypeORM comes back as [rows, count]. */
export function returned<T>(result: unknown): T[] {
  return (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as T[];
}

/**
 * Status changes that follow from embedding work: documents becoming indexed or failed, a
 * re-embed's index taking over, retired indexes being dropped. Each runs inside the worker's
 * transaction (after the index's advisory lock, so the last batches of an index are judged one
 * at a time and exactly one of them sees the work finished) and records its audit event there.
 */
@Injectable()
export class IndexLifecycle {
  private readonly logger = new Logger('Knowledge');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly vectors: VectorStore,
  ) {}

  /** After a batch is stored: finishes documents (active index) or cuts over (a re-embed's index). */
  async afterBatch(manager: EntityManager, indexId: string, documentIds: string[]): Promise<void> {
    const [index] = (await manager.query(`SELECT status, knowledge_base_id FROM embedding_indexes WHERE id = $1`, [indexId])) as {
      status: string;
      knowledge_base_id: string;
    }[];
    if (index?.status === 'active') {
      const done = returned<{ id: string; chunk_count: number }>(
        await manager.query(
          `UPDATE documents d SET status = 'indexed', error = NULL, indexed_at = now(), updated_at = now()
            WHERE d.id = ANY($1::uuid[]) AND d.status IN ('pending', 'indexing')
              AND NOT EXISTS (SELECT 1 FROM embedding_jobs j WHERE j.document_id = d.id AND j.index_id = $2)
            RETURNING d.id, d.chunk_count`,
          [documentIds, indexId],
        ),
      );
      for (const doc of done) {
        await this.audit.record(manager, systemActor(), {
          action: 'document.indexed',
          entityType: 'document',
          entityId: doc.id,
          changes: { status: { before: 'indexing', after: 'indexed' }, chunks: { before: null, after: doc.chunk_count } },
        });
      }
    } else if (index?.status === 'building') {
      await this.cutOverIfComplete(manager, indexId, index.knowledge_base_id);
    }
  }

  /** Gives up on a batch: its documents fail (active index) or the re-embed fails (building index). */
  async fail(manager: EntityManager, indexId: string, documentIds: string[], jobIds: string[], error: DocumentError): Promise<void> {
    await lockIndex(manager, indexId);
    const [index] = (await manager.query(`SELECT status, knowledge_base_id FROM embedding_indexes WHERE id = $1`, [indexId])) as {
      status: string;
      knowledge_base_id: string;
    }[];
    await manager.query(`DELETE FROM embedding_jobs WHERE id = ANY($1::bigint[])`, [jobIds]);
    if (index?.status === 'active') {
      await manager.query(
        `DELETE FROM embedding_jobs WHERE id IN (SELECT id FROM embedding_jobs WHERE index_id = $1 AND document_id = ANY($2::uuid[]) FOR UPDATE SKIP LOCKED)`,
        [indexId, documentIds],
      );
      const failed = returned<{ id: string; status: string }>(
        await manager.query(
          `UPDATE documents d SET status = 'failed', error = $2, updated_at = now()
            FROM (SELECT id, status FROM documents WHERE id = ANY($1::uuid[]) FOR UPDATE) old
           WHERE d.id = old.id AND d.status <> 'failed' RETURNING d.id, old.status`,
          [documentIds, error],
        ),
      );
      for (const doc of failed) {
        await this.audit.record(manager, systemActor(), {
          action: 'document.failed',
          entityType: 'document',
          entityId: doc.id,
          changes: { status: { before: doc.status, after: 'failed' }, error: { before: null, after: error.message } },
        });
      }
    } else if (index?.status === 'building') {
      await manager.query(
        `DELETE FROM embedding_jobs WHERE id IN (SELECT id FROM embedding_jobs WHERE index_id = $1 FOR UPDATE SKIP LOCKED)`,
        [indexId],
      );
      await manager.query(`UPDATE embedding_indexes SET status = 'failed', error = $2 WHERE id = $1`, [indexId, error]);
      await this.audit.record(manager, systemActor(), {
        action: 'knowledge_base.reembed_failed',
        entityType: 'knowledge_base',
        entityId: index.knowledge_base_id,
        changes: { reembed: { before: 'building', after: 'failed' }, error: { before: null, after: error.message } },
      });
    }
  }

  /**
   * The atomic switch: once every chunk has a vector in the new index, it becomes the active one,
   * the knowledge base takes its model and dimensions, and the old index is retired, all in one
   * transaction. Searches read the active index once, so each sees either the old or the new.
   */
  async cutOverIfComplete(manager: EntityManager, indexId: string, knowledgeBaseId: string): Promise<boolean> {
    await manager.query(`SELECT id FROM knowledge_bases WHERE id = $1 FOR UPDATE`, [knowledgeBaseId]);
    const [state] = (await manager.query(
      `SELECT EXISTS (SELECT 1 FROM embedding_jobs WHERE index_id = $1) AS queued,
              EXISTS (SELECT 1 FROM chunks c WHERE c.knowledge_base_id = $2
                         AND NOT EXISTS (SELECT 1 FROM chunk_embeddings e WHERE e.index_id = $1 AND e.chunk_id = c.id)) AS missing,
              (SELECT status FROM embedding_indexes WHERE id = $1) AS status`,
      [indexId, knowledgeBaseId],
    )) as { queued: boolean; missing: boolean; status: string }[];
    if (state!.queued || state!.status !== 'building') return false;
    if (state!.missing) {
      // A chunk without a job or a vector (should not happen): queue it rather than cut over without it.
      await enqueueMissing(manager, indexId, { knowledgeBaseId });
      return false;
    }
    const [old] = returned<{ id: string; embedding_model_id: string; dimensions: number }>(
      await manager.query(
        `UPDATE embedding_indexes SET status = 'retired', retired_at = now() WHERE knowledge_base_id = $1 AND status = 'active'
         RETURNING id, embedding_model_id, dimensions`,
        [knowledgeBaseId],
      ),
    );
    const [next] = returned<{ embedding_model_id: string; dimensions: number }>(
      await manager.query(
        `UPDATE embedding_indexes SET status = 'active', activated_at = now(), error = NULL WHERE id = $1 RETURNING embedding_model_id, dimensions`,
        [indexId],
      ),
    );
    await manager.query(`UPDATE knowledge_bases SET embedding_model_id = $2, dimensions = $3, updated_at = now() WHERE id = $1`, [
      knowledgeBaseId,
      next!.embedding_model_id,
      next!.dimensions,
    ]);
    await manager.query(
      `UPDATE documents SET status = 'indexed', error = NULL, indexed_at = coalesce(indexed_at, now()), updated_at = now()
        WHERE knowledge_base_id = $1 AND status <> 'indexed'`,
      [knowledgeBaseId],
    );
    await this.audit.record(manager, systemActor(), {
      action: 'knowledge_base.reembedded',
      entityType: 'knowledge_base',
      entityId: knowledgeBaseId,
      changes: {
        embedding_model_id: { before: old?.embedding_model_id ?? null, after: next!.embedding_model_id },
        dimensions: { before: old?.dimensions ?? null, after: next!.dimensions },
      },
    });
    this.logger.log(`knowledge base ${knowledgeBaseId} now searches index ${indexId}`);
    return true;
  }

  /** Drops the vectors of indexes retired longer ago than the grace period. */
  async dropRetired(): Promise<number> {
    let dropped = 0;
    for (;;) {
      const id = await this.dataSource.transaction(async (manager) => {
        const [index] = (await manager.query(
          `SELECT id, knowledge_base_id, embedding_model_id ${RETIRED_PAST_GRACE} LIMIT 1 FOR UPDATE SKIP LOCKED`,
        )) as { id: string; knowledge_base_id: string; embedding_model_id: string }[];
        if (!index) return null;
        await manager.query(`DELETE FROM embedding_jobs WHERE index_id = $1`, [index.id]);
        const [{ n }] = (await manager.query(`SELECT count(*)::int AS n FROM chunk_embeddings WHERE index_id = $1`, [index.id])) as {
          n: number;
        }[];
        await manager.query(`DELETE FROM embedding_indexes WHERE id = $1`, [index.id]);
        await this.audit.record(manager, systemActor(), {
          action: 'knowledge_base.index_dropped',
          entityType: 'knowledge_base',
          entityId: index.knowledge_base_id,
          changes: { retired_index: { before: { id: index.id, embedding_model_id: index.embedding_model_id, vectors: n }, after: null } },
        });
        return index.id;
      });
      if (!id) return dropped;
      this.vectors.forget(id);
      dropped++;
    }
  }
}
