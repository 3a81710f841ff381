import { embeddingInput } from '../../src/knowledge-bases/ingestion/embedding-queue.js';
import { VectorStore } from '../../src/knowledge-bases/retrieval/vector-store.js';
import { fakeEmbedding, OllamaFake } from '../fakes/index.js';
import { dropDatabase, ownerClient } from '../support/database.js';
import { aModel } from '../support/registry.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import {
  aKnowledgeBase,
  embeddedInputs,
  expectedVectorSearch,
  ollamaModels,
  upload,
  waitFor,
  waitForDocument,
  type KnowledgeSetup,
} from './support.js';

/** Four sections, one chunk each. */
const NOTES = [
  '## Parking\n\nParking permits are renewed every January at the front desk.',
  '## Library\n\nThe library lends laptops for up to two weeks.',
  '## Drills\n\nFire drills happen on the first Tuesday of each quarter.',
  '## Visitors\n\nVisitors sign in at reception and wear a badge at all times.',
].join('\n\n');

/** What the app should report for two vectors of the fake (float64 here, float32 there). */
function expectedSimilarity(metric: string, a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  if (metric === 'dot') return dot;
  if (metric === 'cosine') return dot / Math.sqrt(na * nb);
  return 1 / (1 + Math.sqrt(Math.max(0, na + nb - 2 * dot)));
}

/**
 * The same tests run on both paths: on the embedded PostgreSQL (exact scan) and, in CI's second
 * pass, on the machine's PostgreSQL, which takes the pgvector path when it has the extension.
 */
