import { EmbeddingWorker } from '../../src/knowledge-bases/ingestion/embedding-worker.js';
import { OllamaFake } from '../fakes/index.js';
import { dropDatabase, ownerClient } from '../support/database.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { aKnowledgeBase, embeddedInputs, ollamaModels, upload, waitFor, waitForDocument } from './support.js';

/** A Markdown document of `n` one-chunk sections, each with distinct text. */
const manySections = (tag: string, n: number) =>
  Array.from({ length: n }, (_, i) => `## ${tag} part ${i}\n\nParagraph ${i} of ${tag}: distinct words ${tag}-${i}-${i * 7}.\n`).join('\n');

async function vectorCounts(url: string, kbId: string) {
  const db = await ownerClient(url);
  try {
    const { rows } = await db.query(
      `SELECT (SELECT count(*)::int FROM chunks WHERE knowledge_base_id = $1) AS chunks,
              (SELECT count(*)::int FROM chunk_embeddings e JOIN chunks c ON c.id = e.chunk_id WHERE c.knowledge_base_id = $1) AS vectors,
              (SELECT count(*)::int FROM embedding_jobs j JOIN chunks c ON c.id = j.chunk_id WHERE c.knowledge_base_id = $1) AS jobs`,
      [kbId],
    );
    return rows[0] as { chunks: number; vectors: number; jobs: number };
  } finally {
    await db.end();
  }
}

describe('the embedding queue', () => {
  let fake: OllamaFake;
  beforeAll(async () => {
    fake = await new OllamaFake({ maxLoggedRequests: 100_000 }).start();
  });
  afterAll(async () => {
    await fake.close();
  });

  it('resumes unfinished work after a restart, without embedding again what was done', async () => {
    const first = await startTestApp({ env: { SEED_REGISTRY: 'false' }, keepDatabase: true });
    let second: TestApp | undefined;
    try {
      const setup = await ollamaModels(first, fake, { batch_size: 2 });
      const kb = await aKnowledgeBase(first, setup);
      fake.reset();
      fake.setBehaviour({ latencyMs: 150 });
      const res = await upload(first, kb.id, manySections('restart', 20), 'long.md', 'text/markdown');
      expect(res.body.document.progress.total).toBe(20);
      const docId = res.body.document.id;
      const midway = await waitFor('some progress', async () => {
        const doc = (await first.req('get', `/api/v1/knowledge-bases/${kb.id}/documents/${docId}`)).body;
        return doc.progress.done >= 4 ? doc : null;
      });
      expect(midway.status).toBe('indexing');
      await first.close();
      const stopped = await vectorCounts(first.databaseUrl, kb.id);
      expect(stopped.vectors).toBeGreaterThanOrEqual(4);
      expect(stopped.vectors).toBeLessThan(20);
      expect(stopped.jobs).toBe(20 - stopped.vectors);
      const sentBefore = embeddedInputs(fake).length;
      fake.setBehaviour({ latencyMs: 20 });

      second = await startTestApp({ database: { name: first.databaseName, url: first.databaseUrl } });
      const done = await waitForDocument(second, kb.id, docId);
      expect(done).toMatchObject({ status: 'indexed', progress: { done: 20, total: 20 } });
      expect(await vectorCounts(first.databaseUrl, kb.id)).toEqual({ chunks: 20, vectors: 20, jobs: 0 });
      const inputs = embeddedInputs(fake);
      expect(new Set(inputs).size).toBe(20);
      // After the restart only what had not been stored was sent: the rest of the chunks.
      expect(inputs.length - sentBefore).toBe(20 - stopped.vectors);
      // At most the batches in flight at shutdown (two loops × batch_size 2) were sent twice.
      expect(inputs.length - 20).toBeLessThanOrEqual(4);
    } finally {
      fake.reset();
      await second?.close();
      await dropDatabase(first.databaseName);
    }
  });

  it('never embeds the same chunk twice with two instances working the same queue', async () => {
    const one = await startTestApp({ env: { SEED_REGISTRY: 'false' } });
    const two = await startTestApp({ database: { name: one.databaseName, url: one.databaseUrl } });
    try {
      const setup = await ollamaModels(one, fake, { batch_size: 2 });
      const kb = await aKnowledgeBase(one, setup);
      fake.reset();
      // Slow enough that the work outlasts a poll interval, so both instances' workers claim batches.
      fake.setBehaviour({ latencyMs: 150 });
      const docs = [];
      for (const tag of ['alpha', 'beta', 'gamma', 'delta']) {
        const res = await upload(tag === 'beta' || tag === 'delta' ? two : one, kb.id, manySections(tag, 15), `${tag}.md`, 'text/markdown');
        expect(res.status).toBe(202);
        docs.push(res.body.document.id as string);
      }
      for (const id of docs) expect((await waitForDocument(one, kb.id, id)).status).toBe('indexed');
      const inputs = embeddedInputs(fake);
      expect(inputs).toHaveLength(60);
      expect(new Set(inputs).size).toBe(60);
      expect(await vectorCounts(one.databaseUrl, kb.id)).toEqual({ chunks: 60, vectors: 60, jobs: 0 });
      // Both instances took part.
      const batches = (app: TestApp) => app.app.get(EmbeddingWorker).stats.batches;
      expect(batches(one)).toBeGreaterThan(0);
      expect(batches(two)).toBeGreaterThan(0);
      expect(batches(one) + batches(two)).toBe(30);
    } finally {
      fake.reset();
      await two.close();
      await one.close();
    }
  });

  it('an idle worker looks for work without opening a transaction', async () => {
    const t = await startTestApp({ env: { SEED_REGISTRY: 'false' } });
    const db = await ownerClient(t.databaseUrl);
    // A step that finds nothing to claim ends in a ROLLBACK; nothing else in an idle app rolls back.
    const rollbacks = async () =>
      (await db.query(`SELECT xact_rollback::int AS n FROM pg_stat_database WHERE datname = $1`, [t.databaseName])).rows[0].n as number;
    try {
      // The first poll, at start, is a whole step; then the loops poll twice a second each.
      await new Promise((r) => setTimeout(r, 1_500));
      const before = await rollbacks();
      await new Promise((r) => setTimeout(r, 4_000));
      // Backends report their counts about once a second, so the start's step may still arrive
      // in this window; a step per poll would be ~16.
      expect((await rollbacks()) - before).toBeLessThanOrEqual(1);
    } finally {
      await db.end();
      await t.close();
    }
  });
});
