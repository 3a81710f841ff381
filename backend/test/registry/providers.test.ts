import { DataSource } from 'typeorm';
import { aModel, aProvider, fieldsOf } from '../support/registry.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('providers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { SEED_REGISTRY: 'false' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('publishes the kind spec the API validates against', async () => {
    const res = await t.req('get', '/api/v1/providers/kinds');
    expect(res.status).toBe(200);
    const byKind = Object.fromEntries(res.body.map((k: { kind: string }) => [k.kind, k]));
    expect(Object.keys(byKind).sort()).toEqual([
      'anthropic',
      'azure',
      'cohere',
      'gemini',
      'litellm',
      'ollama',
      'openai',
      'openai_compatible',
    ]);
    expect(byKind.ollama).toMatchObject({ api_base: { requirement: 'required' }, api_key: { requirement: 'optional' } });
    expect(byKind.azure).toMatchObject({ api_key: { requirement: 'required' }, api_version: { requirement: 'required' } });
    expect(byKind.anthropic.model_types).toEqual(['generation', 'ner']);
  });

  it.each([
    [{ kind: 'openai' }, ['api_key']],
    [{ kind: 'azure', api_key: 'k-123456' }, ['api_base']],
    [{ kind: 'ollama' }, ['api_base']],
    [{ kind: 'anthropic', api_key: 'k-123456', api_version: '2024-10-21' }, ['api_version']],
    [{ kind: 'anthropic', api_key: 'k-123456', config: { organization: 'org-1' } }, ['config.organization']],
    [{ kind: 'openai', api_key: 'k', config: { nonsense: 1 } }, ['config.nonsense']],
    [{ kind: 'openai', api_key: 'k', api_base: 'ftp://x' }, ['api_base']],
    [{ kind: 'openai', api_key: 'k', limits: { rpm: 0 } }, ['limits.rpm']],
    [{ kind: 'openai', api_key: 'k', limits: { max_concurrency: 0 } }, ['limits.max_concurrency']],
    [{ kind: 'openai', api_key: 'k', limits: { max_concurrency: 100_001 } }, ['limits.max_concurrency']],
    [{ kind: 'openai', api_key: 'k', limits: { max_concurrency: 2.5 } }, ['limits.max_concurrency']],
    [{ kind: 'openai', api_key: 'k', limits: { tpm: 0 } }, ['limits.tpm']],
    [{ kind: 'openai', api_key: 'k', limits: { tpm: 1_000_000_001 } }, ['limits.tpm']],
    [{ kind: 'openai', api_key: 'k', config: { timeout_ms: 999 } }, ['config.timeout_ms']],
    [{ kind: 'openai', api_key: 'k', config: { timeout_ms: 600_001 } }, ['config.timeout_ms']],
    [{ kind: 'openai', api_key: 'k', config: { timeout_ms: '30000' } }, ['config.timeout_ms']],
    [{ kind: 'gopher' }, ['kind']],
  ])('refuses %j with field errors %j', async (body, fields) => {
    const res = await t.req('post', '/api/v1/providers').send({ name: `Bad ${Math.random()}`, ...body });
    expect(res.status).toBe(422);
    expect(fieldsOf(res.body)).toEqual(fields);
  });

  it('refuses credential-looking extra headers and sends them to api_key instead', async () => {
    const res = await t.req('post', '/api/v1/providers').send({
      name: 'Headers',
      kind: 'openai',
      api_key: 'sk-real-key-0001',
      config: { extra_headers: { 'x-team': 'search', Authorization: 'Bearer abc', 'x-custom': 'sk-live-0123456789' } },
    });
    expect(res.status).toBe(422);
    expect(fieldsOf(res.body)).toEqual(['config.extra_headers.Authorization', 'config.extra_headers.x-custom']);
    expect(res.body.errors[0].message).toMatch(/api_key/);
  });

  it('stores the key encrypted, returns only has_api_key and the last four, and keeps it on updates that omit it', async () => {
    const created = await aProvider(t, { kind: 'openai', api_key: 'sk-test-secret-abcd' });
    expect(created).toMatchObject({ has_api_key: true, api_key_last4: 'abcd', effective_api_base: 'https://api.openai.com/v1' });
    expect(JSON.stringify(created)).not.toContain('sk-test-secret');
    const renamed = await t.req('patch', `/api/v1/providers/${created.id}`).send({ name: `${created.name} renamed` });
    expect(renamed.body).toMatchObject({ has_api_key: true, api_key_last4: 'abcd' });
    const cleared = await t.req('patch', `/api/v1/providers/${created.id}`).send({ api_key: null, status: 'inactive' });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ has_api_key: false, api_key_last4: null });
    const activateWithoutKey = await t.req('patch', `/api/v1/providers/${created.id}`).send({ status: 'active' });
    expect(activateWithoutKey.status).toBe(422);
    expect(fieldsOf(activateWithoutKey.body)).toEqual(['api_key']);
  });

  it('accepts limits and timeouts at their bounds', async () => {
    const low = await aProvider(t, { kind: 'openai', api_key: 'k', limits: { max_concurrency: 1, tpm: 1 }, config: { timeout_ms: 1000 } });
    expect(low).toMatchObject({ limits: { max_concurrency: 1, tpm: 1 }, config: { timeout_ms: 1000 } });
    const high = await t.req('patch', `/api/v1/providers/${low.id}`).send({
      limits: { max_concurrency: 100_000, tpm: 1_000_000_000 },
      config: { timeout_ms: 600_000 },
    });
    expect(high.status).toBe(200);
    expect(high.body).toMatchObject({ limits: { max_concurrency: 100_000, tpm: 1_000_000_000 }, config: { timeout_ms: 600_000 } });
    const tooHigh = await t.req('patch', `/api/v1/providers/${low.id}`).send({ limits: { tpm: 1_000_000_001 } });
    expect(tooHigh.status).toBe(422);
    expect(fieldsOf(tooHigh.body)).toEqual(['limits.tpm']);
  });

  it('fills in the Azure api_version default when it is omitted or cleared', async () => {
    const spec = (await t.req('get', '/api/v1/providers/kinds')).body.find((k: { kind: string }) => k.kind === 'azure');
    expect(spec.api_version.default).toBe('2024-10-21');
    const azure = await aProvider(t, { kind: 'azure', api_base: 'https://res.openai.azure.com', api_key: 'azure-key-000000001' });
    expect(azure.api_version).toBe('2024-10-21');
    const pinned = await t.req('patch', `/api/v1/providers/${azure.id}`).send({ api_version: '2025-01-01-preview' });
    expect(pinned.body.api_version).toBe('2025-01-01-preview');
    const cleared = await t.req('patch', `/api/v1/providers/${azure.id}`).send({ api_version: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body.api_version).toBe('2024-10-21');
    // Kinds without an api_version still refuse one.
    const openai = await t
      .req('post', '/api/v1/providers')
      .send({ name: 'No version', kind: 'openai', api_key: 'k', api_version: '2024-10-21' });
    expect(fieldsOf(openai.body)).toEqual(['api_version']);
  });

  it('shows no part of a key shorter than 12 characters, in responses or the audit trail', async () => {
    const short = await aProvider(t, { kind: 'openai', api_key: 'sk-shortk' });
    expect(short).toMatchObject({ has_api_key: true, api_key_last4: null });
    const twelve = await t.req('patch', `/api/v1/providers/${short.id}`).send({ api_key: 'sk-twelve-ab' });
    expect(twelve.body).toMatchObject({ has_api_key: true, api_key_last4: 'e-ab' });
    const again = await t.req('patch', `/api/v1/providers/${short.id}`).send({ api_key: 'tiny' });
    expect(again.body).toMatchObject({ has_api_key: true, api_key_last4: null });
    const other = await t.req('patch', `/api/v1/providers/${short.id}`).send({ api_key: 'tin2' });
    expect(other.body.api_key_last4).toBeNull();
    const events = await t.req('get', `/api/v1/audit-events?entity_type=provider&entity_id=${short.id}`);
    expect(events.body.items.map((e: { changes: { api_key: unknown } }) => e.changes.api_key)).toEqual([
      // A replaced key is recorded even when both masks look alike.
      { before: '****', after: '****' },
      { before: '****e-ab', after: '****' },
      { before: '****', after: '****e-ab' },
      { after: '****' },
    ]);
    expect(JSON.stringify(events.body)).not.toMatch(/shortk|tiny|tin2|twelve/);
  });

  it('writes different ciphertexts for the same key and never the key itself', async () => {
    const a = await aProvider(t, { kind: 'openai', api_key: 'sk-same-key-1234' });
    const b = await aProvider(t, { kind: 'openai', api_key: 'sk-same-key-1234' });
    const rows = await t.app.get(DataSource).query('SELECT api_key_ciphertext AS c FROM providers WHERE id = ANY($1)', [[a.id, b.id]]);
    expect(rows).toHaveLength(2);
    expect(rows[0].c).not.toBe(rows[1].c);
    for (const r of rows) expect(r.c).not.toContain('sk-same-key');
  });

  it('never sends a stored key to a new endpoint unless told to', async () => {
    const p = await aProvider(t, { kind: 'openai_compatible', api_base: 'http://10.0.0.5:8000/v1', api_key: 'vllm-key-7777' });
    const moved = await t.req('patch', `/api/v1/providers/${p.id}`).send({ api_base: 'http://10.0.0.6:8000/v1' });
    expect(moved.status).toBe(422);
    expect(moved.body.errors[0]).toMatchObject({ field: 'api_key', code: 'key_reentry_required' });
    const sameHost = await t.req('patch', `/api/v1/providers/${p.id}`).send({ api_base: 'http://10.0.0.5:8000/v1/' });
    expect(sameHost.status).toBe(200);
    const kept = await t.req('patch', `/api/v1/providers/${p.id}`).send({ api_base: 'http://10.0.0.6:8000/v1', keep_api_key: true });
    expect(kept.body).toMatchObject({ api_base: 'http://10.0.0.6:8000/v1', has_api_key: true });
    const reentered = await t
      .req('patch', `/api/v1/providers/${p.id}`)
      .send({ api_base: 'http://10.0.0.7:8000/v1', api_key: 'new-key-8888' });
    expect(reentered.body).toMatchObject({ api_key_last4: '8888' });
  });

  it('409s a duplicate name (case-insensitive)', async () => {
    const p = await aProvider(t);
    const dup = await t
      .req('post', '/api/v1/providers')
      .send({ name: p.name.toUpperCase(), kind: 'ollama', api_base: 'http://localhost:11434' });
    expect(dup.status).toBe(409);
    expect(fieldsOf(dup.body)).toEqual(['name']);
  });

  it('refuses to delete a provider with models, listing them, unless cascade=models', async () => {
    const p = await aProvider(t);
    const m = await aModel(t, p.id, { type: 'ner' });
    const refused = await t.req('delete', `/api/v1/providers/${p.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.dependents.models).toEqual([{ id: m.id, name: m.display_name }]);
    const deps = await t.req('get', `/api/v1/providers/${p.id}/dependents`);
    expect(deps.body.models).toHaveLength(1);
    const cascaded = await t.req('delete', `/api/v1/providers/${p.id}?cascade=models`);
    expect(cascaded.status).toBe(204);
    expect((await t.req('get', `/api/v1/models/${m.id}`)).status).toBe(404);
    expect((await t.req('get', `/api/v1/providers/${p.id}`)).status).toBe(404);
  });

  it('audits every change with the key masked, and lets members read without secrets', async () => {
    const p = await aProvider(t, { kind: 'gemini', api_key: 'AIza-secret-value-9999' });
    await t.req('patch', `/api/v1/providers/${p.id}`).send({ api_key: 'AIza-other-value-1111' });
    const events = await t.req('get', `/api/v1/audit-events?entity_type=provider&entity_id=${p.id}`);
    expect(events.body.items.map((e: { action: string }) => e.action)).toEqual(['provider.updated', 'provider.created']);
    expect(events.body.items[0].changes.api_key).toEqual({ before: '****9999', after: '****1111' });
    expect(JSON.stringify(events.body)).not.toMatch(/AIza-(secret|other)/);
    const member = await t.userWithRole('member');
    const list = await t.req('get', '/api/v1/providers', member.token);
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).not.toMatch(/AIza-/);
    expect((await t.req('post', '/api/v1/providers', member.token).send({ name: 'x', kind: 'ollama', api_base: 'http://h' })).status).toBe(
      403,
    );
  });
  it('lists in name order, filtered, each provider as its own read shows it, and follows changes', async () => {
    const tag = `list${Date.now()}`;
    const made = [
      await aProvider(t, { name: `${tag} zeta` }),
      await aProvider(t, { name: `${tag} Alpha`, kind: 'openai_compatible', api_base: 'http://127.0.0.1:9/v1' }),
      await aProvider(t, { name: `${tag} beta`, status: 'inactive' }),
    ];
    await aModel(t, made[0].id);
    const list = async (query = '') => (await t.req('get', `/api/v1/providers?search=${tag}${query}`)).body as Record<string, any>[];
    const listed = await list();
    expect(listed.map((p) => p.name)).toEqual([`${tag} Alpha`, `${tag} beta`, `${tag} zeta`]);
    for (const p of listed) expect(p).toEqual((await t.req('get', `/api/v1/providers/${p.id}`)).body);
    expect(listed.find((p) => p.id === made[0].id)!.model_count).toBe(1);
    expect((await list('&kind=openai_compatible')).map((p) => p.id)).toEqual([made[1].id]);
    expect((await list('&status=inactive')).map((p) => p.id)).toEqual([made[2].id]);
    await t.req('patch', `/api/v1/providers/${made[0].id}`).send({ name: `${tag} aardvark` });
    expect((await list()).map((p) => p.name)).toEqual([`${tag} aardvark`, `${tag} Alpha`, `${tag} beta`]);
    expect((await t.req('get', '/api/v1/providers?search=no-such-provider-anywhere')).body).toEqual([]);
  });
});
