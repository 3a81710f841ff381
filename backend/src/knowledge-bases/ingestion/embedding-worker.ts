import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { DomainError } from '../../common/domain-error.js';
import type { Model } from '../../models/model.entity.js';
import { RegistryCache } from '../../registry/registry-cache.js';
import { UpstreamClient } from '../../upstream/upstream.client.js';
import { UpstreamError } from '../../upstream/upstream-error.js';
import type { DocumentError } from '../document.entity.js';
import { EmbeddingUsage } from '../embedding-usage.js';
import { VectorStore } from '../retrieval/vector-store.js';
import { claimBatch, embeddingInput, READY_JOBS, type ClaimedJob } from './embedding-queue.js';
import { IndexLifecycle, RETIRED_PAST_GRACE } from './index-lifecycle.js';

/** Batches in flight per instance; the provider's own max_concurrency still applies on top. */
const LOOPS = 2;
const IDLE_POLL_MS = 500;
const MAX_ATTEMPTS = 4;
const MAX_BATCH = 512;
const DEFAULT_BATCH = 96;
const backoffMs = (attempt: number) => Math.min(60_000, 2_000 * 4 ** (attempt - 1));

/** What an idle loop's poll found to do. */
interface Due {
  jobs: boolean;
  retired: boolean;
}

/**
 * Embeds queued chunks in the background. Each step is one transaction: claim a batch of the
 * model's `batch_size` (row locks, SKIP LOCKED), one upstream call through UpstreamClient
 * (limits, retries, breaker), store the vectors, delete the jobs, update statuses, commit. A
 * crash or shutdown mid-call rolls back and the batch is claimed again; a failure is retried
 * with backoff when it may pass (429, 5xx, timeouts) and otherwise fails the documents.
 */
