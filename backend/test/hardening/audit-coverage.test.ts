import { readFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { OllamaFake } from '../fakes/index.js';
import { aModel, aProvider } from '../support/registry.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import type { OpenApiDoc } from './support/openapi-arbitraries.js';

interface Call {
  method: string;
  path: string;
  body?: unknown;
  token?: string;
  /** A multipart upload instead of a JSON body. */
  file?: { field: string; name: string; type: string; content: string };
  /** Events this one request writes when it changes more than one thing (default 1). */
  events?: number;
}

type Fixture = (t: TestApp, ctx: Context) => Promise<Call>;

interface Context {
  ollama: OllamaFake;
  member: { id: string; token: string; password: string; email: string };
  embedding: Record<string, any>;
  otherEmbedding: Record<string, any>;
  generation: Record<string, any>;
}

const aKnowledgeBase = async (t: TestApp, ctx: Context) =>
  (
    await t
      .req('post', '/api/v1/knowledge-bases')
      .send({ name: `KB ${Date.now()}-${Math.random()}`, embedding_model_id: ctx.embedding.id, generation_model_id: ctx.generation.id })
  ).body as { id: string };

const aDocument = async (t: TestApp, kbId: string) =>
  (
    await t
      .req('post', `/api/v1/knowledge-bases/${kbId}/documents`)
      .attach('file', Buffer.from(`# Notes ${Math.random()}\n\nSome text worth finding.`), {
        filename: 'notes.md',
        contentType: 'text/markdown',
      })
  ).body.document as { id: string };

/**
 * Operations that change nothing the audit trail covers. Each is listed on purpose: a new POST,
 * PUT, PATCH or DELETE is either here or has a fixture below, or this test fails.
 */
const NOT_AUDITED: Record<string, string> = {
  testProviderSettings: 'tests unsaved settings; stores nothing',
  searchKnowledgeBase: 'a query: reads the index, changes nothing',
  createChatCompletion: 'a model call: recorded in usage, not a change to managed state',
  createEmbeddings: 'a model call: recorded in usage, not a change to managed state',
};

const FIXTURES: Record<string, Fixture> = {
  login: async () => ({
    method: 'post',
    path: '/api/v1/auth/login',
    body: { email: 'admin@test.local', password: 'admin-password-for-tests' },
    token: '',
  }),
  refresh: async (t) => {
    const session = await t.http().post('/api/v1/auth/login').send({ email: 'admin@test.local', password: 'admin-password-for-tests' });
    return { method: 'post', path: '/api/v1/auth/refresh', body: { refresh_token: session.body.refresh_token }, token: '' };
  },
  logout: async (t) => {
    const session = await t.http().post('/api/v1/auth/login').send({ email: 'admin@test.local', password: 'admin-password-for-tests' });
    return {
      method: 'post',
      path: '/api/v1/auth/logout',
      body: { refresh_token: session.body.refresh_token },
      token: session.body.access_token,
    };
  },
  changePassword: async (_t, { member }) => {
    const next = `${member.password}-2`;
    const fixture = {
      method: 'put',
      path: '/api/v1/auth/me/password',
      body: { current_password: member.password, new_password: next },
      token: member.token,
    };
    member.password = next;
    return fixture;
  },
  createUser: async () => ({
    method: 'post',
    path: '/api/v1/users',
    body: { email: `u${Date.now()}@test.local`, display_name: 'U', role: 'member', password: 'a-long-enough-password' },
  }),
  updateUser: async (t) => ({
    method: 'patch',
    path: `/api/v1/users/${(await t.userWithRole('member')).id}`,
    body: { display_name: 'Renamed' },
  }),
  deleteUser: async (t) => ({ method: 'delete', path: `/api/v1/users/${(await t.userWithRole('member')).id}` }),
  createApiKey: async () => ({ method: 'post', path: '/api/v1/api-keys', body: { name: 'k' } }),
  revokeApiKey: async (t) => ({
    method: 'delete',
    path: `/api/v1/api-keys/${(await t.req('post', '/api/v1/api-keys').send({ name: 'r' })).body.id}`,
  }),
  putSetting: async () => ({
    method: 'put',
    path: '/api/v1/settings/upstream.max_retries',
    body: { value: Math.floor(Math.random() * 5) + 3 },
  }),
  createProvider: async () => ({
    method: 'post',
    path: '/api/v1/providers',
    body: { name: `P ${Date.now()}`, kind: 'ollama', api_base: 'http://localhost:11434' },
  }),
  updateProvider: async (t) => ({ method: 'patch', path: `/api/v1/providers/${(await aProvider(t)).id}`, body: { limits: { rpm: 10 } } }),
  deleteProvider: async (t) => ({ method: 'delete', path: `/api/v1/providers/${(await aProvider(t)).id}` }),
  testProvider: async (t, { ollama }) => ({
    method: 'post',
    path: `/api/v1/providers/${(await aProvider(t, { api_base: ollama.url })).id}/test`,
    body: {},
  }),
  importProviderModels: async (t, { ollama }) => ({
    method: 'post',
    path: `/api/v1/providers/${(await aProvider(t, { api_base: ollama.url })).id}/import`,
    body: { models: [{ model_id: 'llama3.2' }] },
  }),
  createModel: async (t) => {
    // The first active model of a type also becomes its default: created, then default_changed.
    const firstOfType = (await t.req('get', '/api/v1/models?type=ner')).body.total === 0;
    return {
      method: 'post',
      path: '/api/v1/models',
      body: { provider_id: (await aProvider(t)).id, display_name: `M ${Date.now()}`, model_id: 'm', type: 'ner' },
      events: firstOfType ? 2 : 1,
    };
  },
  updateModel: async (t) => ({
    method: 'patch',
    path: `/api/v1/models/${(await aModel(t, (await aProvider(t)).id, { type: 'ner' })).id}`,
    body: { description: 'changed' },
  }),
  deleteModel: async (t) => {
    const provider = await aProvider(t);
    await aModel(t, provider.id, { type: 'ner' });
    return { method: 'delete', path: `/api/v1/models/${(await aModel(t, provider.id, { type: 'ner' })).id}` };
  },
  setDefaultModel: async (t) => ({
    method: 'put',
    path: `/api/v1/models/${(await aModel(t, (await aProvider(t)).id, { type: 'ner' })).id}/default`,
  }),
  bulkUpdateModels: async (t) => ({
    method: 'post',
    path: '/api/v1/models/bulk',
    body: { action: 'deactivate', ids: [(await aModel(t, (await aProvider(t)).id, { type: 'ner' })).id] },
  }),
  testModel: async (t, { ollama }) => ({
    method: 'post',
    path: `/api/v1/models/${(await aModel(t, (await aProvider(t, { api_base: ollama.url })).id, { model_id: 'llama3.2' })).id}/test`,
    body: {},
  }),
  importLitellmConfig: async (t) => {
    const provider = await aProvider(t);
    const yaml = `model_list:\n  - model_name: imported-${Date.now()}\n    litellm_params:\n      model: ollama_chat/x\n      api_base: http://localhost:11434\n    model_info:\n      switchboard:\n        provider: ${provider.name}\n        provider_kind: ollama\n        type: ner\n`;
    return { method: 'post', path: '/api/v1/import/litellm-config', body: { yaml } };
  },
  createConversation: async (_t, { member }) => ({ method: 'post', path: '/api/v1/conversations', body: {}, token: member.token }),
  updateConversation: async (t, { member }) => ({
    method: 'patch',
    path: `/api/v1/conversations/${(await t.req('post', '/api/v1/conversations', member.token).send({})).body.id}`,
    body: { title: 'x' },
    token: member.token,
  }),
  deleteConversation: async (t, { member }) => ({
    method: 'delete',
    path: `/api/v1/conversations/${(await t.req('post', '/api/v1/conversations', member.token).send({})).body.id}`,
    token: member.token,
  }),
  createKnowledgeBase: async (_t, ctx) => ({
    method: 'post',
    path: '/api/v1/knowledge-bases',
    body: { name: `KB ${Date.now()}`, embedding_model_id: ctx.embedding.id, generation_model_id: ctx.generation.id },
  }),
  updateKnowledgeBase: async (t, ctx) => ({
    method: 'patch',
    path: `/api/v1/knowledge-bases/${(await aKnowledgeBase(t, ctx)).id}`,
    body: { description: 'changed' },
  }),
  deleteKnowledgeBase: async (t, ctx) => ({ method: 'delete', path: `/api/v1/knowledge-bases/${(await aKnowledgeBase(t, ctx)).id}` }),
  uploadDocument: async (t, ctx) => ({
    method: 'post',
    path: `/api/v1/knowledge-bases/${(await aKnowledgeBase(t, ctx)).id}/documents`,
    file: { field: 'file', name: 'a.md', type: 'text/markdown', content: `# A ${Date.now()}\n\nText.` },
  }),
  deleteDocument: async (t, ctx) => {
    const kb = await aKnowledgeBase(t, ctx);
    return { method: 'delete', path: `/api/v1/knowledge-bases/${kb.id}/documents/${(await aDocument(t, kb.id)).id}` };
  },
  retryDocument: async (t, ctx) => {
    const kb = await aKnowledgeBase(t, ctx);
    ctx.ollama.setBehaviour({ status: 400 });
    const doc = await aDocument(t, kb.id);
    for (let i = 0; i < 100; i++) {
      if ((await t.req('get', `/api/v1/knowledge-bases/${kb.id}/documents/${doc.id}`)).body.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    ctx.ollama.setBehaviour({});
    return { method: 'post', path: `/api/v1/knowledge-bases/${kb.id}/documents/${doc.id}/retry` };
  },
  reembedKnowledgeBase: async (t, ctx) => ({
    method: 'post',
    path: `/api/v1/knowledge-bases/${(await aKnowledgeBase(t, ctx)).id}/reembed`,
    body: { embedding_model_id: ctx.otherEmbedding.id },
  }),
  cancelReembed: async (t, ctx) => {
    const kb = await aKnowledgeBase(t, ctx);
    await aDocument(t, kb.id);
    ctx.ollama.setBehaviour({ latencyMs: 2000 });
    await t.req('post', `/api/v1/knowledge-bases/${kb.id}/reembed`).send({ embedding_model_id: ctx.otherEmbedding.id });
    // Cancelling stops the build, then drops the half-built index: two changes, two events.
    return { method: 'delete', path: `/api/v1/knowledge-bases/${kb.id}/reembed`, events: 2 };
  },
  sendMessage: async (t, { member }) => ({
    method: 'post',
    path: `/api/v1/conversations/${(await t.req('post', '/api/v1/conversations', member.token).send({})).body.id}/messages`,
    body: { content: 'hello' },
    token: member.token,
  }),
};

describe('every state-changing operation writes exactly one audit event', () => {
  const doc = JSON.parse(readFileSync(new URL('../../../openapi.json', import.meta.url), 'utf8')) as OpenApiDoc;
  const changing = Object.values(doc.paths).flatMap((methods) =>
    Object.entries(methods)
      .filter(([method]) => ['post', 'put', 'patch', 'delete'].includes(method))
      .map(([, op]) => op.operationId),
  );
  let t: TestApp;
  let ctx: Context;
  const tally = { operations: 0, failures: 0 };

  beforeAll(async () => {
    const ollama = await new OllamaFake().start();
    t = await startTestApp({ env: { SEED_REGISTRY: 'false' } });
    const provider = await aProvider(t, { api_base: ollama.url });
    const generation = await aModel(t, provider.id, { display_name: 'chat-default', model_id: 'llama3.2' });
    const embedding = await aModel(t, provider.id, { model_id: 'nomic-embed-text', type: 'embedding', params: { dimensions: 768 } });
    const otherEmbedding = await aModel(t, provider.id, {
      model_id: 'nomic-embed-text-v2',
      type: 'embedding',
      params: { dimensions: 768 },
    });
    ctx = { ollama, member: { ...(await t.userWithRole('member')), email: '' }, embedding, otherEmbedding, generation };
  });
  afterAll(async () => {
    process.stdout.write(`audit coverage: operations=${tally.operations} failures=${tally.failures}\n`);
    await t.close();
    await ctx.ollama.close();
  });

  it('has a fixture (or a stated reason) for every POST, PUT, PATCH and DELETE in openapi.json', () => {
    const uncovered = changing.filter((id) => !FIXTURES[id] && !NOT_AUDITED[id]);
    expect(uncovered).toEqual([]);
    expect(Object.keys(FIXTURES).filter((id) => !changing.includes(id))).toEqual([]);
  });

  it('writes one success event per thing a successful operation changes, tagged with its request id', async () => {
    const dataSource = t.app.get(DataSource);
    const failures: string[] = [];
    const eventsOf = async (requestId: string) =>
      Number(
        (
          await dataSource.query(`SELECT count(*)::int AS n FROM audit_events WHERE outcome = 'success' AND request_id = $1`, [requestId])
        )[0].n,
      );
    for (const id of changing.filter((op) => FIXTURES[op])) {
      tally.operations++;
      const fixture = await FIXTURES[id](t, ctx);
      const call = t.http()[fixture.method as 'post'](fixture.path);
      if (fixture.token !== '') call.set('authorization', `Bearer ${fixture.token ?? t.adminToken}`);
      const res = fixture.file
        ? await call.attach(fixture.file.field, Buffer.from(fixture.file.content), {
            filename: fixture.file.name,
            contentType: fixture.file.type,
          })
        : await call.send(fixture.body as object);
      const written = await eventsOf(String(res.headers['x-request-id']));
      if (res.status >= 400) failures.push(`${id}: fixture failed with ${res.status} ${res.text.slice(0, 200)}`);
      else if (written !== (fixture.events ?? 1)) failures.push(`${id}: ${written} audit events`);
    }
    tally.failures = failures.length;
    expect(failures).toEqual([]);
  });
});
