import { OllamaFake } from '../fakes/index.js';
import { aModel } from '../support/registry.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { aKnowledgeBase, ollamaModels, upload, waitFor, waitForDocument, type KnowledgeSetup } from './support.js';

describe('knowledge bases: models they are bound to', () => {
  let t: TestApp;
  let fake: OllamaFake;
  let setup: KnowledgeSetup;

  beforeAll(async () => {
    fake = await new OllamaFake().start();
    t = await startTestApp({ env: { SEED_REGISTRY: 'false' } });
    setup = await ollamaModels(t, fake);
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  it('refuses models of the wrong type, inactive models and a taken name, with field errors', async () => {
    const inactive = await aModel(t, setup.provider.id, {
      type: 'embedding',
      model_id: 'nomic-embed-text',
      status: 'inactive',
      params: { dimensions: 768 },
    });
    const res = await t.req('post', '/api/v1/knowledge-bases').send({
      name: 'Wrong',
      embedding_model_id: setup.generation.id,
      generation_model_id: inactive.id,
      chunk_size: 100,
      chunk_overlap: 60,
    });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { field: string; code: string }) => `${e.field}:${e.code}`).sort()).toEqual([
      'chunk_overlap:too_large',
      'embedding_model_id:wrong_type',
      'generation_model_id:wrong_type',
    ]);
    const notActive = await t
      .req('post', '/api/v1/knowledge-bases')
      .send({ name: 'Inactive', embedding_model_id: inactive.id, generation_model_id: setup.generation.id });
    expect(notActive.status).toBe(422);
    expect(notActive.body.errors[0]).toMatchObject({ field: 'embedding_model_id', code: 'not_active' });
    const kb = await aKnowledgeBase(t, setup, { name: 'Unique name' });
    const taken = await t
      .req('post', '/api/v1/knowledge-bases')
      .send({ name: 'UNIQUE NAME', embedding_model_id: setup.embedding.id, generation_model_id: setup.generation.id });
    expect(taken.status).toBe(409);
    expect(taken.body.errors[0].field).toBe('name');
    const unknown = await t
      .req('post', '/api/v1/knowledge-bases')
      .send({ name: 'x', embedding_model_id: setup.embedding.id, generation_model_id: setup.generation.id, dimensions: 3 });
    expect(unknown.status).toBe(422);
    expect((await t.req('get', `/api/v1/knowledge-bases?search=unique`)).body.items.map((k: { id: string }) => k.id)).toEqual([kb.id]);
  });

  it('fixes the dimensions at creation: binding an embedding model of other dimensions is refused with 422', async () => {
    const kb = await aKnowledgeBase(t, setup);
    const bigger = await aModel(t, setup.provider.id, { type: 'embedding', model_id: 'mxbai-embed-large', params: { dimensions: 1024 } });
    const res = await t
      .req('patch', `/api/v1/knowledge-bases/${kb.id}`)
      .send({ embedding_model_id: bigger.id, name: 'Renamed in the same request' });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'embedding_model_id', code: 'dimension_mismatch' })]);
    expect(res.body.errors[0].message).toMatch(/1024 dimensions and this knowledge base 768.*reembed/);
    const after = await t.req('get', `/api/v1/knowledge-bases/${kb.id}`);
    expect(after.body).toMatchObject({ name: kb.name, dimensions: 768, embedding_model: { id: setup.embedding.id }, reembed: null });
  });

  it('switches to another model of the same dimensions only by re-embedding, then cuts over', async () => {
    const kb = await aKnowledgeBase(t, setup);
    const doc = await upload(t, kb.id, 'Alpha paragraph about onboarding.\n\nBeta paragraph about offboarding.', 'notes.txt', 'text/plain');
    await waitForDocument(t, kb.id, doc.body.document.id);
    const twin = await aModel(t, setup.provider.id, {
      type: 'embedding',
      model_id: 'nomic-embed-text',
      params: { dimensions: 768, distance_metric: 'dot' },
    });
    const res = await t.req('patch', `/api/v1/knowledge-bases/${kb.id}`).send({ embedding_model_id: twin.id });
    expect(res.status).toBe(200);
    expect(res.body.embedding_model.id).toBe(setup.embedding.id);
    expect(res.body.reembed).toMatchObject({ status: 'building', embedding_model: { id: twin.id }, dimensions: 768 });
    const switched = await waitFor('cut-over', async () => {
      const body = (await t.req('get', `/api/v1/knowledge-bases/${kb.id}`)).body;
      return body.embedding_model.id === twin.id ? body : null;
    });
    expect(switched).toMatchObject({ reembed: null, distance_metric: 'dot', dimensions: 768 });
  });

  it('refuses (409) deleting or deprecating a model a knowledge base uses, naming the knowledge bases', async () => {
    const own = await ollamaModels(t, fake);
    const first = await aKnowledgeBase(t, own, { name: 'Support articles' });
    const second = await aKnowledgeBase(t, own, { name: 'HR policies' });
    for (const model of [own.embedding, own.generation]) {
      const res = await t.req('delete', `/api/v1/models/${model.id}`);
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('model.in_use');
      expect(res.body.detail).toContain('knowledge bases HR policies, Support articles');
      expect(res.body.dependents.knowledge_bases.map((k: { name: string }) => k.name)).toEqual(['HR policies', 'Support articles']);
      const deps = await t.req('get', `/api/v1/models/${model.id}/dependents`);
      expect(deps.body).toMatchObject({
        blocks_delete: true,
        knowledge_bases: [
          { id: second.id, name: 'HR policies' },
          { id: first.id, name: 'Support articles' },
        ],
      });
    }
    const deprecate = await t.req('patch', `/api/v1/models/${own.embedding.id}`).send({ status: 'deprecated' });
    expect(deprecate.status).toBe(409);
    expect(deprecate.body.detail).toMatch(/Cannot deprecate: in use by knowledge bases HR policies, Support articles/);
    const bulk = await t.req('post', '/api/v1/models/bulk').send({ action: 'deprecate', ids: [own.generation.id] });
    expect(bulk.status).toBe(409);
    expect((await t.req('get', `/api/v1/models/${own.generation.id}`)).body.status).toBe('active');
    const provider = await t.req('delete', `/api/v1/providers/${own.provider.id}?cascade=models`);
    expect(provider.status).toBe(409);
    expect(provider.body.detail).toContain('Support articles');
    const providerDeps = await t.req('get', `/api/v1/providers/${own.provider.id}/dependents`);
    expect(providerDeps.body.knowledge_bases.map((k: { name: string }) => k.name)).toEqual(['HR policies', 'Support articles']);

    expect((await t.req('delete', `/api/v1/knowledge-bases/${first.id}`)).status).toBe(204);
    expect((await t.req('delete', `/api/v1/knowledge-bases/${second.id}`)).status).toBe(204);
    expect((await t.req('delete', `/api/v1/models/${own.embedding.id}`)).status).toBe(204);
  });

  it('deletes a knowledge base with its documents; its conversations stay without it; every change is audited', async () => {
    const kb = await aKnowledgeBase(t, setup);
    const doc = await upload(t, kb.id, 'Something worth keeping.', 'keep.txt', 'text/plain');
    await waitForDocument(t, kb.id, doc.body.document.id);
    const conversation = await t.req('post', '/api/v1/conversations').send({ knowledge_base_id: kb.id });
    expect(conversation.status).toBe(201);
    expect(conversation.body).toMatchObject({ knowledge_base_id: kb.id, model_id: setup.generation.id });
    const renamed = await t.req('patch', `/api/v1/knowledge-bases/${kb.id}`).send({ name: 'Renamed KB', description: 'about things' });
    expect(renamed.status).toBe(200);
    expect((await t.req('delete', `/api/v1/knowledge-bases/${kb.id}`)).status).toBe(204);
    expect((await t.req('get', `/api/v1/knowledge-bases/${kb.id}`)).status).toBe(404);
    expect((await t.req('get', `/api/v1/conversations/${conversation.body.id}`)).body.knowledge_base_id).toBeNull();
    const events = await t.req('get', `/api/v1/audit-events?entity_id=${kb.id}`);
    const actions = events.body.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['knowledge_base.created', 'knowledge_base.updated', 'knowledge_base.deleted']));
    const update = events.body.items.find((e: { action: string }) => e.action === 'knowledge_base.updated');
    expect(update.changes).toEqual({
      name: { before: kb.name, after: 'Renamed KB' },
      description: { before: null, after: 'about things' },
    });
    const docEvents = await t.req('get', `/api/v1/audit-events?entity_id=${doc.body.document.id}`);
    expect(docEvents.body.items.map((e: { action: string }) => e.action).sort()).toEqual(['document.indexed', 'document.uploaded']);
  });
});
