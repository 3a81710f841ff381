import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { VectorCache, type IndexRef, type VectorHit } from './vector-cache.js';
import { decodeInto, encodeVector, type DistanceMetric } from './vector-math.js';

export type VectorMode = 'pgvector' | 'exact';

/** Room for three 50,000 × 768 indexes; least recently searched ones are dropped beyond it. */
const CACHE_BYTES = 512 * 1024 * 1024;
/** Rows copied into the pgvector column per statement when it is added after the fact. */
const BACKFILL_PAGE = 1_000;

/** Serialises the end of every batch of one index (vector writes, status changes) until commit. */
export async function lockIndex(manager: EntityManager, indexId: string): Promise<void> {
  await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`switchboard.kb.index.${indexId}`]);
}

/** pgvector's operators, and how each distance becomes "higher is closer". */
const PGVECTOR: Record<DistanceMetric, { operator: string; similarity: (d: number) => number }> = {
  cosine: { operator: '<=>', similarity: (d) => 1 - d },
  dot: { operator: '<#>', similarity: (d) => -d },
  euclidean: { operator: '<->', similarity: (d) => 1 / (1 + d) },
};

/**
 * Where vectors are written and searched. Every vector is kept as float32 bytes with its norm;
 * when the server has pgvector (a `vector` column beside them) searches run in SQL, otherwise as
 * an exact scan over an in-memory copy (VectorCache), warmed in the background at start.
 *
 * pgvector is detected at each start, not only by the migration: when the extension has become
 * available since, the column is added then (as the login role, like a migration) and filled from
 * the stored bytes in the background; searches stay on the exact scan until every row has one.
 */
