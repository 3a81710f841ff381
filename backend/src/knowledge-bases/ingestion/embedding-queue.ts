import type { EntityManager } from 'typeorm';

export interface ClaimedJob {
  id: string;
  chunk_id: string;
  document_id: string;
  attempts: number;
  content: string;
  heading: string | null;
}

/** What is sent to the embedding model for a chunk: its heading path gives the passage its context. */
export const embeddingInput = (heading: string | null, content: string) => (heading ? `${heading}\n\n${content}` : content);

/** Queues every chunk of a document for each index (the active one, and the one a re-embed builds). */
export async function enqueueDocument(manager: EntityManager, indexIds: string[], documentId: string): Promise<void> {
  await manager.query(
    `INSERT INTO embedding_jobs (index_id, chunk_id, document_id)
     SELECT ix, c.id, c.document_id FROM chunks c CROSS JOIN unnest($1::uuid[]) AS ix
      WHERE c.document_id = $2 ORDER BY ix, c.ordinal
     ON CONFLICT (index_id, chunk_id) DO NOTHING`,
    [indexIds, documentId],
  );
}

/** Queues the chunks that have no vector in the index yet (a retry, a re-embed); returns how many. */
export async function enqueueMissing(
  manager: EntityManager,
  indexId: string,
  scope: { knowledgeBaseId: string; documentId?: string },
): Promise<number> {
  const [row] = (await manager.query(
    `WITH queued AS (
     INSERT INTO embedding_jobs (index_id, chunk_id, document_id)
     SELECT $1, c.id, c.document_id FROM chunks c
      WHERE c.knowledge_base_id = $2 AND ($3::uuid IS NULL OR c.document_id = $3)
        AND NOT EXISTS (SELECT 1 FROM chunk_embeddings e WHERE e.index_id = $1 AND e.chunk_id = c.id)
      ORDER BY c.document_id, c.ordinal
     ON CONFLICT (index_id, chunk_id) DO UPDATE SET attempts = 0, run_after = now(), last_error = NULL
     RETURNING 1)
     SELECT count(*)::int AS n FROM queued`,
    [indexId, scope.knowledgeBaseId, scope.documentId ?? null],
  )) as { n: number }[];
  return row?.n ?? 0;
}

/** The jobs a worker may take now: due, of an index that is in use or being built. */
export const READY_JOBS = `FROM embedding_jobs j
   JOIN embedding_indexes ix ON ix.id = j.index_id AND ix.status IN ('active', 'building')
  WHERE j.run_after <= now()`;

/**
 * Claims up to `limit` ready jobs of the index whose oldest job is next, row-locked until the
 * caller's transaction ends: another worker skips them (SKIP LOCKED), and a worker that dies
 * releases them with its connection, so nothing is embedded twice and nothing is lost.
 */
export async function claimBatch(
  manager: EntityManager,
  limit: (indexId: string) => Promise<number>,
): Promise<{ indexId: string; jobs: ClaimedJob[] } | null> {
  const [head] = (await manager.query(`SELECT j.index_id ${READY_JOBS} ORDER BY j.id LIMIT 1 FOR UPDATE OF j SKIP LOCKED`)) as {
    index_id: string;
  }[];
  if (!head) return null;
  const jobs = (await manager.query(
    `SELECT j.id, j.chunk_id, j.document_id, j.attempts, c.content, c.heading
       FROM embedding_jobs j JOIN chunks c ON c.id = j.chunk_id
      WHERE j.index_id = $1 AND j.run_after <= now()
      ORDER BY j.id LIMIT $2
      FOR UPDATE OF j SKIP LOCKED`,
    [head.index_id, await limit(head.index_id)],
  )) as ClaimedJob[];
  return jobs.length ? { indexId: head.index_id, jobs } : null;
}

/** Chunks embedded into an index: for one document, or for the whole knowledge base. */
export async function progressOf(manager: EntityManager, indexId: string, documentIds: string[]): Promise<Map<string, number>> {
  const rows = (await manager.query(
    `SELECT c.document_id, count(*)::int AS done FROM chunk_embeddings e JOIN chunks c ON c.id = e.chunk_id
      WHERE e.index_id = $1 AND c.document_id = ANY($2::uuid[]) GROUP BY c.document_id`,
    [indexId, documentIds],
  )) as { document_id: string; done: number }[];
  return new Map(rows.map((r) => [r.document_id, r.done]));
}
