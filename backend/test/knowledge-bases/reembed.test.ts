import { OllamaFake } from '../fakes/index.js';
import { ownerClient } from '../support/database.js';
import { aModel } from '../support/registry.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { aKnowledgeBase, ollamaModels, upload, waitFor, waitForDocument, type KnowledgeSetup } from './support.js';

const sectionText = (i: number) => `Topic ${i} explains procedure number ${i} in detail, with steps and owners for case ${i}.`;

describe('re-embedding onto another embedding model', () => {
  let t: TestApp;
  let fake: OllamaFake;
  let setup: KnowledgeSetup;

  beforeAll(async () => {
    fake = await new OllamaFake().start();
    t = await startTestApp({ env: { SEED_REGISTRY: 'false' } });
    setup = await ollamaModels(t, fake, { batch_size: 2 });
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  it('builds the new index beside the old one while searches keep working, cuts over atomically, then drops the old vectors', async () => {
    const kb = await aKnowledgeBase(t, setup);
    const markdown = Array.from({ length: 12 }, (_, i) => `## Section ${i}\n\n${sectionText(i)}\n`).join('\n');
    const doc = await upload(t, kb.id, markdown, 'procedures.md', 'text/markdown');
    await waitForDocument(t, kb.id, doc.body.document.id);
    const large = await aModel(t, setup.provider.id, {
      type: 'embedding',
      model_id: 'mxbai-embed-large',
      params: { dimensions: 1024, batch_size: 2 },
    });

    // Slow embeddings so the build takes a while and many searches overlap it.
    fake.setBehaviour({ latencyMs: 60 });
    const started = await t.req('post', `/api/v1/knowledge-bases/${kb.id}/reembed`).send({ embedding_model_id: large.id });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ dimensions: 768, embedding_model: { id: setup.embedding.id } });
    expect(started.body.reembed).toMatchObject({ status: 'building', dimensions: 1024, total: 12 });

    const query = `Section 7\n\n${sectionText(7)}`;
    const seen: { model: string; status: number; top: any }[] = [];
    let stop = false;
    const searching = (async () => {
      while (!stop) {
        const res = await t.req('post', `/api/v1/knowledge-bases/${kb.id}/search`).send({ query, top_k: 3 });
        seen.push({ model: res.body.embedding_model_id, status: res.status, top: res.body.items?.[0] });
      }
    })();
    const progress: number[] = [];
    const switched = await waitFor(
      'cut-over',
      async () => {
        const body = (await t.req('get', `/api/v1/knowledge-bases/${kb.id}`)).body;
        if (body.reembed) progress.push(body.reembed.done);
        return body.embedding_model.id === large.id ? body : null;
      },
      30_000,
    );
    // Searches after the cut-over use the new index.
    const after = seen.length;
    await waitFor('searches after the cut-over', async () => seen.length >= after + 3);
    stop = true;
    await searching;
    fake.reset();

    expect(switched).toMatchObject({ dimensions: 1024, reembed: null, documents: { indexed: 1 } });
    expect(progress.some((n) => n > 0 && n < 12)).toBe(true);
    expect(seen.every((s) => s.status === 200)).toBe(true);
    // The query is the chunk's exact embedded text, so a search that compared vectors of one model
    // with a query of the other (or mixed indexes) could not find it with similarity 1.
    for (const s of seen) {
      expect([setup.embedding.id, large.id]).toContain(s.model);
      expect(s.top).toMatchObject({ anchor: 'section-7', vector_rank: 1 });
      expect(s.top.similarity).toBeCloseTo(1, 5);
    }
    const models = seen.map((s) => s.model);
    expect(models[0]).toBe(setup.embedding.id);
    expect(models.at(-1)).toBe(large.id);
    // Never back to the old model once the new one answered.
    expect(models.slice(models.indexOf(large.id)).every((m) => m === large.id)).toBe(true);

    const db = await ownerClient(t.databaseUrl);
    try {
      await waitFor('old vectors dropped', async () => {
        const { rows } = await db.query(
          `SELECT ix.status, count(e.chunk_id)::int AS n FROM embedding_indexes ix LEFT JOIN chunk_embeddings e ON e.index_id = ix.id
            WHERE ix.knowledge_base_id = $1 GROUP BY ix.id, ix.status`,
          [kb.id],
        );
        return rows.length === 1 && rows[0].status === 'active' && rows[0].n === 12;
      });
    } finally {
      await db.end();
    }
    const events = await t.req('get', `/api/v1/audit-events?entity_id=${kb.id}`);
    expect(events.body.items.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['knowledge_base.reembed_started', 'knowledge_base.reembedded', 'knowledge_base.index_dropped']),
    );
    const cut = events.body.items.find((e: { action: string }) => e.action === 'knowledge_base.reembedded');
    expect(cut.changes).toEqual({
      embedding_model_id: { before: setup.embedding.id, after: large.id },
      dimensions: { before: 768, after: 1024 },
    });
    // The old model is free again; the new one is bound.
    expect(
      (await t.req('get', `/api/v1/models/${setup.embedding.id}/dependents`)).body.knowledge_bases.map((k: { id: string }) => k.id),
    ).not.toContain(kb.id);
    expect((await t.req('delete', `/api/v1/models/${large.id}`)).status).toBe(409);
  });

  it('keeps uploads made during a re-embed in both indexes, and can be cancelled', async () => {
    const kb = await aKnowledgeBase(t, setup);
    await waitForDocument(t, kb.id, (await upload(t, kb.id, 'First document text.', 'one.txt', 'text/plain')).body.document.id);
    const large = await aModel(t, setup.provider.id, { type: 'embedding', model_id: 'mxbai-embed-large', params: { dimensions: 1024 } });
    // Slow enough that the re-embed is surely still running when the second one is asked for.
    fake.setBehaviour({ latencyMs: 2_000 });
    await t.req('post', `/api/v1/knowledge-bases/${kb.id}/reembed`).send({ embedding_model_id: large.id });
    const other = await aModel(t, setup.provider.id, {
      type: 'embedding',
      model_id: 'nomic-embed-text',
      params: { dimensions: 768, batch_size: 1 },
    });
    const conflict = await t.req('post', `/api/v1/knowledge-bases/${kb.id}/reembed`).send({ embedding_model_id: other.id });
    expect(conflict.status).toBe(409);
    const second = await upload(t, kb.id, 'Second document, uploaded mid-way.', 'two.txt', 'text/plain');
    fake.reset();
    await waitFor('cut-over', async () => (await t.req('get', `/api/v1/knowledge-bases/${kb.id}`)).body.embedding_model.id === large.id);
    expect((await t.req('get', `/api/v1/knowledge-bases/${kb.id}/documents/${second.body.document.id}`)).body.status).toBe('indexed');
    const found = await t
      .req('post', `/api/v1/knowledge-bases/${kb.id}/search`)
      .send({ query: 'Second document, uploaded mid-way.', top_k: 1 });
    expect(found.body.items[0]).toMatchObject({ document_id: second.body.document.id, vector_rank: 1 });

    const more = Array.from({ length: 6 }, (_, i) => `## Part ${i}\n\n${sectionText(i)}\n`).join('\n');
    await waitForDocument(t, kb.id, (await upload(t, kb.id, more, 'more.md', 'text/markdown')).body.document.id);
    // Eight chunks one at a time, two in flight: the cancel lands long before the end.
    fake.setBehaviour({ latencyMs: 500 });
    expect((await t.req('post', `/api/v1/knowledge-bases/${kb.id}/reembed`).send({ embedding_model_id: other.id })).status).toBe(202);
    const cancelled = await t.req('delete', `/api/v1/knowledge-bases/${kb.id}/reembed`);
    expect(cancelled.body).toEqual({});
    expect(cancelled.status).toBe(204);
    fake.reset();
    const body = (await t.req('get', `/api/v1/knowledge-bases/${kb.id}`)).body;
    expect(body).toMatchObject({ reembed: null, embedding_model: { id: large.id }, dimensions: 1024 });
    expect((await t.req('delete', `/api/v1/knowledge-bases/${kb.id}/reembed`)).status).toBe(404);
  });
});