@Injectable()
export class VectorStore implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Knowledge');
  private current: VectorMode = 'exact';
  /** The `embedding_vector` column exists: writes fill it, even while a backfill still runs. */
  private vectorColumn = false;
  private readonly cache: VectorCache;
  private readonly stopping = new AbortController();
  /** The start-up work (warm-up or backfill), for shutdown and tests. */
  background: Promise<void> = Promise.resolve();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.cache = new VectorCache(dataSource, CACHE_BYTES);
  }

  async onModuleInit(): Promise<void> {
    const [state] = (await this.dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM information_schema.columns
                       WHERE table_schema = current_schema() AND table_name = 'chunk_embeddings' AND column_name = 'embedding_vector') AS column,
              EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') AS available`,
    )) as { column: boolean; available: boolean }[];
    this.vectorColumn = state!.column || (state!.available && (await this.addVectorColumn()));
    if (this.vectorColumn && !(await this.hasUnfilledRows())) this.current = 'pgvector';
    const how =
      this.current === 'pgvector'
        ? 'pgvector'
        : this.vectorColumn
          ? 'exact scan until pgvector is filled'
          : 'exact scan (pgvector not installed)';
    this.logger.log(`vector search: ${how}`);
  }

  onApplicationBootstrap(): void {
    const work = this.current === 'pgvector' ? null : this.vectorColumn ? this.backfill() : this.warm();
    if (!work) return;
    this.background = work.catch((error: unknown) => {
      if (!this.stopping.signal.aborted)
        this.logger.warn(`vector start-up work stopped: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping.abort();
    await this.background;
  }

  get mode(): VectorMode {
    return this.current;
  }

  /** What the in-memory copies hold (tests, metrics). */
  get memory(): { indexes: { id: string; rows: number }[]; rowsLoaded: number } {
    return { indexes: this.cache.held(), rowsLoaded: this.cache.rowsLoaded };
  }

  /**
   * Stores one batch's vectors. The advisory lock makes an index's seqs commit in order, which the
   * in-memory copies rely on to load only what is new; it is held from here to commit.
   */
  async write(manager: EntityManager, indexId: string, rows: { chunkId: string; values: number[] }[]): Promise<void> {
    await lockIndex(manager, indexId);
    const encoded = rows.map((r) => encodeVector(r.values));
    const params = [indexId, rows.map((r) => r.chunkId), encoded.map((e) => e.norm), encoded.map((e) => e.bytes)];
    if (this.vectorColumn) {
      await manager.query(
        `INSERT INTO chunk_embeddings (index_id, chunk_id, norm, embedding, embedding_vector)
         SELECT $1, u.chunk_id, u.norm, u.embedding, u.literal::vector
           FROM unnest($2::uuid[], $3::real[], $4::bytea[], $5::text[]) AS u(chunk_id, norm, embedding, literal)
         ON CONFLICT DO NOTHING`,
        [...params, rows.map((r) => vectorLiteral(r.values))],
      );
    } else {
      await manager.query(
        `INSERT INTO chunk_embeddings (index_id, chunk_id, norm, embedding)
         SELECT $1, u.chunk_id, u.norm, u.embedding FROM unnest($2::uuid[], $3::real[], $4::bytea[]) AS u(chunk_id, norm, embedding)
         ON CONFLICT DO NOTHING`,
        params,
      );
    }
  }

  async nearest(index: IndexRef, query: number[], metric: DistanceMetric, k: number): Promise<VectorHit[]> {
    if (this.current === 'exact') return this.cache.nearest(index, query, metric, k);
    const { operator, similarity } = PGVECTOR[metric];
    const rows = (await this.dataSource.query(
      `SELECT chunk_id, (embedding_vector ${operator} $2::vector)::float8 AS distance
         FROM chunk_embeddings WHERE index_id = $1 AND embedding_vector IS NOT NULL
        ORDER BY embedding_vector ${operator} $2::vector LIMIT $3`,
      [index.id, vectorLiteral(query), k],
    )) as { chunk_id: string; distance: number }[];
    return rows.map((r) => ({ chunkId: r.chunk_id, similarity: similarity(r.distance) }));
  }

  /** After an index is dropped (cut-over, cancel, knowledge base deleted). */
  forget(indexId: string): void {
    this.cache.drop(indexId);
  }

  /**
   * Creates the extension and the column where the migration could not (pgvector installed after
   * it ran). DDL needs the table's owner, so this uses the login role, not the app's runtime role;
   * a short lock timeout keeps a busy table from holding up the start (it tries again next start).
   */
  private async addVectorColumn(): Promise<boolean> {
    const client = new pg.Client({
      connectionString: (this.dataSource.options as { url?: string }).url,
      application_name: 'switchboard-schema',
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('BEGIN');
      await client.query(`SET LOCAL lock_timeout = '5s'`);
      await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('switchboard.kb.pgvector', 0))`);
      await client.query(`CREATE EXTENSION IF NOT EXISTS vector`);
      await client.query(`ALTER TABLE chunk_embeddings ADD COLUMN IF NOT EXISTS embedding_vector vector`);
      await client.query('COMMIT');
      this.logger.log('pgvector is available: added the vector column to chunk_embeddings');
      return true;
    } catch (error) {
      this.logger.warn(
        `pgvector is available but the vector column could not be added (${(error as Error).message}): using the exact scan`,
      );
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private async hasUnfilledRows(): Promise<boolean> {
    const [row] = (await this.dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM chunk_embeddings WHERE embedding_vector IS NULL) AS unfilled`,
    )) as { unfilled: boolean }[];
    return row!.unfilled;
  }

  /**
   * Fills the vector column from the stored bytes, a page at a time, then moves searches to
   * pgvector. Rows come from before the column existed, or from an instance that started before
   * it did (such an instance writes without vectors until it restarts; each start fills the gaps).
   */
  private async backfill(): Promise<void> {
    let filled = 0;
    while (!this.stopping.signal.aborted) {
      const rows = (await this.dataSource.query(
        `SELECT index_id, chunk_id, embedding FROM chunk_embeddings WHERE embedding_vector IS NULL LIMIT ${BACKFILL_PAGE}`,
      )) as { index_id: string; chunk_id: string; embedding: Buffer }[];
      if (rows.length === 0) {
        this.current = 'pgvector';
        this.logger.log(`vector search: pgvector (${filled} stored vectors copied into the vector column)`);
        return;
      }
      await this.dataSource.query(
        `UPDATE chunk_embeddings e SET embedding_vector = u.literal::vector
           FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS u(index_id, chunk_id, literal)
          WHERE e.index_id = u.index_id AND e.chunk_id = u.chunk_id AND e.embedding_vector IS NULL`,
        [rows.map((r) => r.index_id), rows.map((r) => r.chunk_id), rows.map((r) => vectorLiteral(decodeVector(r.embedding)))],
      );
      filled += rows.length;
    }
  }

  /**
   * Loads the active indexes into memory in the background, one at a time and only as many as
   * the cache budget holds, so the first search after a restart does not pay for the load. The
   * knowledge bases with the latest conversation activity go first.
   */
  private async warm(): Promise<void> {
    const indexes = (await this.dataSource.query(
      `SELECT ix.id, ix.dimensions, ix.vector_epoch, (SELECT count(*) FROM chunk_embeddings e WHERE e.index_id = ix.id)::int AS rows
         FROM embedding_indexes ix
        WHERE ix.status = 'active'
        ORDER BY (SELECT max(c.updated_at) FROM conversations c WHERE c.knowledge_base_id = ix.knowledge_base_id) DESC NULLS LAST,
                 ix.activated_at DESC NULLS LAST, ix.id`,
    )) as { id: string; dimensions: number; vector_epoch: number; rows: number }[];
    let loaded = 0;
    for (const [rank, index] of indexes.entries()) {
      if (this.stopping.signal.aborted) return;
      if (index.rows === 0 || !this.cache.fits(index.rows, index.dimensions)) continue;
      const ref = { id: index.id, dimensions: index.dimensions, vectorEpoch: index.vector_epoch };
      // Older than any real search, in rank order: warmed copies are the first to go when room is needed.
      await this.cache.warm(ref, index.rows, -rank, this.stopping.signal);
      loaded++;
    }
    if (loaded > 0) this.logger.log(`vector search: ${loaded} of ${indexes.length} indexes loaded into memory`);
  }
}

/** pgvector's text form; float32 values print exactly as JavaScript numbers. */
const vectorLiteral = (values: ArrayLike<number>) => `[${Array.prototype.join.call(values, ',')}]`;

function decodeVector(bytes: Buffer): Float32Array {
  const values = new Float32Array(bytes.byteLength >>> 2);
  decodeInto(bytes, values, 0);
  return values;
}
