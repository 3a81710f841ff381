import { startFakes, type Fakes } from '../fakes/index.js';
import { aModel, aProvider } from '../support/registry.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const byId = (models: Record<string, any>[]): Record<string, any> => Object.fromEntries(models.map((m) => [m.model_id, m]));

describe('discovery and import', () => {
  let t: TestApp;
  let fakes: Fakes;

  beforeAll(async () => {
    [t, fakes] = await Promise.all([startTestApp({ env: { SEED_REGISTRY: 'false' } }), startFakes()]);
  });
  afterEach(() => fakes.reset());
  afterAll(async () => {
    await Promise.all([t.close(), fakes.close()]);
  });

  const discover = (id: string) => t.req('get', `/api/v1/providers/${id}/discover`);

  it('lists an Ollama server’s models with context length and embedding dimensions from /api/show, marking registered ones', async () => {
    const provider = await aProvider(t, { kind: 'ollama', api_base: fakes.urls.ollama });
    const registered = await aModel(t, provider.id, { model_id: 'nomic-embed-text', type: 'embedding', params: { dimensions: 768 } });
    const res = await discover(provider.id);
    expect(res.status).toBe(200);
    expect(res.body.provider).toMatchObject({ id: provider.id, kind: 'ollama' });
    const models = byId(res.body.models);
    expect(Object.keys(models).sort()).toEqual(['llama3.2:latest', 'mxbai-embed-large:latest', 'nomic-embed-text:latest']);
    expect(models['llama3.2:latest']).toMatchObject({ type: 'generation', params: { context_window: 131_072 }, registered: false });
    expect(models['mxbai-embed-large:latest']).toMatchObject({ type: 'embedding', params: { dimensions: 1024, context_window: 512 } });
    expect(models['nomic-embed-text:latest']).toMatchObject({
      type: 'embedding',
      params: { dimensions: 768 },
      registered: true,
      registered_as: [{ id: registered.id, name: registered.display_name }],
    });
    expect(fakes.ollama.requests.filter((r) => r.path === '/api/show')).toHaveLength(3);
  });

  it.each([
    ['openai', () => ({ kind: 'openai', api_base: `${fakes.urls.openai}/v1`, api_key: fakes.keys.openai }), 'text-embedding-3-large', 3072],
    ['gemini', () => ({ kind: 'gemini', api_base: `${fakes.urls.gemini}/v1beta`, api_key: fakes.keys.gemini }), 'text-embedding-004', 768],
    ['cohere', () => ({ kind: 'cohere', api_base: fakes.urls.cohere, api_key: fakes.keys.cohere }), 'embed-english-v3.0', 1024],
  ])('suggests types and known limits for %s', async (_kind, body, embedding, dimensions) => {
    const provider = await aProvider(t, body());
    const models = byId((await discover(provider.id)).body.models);
    expect(models[embedding]).toMatchObject({ type: 'embedding', params: { dimensions } });
    expect(Object.values(models).filter((m: any) => m.type === 'generation').length).toBeGreaterThanOrEqual(2);
  });

  it('uses what Anthropic reports: input and output token limits', async () => {
    const provider = await aProvider(t, { kind: 'anthropic', api_base: fakes.urls.anthropic, api_key: fakes.keys.anthropic });
    const models = byId((await discover(provider.id)).body.models);
    expect(models['claude-opus-4-1']).toMatchObject({ type: 'generation', params: { context_window: 200_000, max_output_tokens: 32_000 } });
  });

  it('imports chosen models in one audited transaction, filling type and limits from discovery', async () => {
    const provider = await aProvider(t, { kind: 'ollama', api_base: fakes.urls.ollama });
    const taken = await aModel(t, provider.id, { display_name: 'llama3.2', model_id: 'llama3.2' });
    const res = await t
      .req('post', `/api/v1/providers/${provider.id}/import`)
      .send({ models: [{ model_id: 'llama3.2' }, { model_id: 'nomic-embed-text', display_name: 'Nomic embed' }] });
    expect(res.status).toBe(201);
    expect(res.body.items).toHaveLength(2);
    expect(res.body.items[0]).toMatchObject({
      display_name: `llama3.2 (${provider.name})`,
      model_id: 'llama3.2',
      type: 'generation',
      params: { context_window: 131_072 },
    });
    expect(res.body.items[1]).toMatchObject({
      display_name: 'Nomic embed',
      type: 'embedding',
      params: { dimensions: 768, max_tokens: 2048 },
    });
    expect(taken.display_name).toBe('llama3.2');
    const created = await t.req('get', `/api/v1/audit-events?action=model.created&entity_type=model`);
    const createdIds = created.body.items.map((e: { entity_id: string }) => e.entity_id);
    for (const item of res.body.items) expect(createdIds).toContain(item.id);
    // One event per registered model, all carrying the import request's id.
    const events = created.body.items.filter((e: { entity_id: string }) =>
      res.body.items.some((m: { id: string }) => m.id === e.entity_id),
    );
    expect(new Set(events.map((e: { request_id: string }) => e.request_id))).toEqual(new Set([res.headers['x-request-id']]));
    const after = byId((await discover(provider.id)).body.models);
    expect(after['nomic-embed-text:latest'].registered).toBe(true);
  });

  it('imports all or nothing: one bad item leaves the registry as it was, and names the item', async () => {
    const provider = await aProvider(t, { kind: 'openai', api_base: `${fakes.urls.openai}/v1`, api_key: fakes.keys.openai });
    const before = (await t.req('get', `/api/v1/models?provider_id=${provider.id}`)).body.total;
    const res = await t.req('post', `/api/v1/providers/${provider.id}/import`).send({
      models: [
        { model_id: 'gpt-4o', type: 'generation', params: {} },
        { model_id: 'custom-embedder', type: 'embedding', params: {} },
      ],
    });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['models[1].params.dimensions']);
    expect((await t.req('get', `/api/v1/models?provider_id=${provider.id}`)).body.total).toBe(before);
    const stray = (await t.req('get', `/api/v1/audit-events?action=model.created`)).body.items.filter(
      (e: { request_id: string }) => e.request_id === res.headers['x-request-id'],
    );
    expect(stray).toHaveLength(0);
  });

  it('is admin-only, and an unreachable upstream is a problem with its class', async () => {
    const provider = await aProvider(t, { kind: 'openai', api_base: `${fakes.urls.openai}/v1`, api_key: fakes.keys.openai });
    const auditor = await t.userWithRole('auditor');
    expect((await t.req('get', `/api/v1/providers/${provider.id}/discover`, auditor.token)).status).toBe(403);
    expect(
      (await t.req('post', `/api/v1/providers/${provider.id}/import`, auditor.token).send({ models: [{ model_id: 'x' }] })).status,
    ).toBe(403);
    fakes.openai.enqueue({ status: 503 });
    const res = await discover(provider.id);
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ error_class: 'upstream_error', upstream_status: 503 });
  });
});
