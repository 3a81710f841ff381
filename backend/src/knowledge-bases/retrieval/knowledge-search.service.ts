import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { DomainError, notFound } from '../../common/domain-error.js';
import { RegistryCache } from '../../registry/registry-cache.js';
import { UpstreamClient } from '../../upstream/upstream.client.js';
import { UpstreamError } from '../../upstream/upstream-error.js';
import { EmbeddingUsage, type ChargedTo } from '../embedding-usage.js';
import type { SearchHitDto } from '../dto/search.dto.js';
import { fuseRankings } from './rrf.js';
import { metricOf } from './vector-math.js';
import { VectorStore, type VectorMode } from './vector-store.js';

/** Candidates taken from each ranking before fusion. */
const candidatesFor = (topK: number) => Math.max(topK * 4, 40);

interface ActiveIndex {
  knowledge_base_id: string;
  name: string;
  index_id: string;
  embedding_model_id: string;
  dimensions: number;
  vector_epoch: number;
}

export interface SearchOutcome {
  knowledgeBase: { id: string; name: string };
  items: SearchHitDto[];
  mode: VectorMode;
  embeddingModelId: string;
  /** Set when the query could not be embedded and only full-text ranking was used. */
  degraded?: UpstreamError;
}

/**
 * Hybrid retrieval: PostgreSQL full-text ranking and vector similarity, fused by reciprocal rank.
 * One search reads one index from start to end, so a re-embed's cut-over in the middle changes
 * nothing for it: its query vector and the vectors it is compared with come from the same model.
 */
@Injectable()
export class KnowledgeSearch {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cache: RegistryCache,
    private readonly upstream: UpstreamClient,
    private readonly vectors: VectorStore,
    private readonly embeddingUsage: EmbeddingUsage,
  ) {}

  async search(
    knowledgeBaseId: string,
    query: string,
    topK: number,
    options: { usage: ChargedTo; signal?: AbortSignal; textOnlyOnUpstreamError?: boolean },
  ): Promise<SearchOutcome> {
    const [index] = (await this.dataSource.query(
      `SELECT kb.id AS knowledge_base_id, kb.name, ix.id AS index_id, ix.embedding_model_id, ix.dimensions, ix.vector_epoch
         FROM knowledge_bases kb JOIN embedding_indexes ix ON ix.knowledge_base_id = kb.id AND ix.status = 'active'
        WHERE kb.id = $1`,
      [knowledgeBaseId],
    )) as ActiveIndex[];
    if (!index) throw notFound('knowledge base', knowledgeBaseId);
    const pool = candidatesFor(topK);
    let degraded: UpstreamError | undefined;
    const [vectorIds, textIds] = await Promise.all([
      this.vectorRanking(index, query, pool, options).catch((error: unknown) => {
        if (!(options.textOnlyOnUpstreamError && error instanceof UpstreamError)) throw error;
        degraded = error;
        return [] as { chunkId: string; similarity: number }[];
      }),
      this.textRanking(index, query, pool),
    ]);
    const similarity = new Map(vectorIds.map((v) => [v.chunkId, v.similarity]));
    const fused = fuseRankings(
      vectorIds.map((v) => v.chunkId),
      textIds,
    ).slice(0, topK + 8);
    const rows = (await this.dataSource.query(
      `SELECT c.id, c.document_id, c.heading, c.anchor, c.content, c.ordinal, d.title
         FROM chunks c JOIN documents d ON d.id = c.document_id
        WHERE c.id = ANY($1::uuid[]) AND c.knowledge_base_id = $2`,
      [fused.map((f) => f.id), knowledgeBaseId],
    )) as {
      id: string;
      document_id: string;
      heading: string | null;
      anchor: string | null;
      content: string;
      ordinal: number;
      title: string;
    }[];
    const byId = new Map(rows.map((r) => [r.id, r]));
    // Chunks deleted since the vectors were read simply drop out.
    const items = fused
      .filter((f) => byId.has(f.id))
      .slice(0, topK)
      .map((f): SearchHitDto => {
        const row = byId.get(f.id)!;
        return {
          chunk_id: row.id,
          document_id: row.document_id,
          title: row.title,
          heading: row.heading,
          anchor: row.anchor,
          content: row.content,
          ordinal: row.ordinal,
          score: round(f.score),
          similarity: similarity.has(f.id) ? round(similarity.get(f.id)!) : null,
          vector_rank: f.vectorRank,
          text_rank: f.textRank,
        };
      });
    return {
      knowledgeBase: { id: index.knowledge_base_id, name: index.name },
      items,
      mode: this.vectors.mode,
      embeddingModelId: index.embedding_model_id,
      degraded,
    };
  }

  private async vectorRanking(index: ActiveIndex, query: string, k: number, { usage, signal }: { usage: ChargedTo; signal?: AbortSignal }) {
    const model = (await this.cache.get()).models.get(index.embedding_model_id);
    if (!model)
      throw new DomainError('unavailable', 'knowledge_base.model_missing', 'The knowledge base’s embedding model no longer exists');
    const { embeddings } = await this.embeddingUsage.measure({ source: 'retrieval', ...usage, model, signal }, () =>
      this.upstream.embed(model, [query], { signal }),
    );
    const vector = embeddings[0];
    if (!vector || vector.length !== index.dimensions) {
      throw new UpstreamError(
        'dimension_mismatch',
        `${model.displayName} returned ${vector?.length ?? 0} dimensions; the knowledge base’s index has ${index.dimensions}: check the model’s dimensions`,
      );
    }
    return this.vectors.nearest(
      { id: index.index_id, dimensions: index.dimensions, vectorEpoch: index.vector_epoch },
      vector,
      metricOf(model.params),
      k,
    );
  }

  /**
   * Full-text ranking over chunks that have a vector in the same index (so both lists cover the
   * same documents). The query's words are OR-ed: questions rarely contain every word of the answer.
   */
  private async textRanking(index: ActiveIndex, query: string, k: number): Promise<string[]> {
    // Ranking first, the vector check only on the best: probing every match would cost as much as the ranking.
    const rows = (await this.dataSource.query(
      `WITH q AS (SELECT to_tsquery('english', replace(plainto_tsquery('english', $2)::text, ' & ', ' | ')) AS query),
       ranked AS (
         SELECT c.id, ts_rank(c.search_vector, q.query) AS rank FROM chunks c, q
          WHERE c.knowledge_base_id = $1 AND numnode(q.query) > 0 AND c.search_vector @@ q.query
          ORDER BY rank DESC, c.id LIMIT $4 * 2)
       SELECT r.id FROM ranked r
        WHERE EXISTS (SELECT 1 FROM chunk_embeddings e WHERE e.index_id = $3 AND e.chunk_id = r.id)
        ORDER BY r.rank DESC, r.id LIMIT $4`,
      [index.knowledge_base_id, query, index.index_id, k],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }
}

const round = (n: number) => Math.round(n * 1e6) / 1e6;