@Injectable()
export class EmbeddingWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Knowledge');
  private readonly stop = new AbortController();
  private loops: Promise<void>[] = [];
  private readonly sleepers = new Set<() => void>();
  /** What this instance has done since it started (for logs and tests). */
  readonly stats = { batches: 0, chunks: 0 };

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cache: RegistryCache,
    private readonly upstream: UpstreamClient,
    private readonly vectors: VectorStore,
    private readonly lifecycle: IndexLifecycle,
    private readonly embeddingUsage: EmbeddingUsage,
  ) {}

  onApplicationBootstrap(): void {
    this.loops = Array.from({ length: LOOPS }, (_, i) => this.loop(i === 0));
  }

  async onModuleDestroy(): Promise<void> {
    this.stop.abort(new Error('shutting down'));
    this.wake();
    await Promise.allSettled(this.loops);
  }

  /** New work was queued on this instance: start now instead of at the next poll. */
  wake(): void {
    for (const resolve of this.sleepers) resolve();
  }

  private async loop(housekeeper: boolean): Promise<void> {
    let idle = false;
    while (!this.stop.signal.aborted) {
      let worked = false;
      try {
        const found: Due = idle ? await this.due() : { jobs: true, retired: true };
        worked = found.jobs && (await this.step());
        if (!worked && housekeeper && found.retired) await this.lifecycle.dropRetired();
      } catch (error) {
        if (!this.stop.signal.aborted) this.logger.warn(`embedding step failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      idle = !worked;
      if (!worked && !this.stop.signal.aborted) await this.sleep(IDLE_POLL_MS);
    }
  }

  /**
   * Whether a step or the housekeeping would find anything: one statement and no transaction, as
   * an idle server asks this twice a second per loop (a step alone takes a transaction and three
   * round trips to find nothing).
   */
  private async due(): Promise<Due> {
    const [row] = (await this.dataSource.query(
      `SELECT EXISTS (SELECT 1 ${READY_JOBS}) AS jobs, EXISTS (SELECT 1 ${RETIRED_PAST_GRACE}) AS retired`,
    )) as Due[];
    return row!;
  }

  /** One batch, start to commit; false when there was nothing to do. */
  async step(): Promise<boolean> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const snapshot = await this.cache.get();
      const modelOf = async (indexId: string) => {
        const [row] = (await runner.query(`SELECT embedding_model_id, dimensions FROM embedding_indexes WHERE id = $1`, [indexId])) as {
          embedding_model_id: string;
          dimensions: number;
        }[];
        return { model: snapshot.models.get(row!.embedding_model_id), dimensions: row!.dimensions };
      };
      const claim = await claimBatch(runner.manager, async (indexId) => batchSize((await modelOf(indexId)).model));
      if (!claim) {
        await runner.rollbackTransaction();
        return false;
      }
      const { model, dimensions } = await modelOf(claim.indexId);
      const documentIds = [...new Set(claim.jobs.map((j) => j.document_id))];
      const jobIds = claim.jobs.map((j) => j.id);
      // Outside the claim's transaction, so progress shows while the batch is in flight.
      await this.dataSource.query(
        `UPDATE documents SET status = 'indexing', updated_at = now() WHERE id = ANY($1::uuid[]) AND status = 'pending'
         AND EXISTS (SELECT 1 FROM embedding_indexes WHERE id = $2 AND status = 'active')`,
        [documentIds, claim.indexId],
      );
      let embeddings: number[][];
      try {
        embeddings = await this.embed(model, claim.jobs, dimensions);
      } catch (error) {
        if (this.stop.signal.aborted) throw error;
        await this.failed(runner.manager, claim.indexId, claim.jobs, documentIds, error);
        await runner.commitTransaction();
        return true;
      }
      await this.vectors.write(
        runner.manager,
        claim.indexId,
        claim.jobs.map((job, i) => ({ chunkId: job.chunk_id, values: embeddings[i]! })),
      );
      await runner.query(`DELETE FROM embedding_jobs WHERE id = ANY($1::bigint[])`, [jobIds]);
      await this.lifecycle.afterBatch(runner.manager, claim.indexId, documentIds);
      await runner.commitTransaction();
      this.stats.batches++;
      this.stats.chunks += claim.jobs.length;
      this.logger.debug(`embedded ${claim.jobs.length} chunks into index ${claim.indexId}`);
      return true;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  private async embed(model: Model | undefined, jobs: ClaimedJob[], dimensions: number): Promise<number[][]> {
    if (!model) throw new DomainError('unavailable', 'knowledge_base.model_missing', 'The embedding model no longer exists');
    const signal = this.stop.signal;
    // Charged to no one in particular: a batch can hold the chunks of documents several people uploaded.
    const { embeddings } = await this.embeddingUsage.measure(
      { source: 'indexing', endpoint: 'knowledge-bases.indexing', caller: { userId: null, apiKeyId: null }, model, signal },
      () =>
        this.upstream.embed(
          model,
          jobs.map((j) => embeddingInput(j.heading, j.content)),
          { signal },
        ),
    );
    const wrong = embeddings.find((e) => e.length !== dimensions);
    if (embeddings.length !== jobs.length || wrong) {
      throw new UpstreamError(
        'dimension_mismatch',
        `${model.displayName} returned ${wrong ? `${wrong.length}-dimension vectors` : `${embeddings.length} vectors for ${jobs.length} inputs`}; the index holds ${dimensions} dimensions: check the model's dimensions`,
      );
    }
    return embeddings;
  }

  private async failed(manager: EntityManager, indexId: string, jobs: ClaimedJob[], documentIds: string[], error: unknown): Promise<void> {
    const reason = describe(error);
    const attempts = Math.max(...jobs.map((j) => j.attempts)) + 1;
    if (isTransient(error) && attempts < MAX_ATTEMPTS) {
      const wait = Math.max(backoffMs(attempts), error instanceof UpstreamError ? (error.retryAfterMs ?? 0) : 0);
      await manager.query(
        `UPDATE embedding_jobs SET attempts = attempts + 1, run_after = now() + make_interval(secs => $2), last_error = $3 WHERE id = ANY($1::bigint[])`,
        [jobs.map((j) => j.id), wait / 1000, reason.message],
      );
      this.logger.warn(`embedding batch will be retried in ${Math.round(wait / 1000)} s: ${reason.message}`);
      return;
    }
    this.logger.warn(`embedding failed for good: ${reason.class}: ${reason.message}`);
    await this.lifecycle.fail(
      manager,
      indexId,
      documentIds,
      jobs.map((j) => j.id),
      reason,
    );
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }
}

function batchSize(model: Model | undefined): number {
  const size = model?.params?.['batch_size'];
  return typeof size === 'number' && size > 0 ? Math.min(size, MAX_BATCH) : DEFAULT_BATCH;
}

function isTransient(error: unknown): boolean {
  if (error instanceof UpstreamError)
    return error.retryable || ['rate_limited', 'circuit_open', 'timeout_error', 'connection_error'].includes(error.errorClass);
  if (error instanceof DomainError) return ['unavailable', 'rate_limited', 'upstream_timeout'].includes(error.kind);
  return true;
}

function describe(error: unknown): DocumentError {
  if (error instanceof UpstreamError) return { class: error.errorClass, message: error.message };
  if (error instanceof DomainError) return { class: error.code, message: error.message };
  return { class: 'internal_error', message: 'Embedding failed unexpectedly; the server log has the details' };
}
