import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { VectorCache, type IndexRef, type VectorHit } from './vector-cache.js';
import { encodeVector, type DistanceMetric } from './vector-math.js';

export type VectorMode = 'pgvector' | 'exact';

/** Room for three 50,000 × 768 indexes; least recently searched ones are dropped beyond it. */
const CACHE_BYTES = 512 * 1024 * 1024;

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
 * when the migration found pgvector (a `vector` column beside them) searches run in SQL,
 * otherwise as an exact scan over an in-memory copy (VectorCache).
 */
@Injectable()
export class VectorStore implements OnModuleInit {
  private readonly logger = new Logger('Knowledge');
  private current: VectorMode = 'exact';
  private readonly cache: VectorCache;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.cache = new VectorCache(dataSource, CACHE_BYTES);
  }

  async onModuleInit(): Promise<void> {
    const [row] = (await this.dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM information_schema.columns
                       WHERE table_schema = current_schema() AND table_name = 'chunk_embeddings' AND column_name = 'embedding_vector') AS present`,
    )) as { present: boolean }[];
    this.current = row?.present ? 'pgvector' : 'exact';
    this.logger.log(`vector search: ${this.current === 'pgvector' ? 'pgvector' : 'exact scan (pgvector not installed)'}`);
  }

  get mode(): VectorMode {
    return this.current;
  }

  /**
   * Stores one batch's vectors. The advisory lock makes an index's seqs commit in order, which the
   * in-memory copies rely on to load only what is new; it is held from here to commit.
   */
  async write(manager: EntityManager, indexId: string, rows: { chunkId: string; values: number[] }[]): Promise<void> {
    await lockIndex(manager, indexId);
    const encoded = rows.map((r) => encodeVector(r.values));
    const params = [indexId, rows.map((r) => r.chunkId), encoded.map((e) => e.norm), encoded.map((e) => e.bytes)];
    if (this.current === 'pgvector') {
      await manager.query(
        `INSERT INTO chunk_embeddings (index_id, chunk_id, norm, embedding, embedding_vector)
         SELECT $1, u.chunk_id, u.norm, u.embedding, u.literal::vector
           FROM unnest($2::uuid[], $3::real[], $4::bytea[], $5::text[]) AS u(chunk_id, norm, embedding, literal)
         ON CONFLICT DO NOTHING`,
        [...params, rows.map((r) => `[${r.values.join(',')}]`)],
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
      [index.id, `[${query.join(',')}]`, k],
    )) as { chunk_id: string; distance: number }[];
    return rows.map((r) => ({ chunkId: r.chunk_id, similarity: similarity(r.distance) }));
  }

  /** After an index is dropped (cut-over, cancel, knowledge base deleted). */
  forget(indexId: string): void {
    this.cache.drop(indexId);
  }
}