describe('vector search on the path the server allows', () => {
  let t: TestApp;
  let fake: OllamaFake;
  let setup: KnowledgeSetup;
  let mode: 'pgvector' | 'exact';
  let databaseName: string;
  let databaseUrl: string;

  beforeAll(async () => {
    fake = await new OllamaFake().start();
    t = await startTestApp({ env: { SEED_REGISTRY: 'false' }, keepDatabase: true });
    ({ databaseName, databaseUrl } = t);
    setup = await ollamaModels(t, fake);
    mode = await expectedVectorSearch(t);
  });
  /** The exact text a chunk was embedded as (with its heading): as a query it has similarity 1 with that chunk alone. */
  const embeddedText = (content: string) => embeddedInputs(fake).find((input) => input.endsWith(content))!;
  afterAll(async () => {
    await t.close();
    await dropDatabase(databaseName);
    await fake.close();
  });

  it('says which path it is on, and on pgvector stores every vector in the vector column', async () => {
    expect(t.app.get(VectorStore).mode).toBe(mode);
    const kb = await aKnowledgeBase(t, setup);
    expect(kb.vector_search).toBe(mode);
    const doc = await upload(t, kb.id, NOTES, 'notes.md', 'text/markdown');
    await waitForDocument(t, kb.id, doc.body.document.id);
    const search = await t.req('post', `/api/v1/knowledge-bases/${kb.id}/search`).send({ query: 'laptops', top_k: 2 });
    expect(search.status).toBe(200);
    expect(search.body.vector_search).toBe(mode);
    expect(search.body.items[0].content).toContain('library lends laptops');
    const db = await ownerClient(databaseUrl);
    try {
      const { rows } = await db.query(
        `SELECT column_name FROM information_schema.columns WHERE table_name = 'chunk_embeddings' AND column_name = 'embedding_vector'`,
      );
      expect(rows).toHaveLength(mode === 'pgvector' ? 1 : 0);
      if (mode === 'pgvector') {
        const filled = await db.query(
          `SELECT count(*)::int AS n, count(embedding_vector)::int AS filled, min(vector_dims(embedding_vector)) AS dims FROM chunk_embeddings`,
        );
        expect(filled.rows[0]).toEqual({ n: 4, filled: 4, dims: 768 });
      }
    } finally {
      await db.end();
    }
  });

  it.each(['cosine', 'dot', 'euclidean'])('ranks and scores by the embedding model’s %s distance', async (metric) => {
    const model = await aModel(t, setup.provider.id, {
      type: 'embedding',
      model_id: 'nomic-embed-text',
      params: { dimensions: 768, batch_size: 8, distance_metric: metric },
    });
    const kb = await aKnowledgeBase(t, { ...setup, embedding: model });
    expect(kb.distance_metric).toBe(metric);
    const doc = await upload(t, kb.id, NOTES, 'notes.md', 'text/markdown');
    await waitForDocument(t, kb.id, doc.body.document.id);
    // No shared words with any chunk: the order comes from the vectors alone.
    const query = 'zebra quantum';
    const search = await t.req('post', `/api/v1/knowledge-bases/${kb.id}/search`).send({ query, top_k: 4 });
    expect(search.status).toBe(200);
    expect(search.body.vector_search).toBe(mode);
    const items = search.body.items as { heading: string | null; content: string; similarity: number; vector_rank: number }[];
    expect(items).toHaveLength(4);
    const q = fakeEmbedding(query, 768);
    const expected = items.map((item) => expectedSimilarity(metric, q, fakeEmbedding(embeddingInput(item.heading, item.content), 768)));
    items.forEach((item, i) => expect(item.similarity).toBeCloseTo(expected[i]!, 4));
    // Vector ranks follow the similarity, best first.
    const byRank = [...items].sort((a, b) => a.vector_rank - b.vector_rank).map((item) => item.similarity);
    expect(byRank).toEqual([...byRank].sort((a, b) => b - a));
  });

  it('re-embeds onto a model of other dimensions and searches the new index', async () => {
    const kb = await aKnowledgeBase(t, setup);
    const doc = await upload(t, kb.id, NOTES, 'notes.md', 'text/markdown');
    await waitForDocument(t, kb.id, doc.body.document.id);
    const large = await aModel(t, setup.provider.id, { type: 'embedding', model_id: 'mxbai-embed-large', params: { dimensions: 1024 } });
    expect((await t.req('post', `/api/v1/knowledge-bases/${kb.id}/reembed`).send({ embedding_model_id: large.id })).status).toBe(202);
    await waitFor('cut-over', async () => (await t.req('get', `/api/v1/knowledge-bases/${kb.id}`)).body.dimensions === 1024);
    const content = 'Fire drills happen on the first Tuesday of each quarter.';
    const search = await t.req('post', `/api/v1/knowledge-bases/${kb.id}/search`).send({ query: embeddedText(content), top_k: 1 });
    expect(search.body).toMatchObject({ vector_search: mode, embedding_model_id: large.id });
    expect(search.body.items[0]).toMatchObject({ content, vector_rank: 1 });
    expect(search.body.items[0].similarity).toBeCloseTo(1, 5);
    if (mode === 'pgvector') {
      const db = await ownerClient(databaseUrl);
      try {
        const { rows } = await db.query(
          `SELECT count(*)::int AS n, min(vector_dims(e.embedding_vector)) AS dims FROM chunk_embeddings e
             JOIN embedding_indexes ix ON ix.id = e.index_id WHERE ix.knowledge_base_id = $1 AND ix.status = 'active'`,
          [kb.id],
        );
        expect(rows[0]).toEqual({ n: 4, dims: 1024 });
      } finally {
        await db.end();
      }
    }
  });

  it('after a restart, is ready before the first search: the exact scan is loaded in the background, a missing pgvector column is added and filled', async () => {
    const kb = await aKnowledgeBase(t, setup);
    const doc = await upload(t, kb.id, NOTES, 'notes.md', 'text/markdown');
    await waitForDocument(t, kb.id, doc.body.document.id);
    await t.close();
    const db = await ownerClient(databaseUrl);
    try {
      // As if the database had been migrated before pgvector was installed on the server.
      if (mode === 'pgvector') await db.query(`ALTER TABLE chunk_embeddings DROP COLUMN embedding_vector`);
      const { rows: active } = await db.query(
        `SELECT ix.id, count(e.chunk_id)::int AS rows FROM embedding_indexes ix JOIN chunk_embeddings e ON e.index_id = ix.id
          WHERE ix.status = 'active' GROUP BY ix.id`,
      );
      t = await startTestApp({ database: { name: databaseName, url: databaseUrl }, keepDatabase: true });
      const vectors = t.app.get(VectorStore);
      await vectors.background;
      expect(vectors.mode).toBe(mode);
      if (mode === 'exact') {
        // Every active index is in memory without a search having asked for it…
        const held = vectors.memory;
        expect(held.indexes.map((i) => i.id).sort()).toEqual(active.map((i: { id: string }) => i.id).sort());
        expect(held.rowsLoaded).toBe(active.reduce((sum: number, i: { rows: number }) => sum + i.rows, 0));
      } else {
        // The column is back (the query would fail without it), and every stored vector was copied into it.
        const { rows } = await db.query(`SELECT count(*)::int AS n, count(embedding_vector)::int AS filled FROM chunk_embeddings`);
        expect(rows[0].filled).toBe(rows[0].n);
      }
    } finally {
      await db.end();
    }
    const loadedBefore = t.app.get(VectorStore).memory.rowsLoaded;
    const content = 'Visitors sign in at reception and wear a badge at all times.';
    const search = await t.req('post', `/api/v1/knowledge-bases/${kb.id}/search`).send({ query: embeddedText(content), top_k: 1 });
    expect(search.body.vector_search).toBe(mode);
    expect(search.body.items[0]).toMatchObject({ content, vector_rank: 1 });
    expect(search.body.items[0].similarity).toBeCloseTo(1, 5);
    // …so the first search reads no vectors from the database.
    expect(t.app.get(VectorStore).memory.rowsLoaded).toBe(loadedBefore);
  });
});
