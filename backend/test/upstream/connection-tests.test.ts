import { createServer } from 'node:net';
import { DestinationGuard } from '../../src/upstream/destination-guard.js';
import { startFakes, type Fakes } from '../fakes/index.js';
import { aModel, aProvider, fieldsOf } from '../support/registry.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const WRONG_KEY = 'sk-wrong-key-0000-1111-secret';
const stagesOf = (body: { stages: { stage: string; status: string }[] }) => Object.fromEntries(body.stages.map((s) => [s.stage, s.status]));

describe('connection tests', () => {
  let t: TestApp;
  let fakes: Fakes;

  beforeAll(async () => {
    [t, fakes] = await Promise.all([startTestApp({ env: { SEED_REGISTRY: 'false' } }), startFakes()]);
  });
  afterEach(() => fakes.reset());
  afterAll(async () => {
    await Promise.all([t.close(), fakes.close()]);
  });

  const openaiSettings = (extra: Record<string, unknown> = {}) => ({
    kind: 'openai',
    api_base: `${fakes.urls.openai}/v1`,
    api_key: fakes.keys.openai,
    ...extra,
  });
  const testSettings = (body: Record<string, unknown>) => t.req('post', '/api/v1/providers/test').send(body);

  describe('POST /providers/test (unsaved settings)', () => {
    it('passes every stage for good settings and a served model, with a latency per stage', async () => {
      const res = await testSettings(openaiSettings({ model_id: 'gpt-4o-mini' }));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ ok: true, failed_stage: null, error_class: null, upstream_status: null, model_id: 'gpt-4o-mini' });
      expect(stagesOf(res.body)).toEqual({ dns: 'ok', connect: 'ok', auth: 'ok', model: 'ok', probe: 'ok' });
      for (const stage of res.body.stages) expect(stage.latency_ms).toBeGreaterThanOrEqual(0);
      expect(res.body.message).toMatch(/^OK: gpt-4o-mini answered in \d+ ms/);
      expect(fakes.openai.requests.map((r) => r.path)).toEqual(['/v1/models', '/v1/chat/completions']);
      // Enough room for a reasoning model to think before it answers.
      expect((fakes.openai.requests[1]!.body as { max_tokens?: number; max_completion_tokens?: number }).max_tokens).toBeGreaterThanOrEqual(
        1024,
      );
    });

    it('fails the auth stage for a bad key, says why and how to fix it, and never echoes the key', async () => {
      const res = await testSettings(openaiSettings({ api_key: WRONG_KEY, model_id: 'gpt-4o-mini' }));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ ok: false, failed_stage: 'auth', error_class: 'authentication_error', upstream_status: 401 });
      expect(res.body.message).toMatch(/^the key was rejected by 127\.0\.0\.1:\d+ \(401\): check the key$/);
      expect(stagesOf(res.body)).toEqual({ dns: 'ok', connect: 'ok', auth: 'failed', model: 'skipped', probe: 'skipped' });
      expect(JSON.stringify(res.body)).not.toContain('0000-1111');
      expect(t.logs.join('\n')).not.toContain('0000-1111');
    });

    it('fails the model stage for a model the upstream does not list', async () => {
      const res = await testSettings(openaiSettings({ model_id: 'gpt-9-imaginary' }));
      expect(res.body).toMatchObject({ ok: false, failed_stage: 'model', error_class: 'not_found' });
      expect(res.body.message).toMatch(/does not list the model gpt-9-imaginary for this key \(it lists 4, e\.g\. gpt-4o-mini/);
    });

    it('fails the probe with dimension_mismatch when the vector length differs from the expected one', async () => {
      const res = await testSettings(openaiSettings({ model_id: 'text-embedding-3-small', model_type: 'embedding', dimensions: 768 }));
      expect(res.body).toMatchObject({ ok: false, failed_stage: 'probe', error_class: 'dimension_mismatch' });
      expect(res.body.message).toBe(
        'text-embedding-3-small returns 1536-dimensional vectors but is registered with dimensions 768: set params.dimensions to 1536',
      );
    });

    it('stops at dns for a metadata address or a name that resolves to one, and at connect for a closed port', async () => {
      const metadata = await testSettings(openaiSettings({ api_base: 'http://169.254.169.254/v1' }));
      expect(metadata.body).toMatchObject({ ok: false, failed_stage: 'dns', error_class: 'blocked_destination' });
      expect(stagesOf(metadata.body).connect).toBe('skipped');
      t.app.get(DestinationGuard).useResolver(async (host) => {
        if (host === 'metadata.localtest') return [{ address: '169.254.169.254', family: 4 }];
        throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      });
      try {
        const named = await testSettings(openaiSettings({ api_base: 'http://metadata.localtest/v1' }));
        expect(named.body).toMatchObject({ failed_stage: 'dns', error_class: 'blocked_destination' });
        expect(named.body.message).toMatch(/metadata\.localtest \(169\.254\.169\.254\) is a cloud metadata address/);
        const unknown = await testSettings(openaiSettings({ api_base: 'http://nowhere.localtest/v1' }));
        expect(unknown.body).toMatchObject({ failed_stage: 'dns', error_class: 'connection_error' });
        expect(unknown.body.message).toBe('could not resolve nowhere.localtest: check the host name in api_base');
      } finally {
        t.app.get(DestinationGuard).useResolver((host) => import('node:dns').then((dns) => dns.promises.lookup(host, { all: true })));
      }
      const port = await new Promise<number>((resolve) => {
        const server = createServer().listen(0, '127.0.0.1', () => {
          const { port } = server.address() as { port: number };
          server.close(() => resolve(port));
        });
      });
      const closed = await testSettings(openaiSettings({ api_base: `http://127.0.0.1:${port}/v1` }));
      expect(closed.body).toMatchObject({ failed_stage: 'connect', error_class: 'connection_error' });
      const tls = await testSettings(openaiSettings({ api_base: `${fakes.urls.openai.replace('http:', 'https:')}/v1` }));
      expect(tls.body).toMatchObject({ failed_stage: 'connect', error_class: 'tls_error' });
    });

    it.each([
      [
        'ollama',
        () => ({ kind: 'ollama', api_base: fakes.urls.ollama, model_id: 'nomic-embed-text', model_type: 'embedding', dimensions: 768 }),
      ],
      [
        'anthropic',
        () => ({ kind: 'anthropic', api_base: fakes.urls.anthropic, api_key: fakes.keys.anthropic, model_id: 'claude-haiku-4-5' }),
      ],
      [
        'gemini',
        () => ({ kind: 'gemini', api_base: `${fakes.urls.gemini}/v1beta`, api_key: fakes.keys.gemini, model_id: 'gemini-2.5-flash' }),
      ],
      [
        'cohere',
        () => ({
          kind: 'cohere',
          api_base: fakes.urls.cohere,
          api_key: fakes.keys.cohere,
          model_id: 'embed-v4.0',
          model_type: 'embedding',
        }),
      ],
      ['litellm', () => ({ kind: 'litellm', api_base: fakes.urls.litellm, api_key: fakes.keys.litellm, model_id: 'gpt-4o' })],
    ])('passes for %s', async (_kind, body) => {
      const res = await testSettings(body());
      expect(res.body).toMatchObject({ ok: true });
      expect(stagesOf(res.body)).toEqual({ dns: 'ok', connect: 'ok', auth: 'ok', model: 'ok', probe: 'ok' });
    });

    it('reads a wrong Gemini key (Google answers 400) as an authentication_error', async () => {
      const res = await testSettings({ kind: 'gemini', api_base: `${fakes.urls.gemini}/v1beta`, api_key: WRONG_KEY });
      expect(res.body).toMatchObject({ failed_stage: 'auth', error_class: 'authentication_error', upstream_status: 400 });
    });

    it('skips the model stage on Azure (a key cannot list deployments) and lets the probe name the deployment', async () => {
      const base = { kind: 'azure', api_base: fakes.urls.azure, api_version: '2024-10-21', api_key: fakes.keys.azure };
      const ok = await testSettings({ ...base, model_id: 'gpt-4o-mini' });
      expect(ok.body).toMatchObject({ ok: true });
      expect(stagesOf(ok.body).model).toBe('skipped');
      const missing = await testSettings({ ...base, model_id: 'no-such-deployment' });
      expect(missing.body).toMatchObject({ failed_stage: 'probe', error_class: 'not_found', upstream_status: 404 });
      expect(missing.body.message).toMatch(/does not know the deployment no-such-deployment \(404\): check the deployment name/);
      const { api_version: _omitted, ...withoutVersion } = base;
      const defaulted = await testSettings({ ...withoutVersion, model_id: 'gpt-4o-mini' });
      expect(defaulted.body).toMatchObject({ ok: true });
    });

    it('validates the settings like a provider, and is admin-only', async () => {
      const bad = await testSettings({ kind: 'azure' });
      expect(bad.status).toBe(422);
      expect(fieldsOf(bad.body)).toEqual(['api_base']);
      expect((await testSettings({ api_base: fakes.urls.azure })).status).toBe(422);
      const member = await t.userWithRole('member');
      expect((await t.req('post', '/api/v1/providers/test', member.token).send(openaiSettings())).status).toBe(403);
    });

    it('tests edited settings with the stored key, but only at the stored endpoint', async () => {
      const provider = await aProvider(t, { kind: 'openai', api_base: `${fakes.urls.openai}/v1`, api_key: fakes.keys.openai });
      const same = await testSettings({ provider_id: provider.id, use_stored_key: true, api_base: `${fakes.urls.openai}/v1/` });
      expect(same.body).toMatchObject({ ok: true });
      expect(fakes.openai.requests[0]!.headers['authorization']).toBe(`Bearer ${fakes.keys.openai}`);
      const moved = await testSettings({ provider_id: provider.id, use_stored_key: true, api_base: `${fakes.urls.litellm}/v1` });
      expect(moved.status).toBe(422);
      expect(moved.body.errors[0]).toMatchObject({ field: 'use_stored_key', code: 'key_reentry_required' });
      expect(fakes.litellm.requests).toHaveLength(0);
      const withoutId = await testSettings({ ...openaiSettings(), use_stored_key: true });
      expect(fieldsOf(withoutId.body)).toEqual(['use_stored_key']);
    });
  });

  describe('saved providers and models', () => {
    it('stores the provider’s latest result, shows it in lists and audits it', async () => {
      const provider = await aProvider(t, { kind: 'openai', api_base: `${fakes.urls.openai}/v1`, api_key: WRONG_KEY });
      const res = await t.req('post', `/api/v1/providers/${provider.id}/test`).send({});
      expect(res.body).toMatchObject({ ok: false, failed_stage: 'auth', error_class: 'authentication_error' });
      const read = await t.req('get', `/api/v1/providers/${provider.id}`);
      expect(read.body.last_test).toEqual(res.body);
      const listed = (await t.req('get', '/api/v1/providers')).body.find((p: { id: string }) => p.id === provider.id);
      expect(listed.last_test).toMatchObject({ ok: false, failed_stage: 'auth' });
      const events = await t.req('get', `/api/v1/audit-events?action=provider.tested&entity_id=${provider.id}`);
      expect(events.body.items).toHaveLength(1);
      expect(events.body.items[0].changes).toMatchObject({
        last_test_ok: { after: false },
        last_test_error_class: { after: 'authentication_error' },
      });
      expect(JSON.stringify(events.body)).not.toContain('0000-1111');
      expect((await t.req('get', '/api/v1/audit-events/verify')).body).toMatchObject({ valid: true });
    });

    it('tests a saved provider with a model to probe', async () => {
      const provider = await aProvider(t, { kind: 'ollama', api_base: fakes.urls.ollama });
      const res = await t.req('post', `/api/v1/providers/${provider.id}/test`).send({ model_id: 'llama3.2' });
      expect(res.body).toMatchObject({ ok: true, model_id: 'llama3.2' });
      expect(stagesOf(res.body).probe).toBe('ok');
    });

    it('tests a model: a wrong registered dimension fails the probe with the fix; the result is stored and audited', async () => {
      const provider = await aProvider(t, { kind: 'openai', api_base: `${fakes.urls.openai}/v1`, api_key: fakes.keys.openai });
      const model = await aModel(t, provider.id, { model_id: 'text-embedding-3-small', type: 'embedding', params: { dimensions: 768 } });
      const res = await t.req('post', `/api/v1/models/${model.id}/test`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        ok: false,
        failed_stage: 'probe',
        error_class: 'dimension_mismatch',
        model_id: 'text-embedding-3-small',
      });
      expect(res.body.message).toMatch(/set params\.dimensions to 1536/);
      expect((await t.req('get', `/api/v1/models/${model.id}`)).body.last_test).toEqual(res.body);
      const events = await t.req('get', `/api/v1/audit-events?action=model.tested&entity_id=${model.id}`);
      expect(events.body.items).toHaveLength(1);

      await t.req('patch', `/api/v1/models/${model.id}`).send({ params: { dimensions: 1536 } });
      const fixed = await t.req('post', `/api/v1/models/${model.id}/test`);
      expect(fixed.body).toMatchObject({ ok: true });
      expect((await t.req('get', `/api/v1/models/${model.id}`)).body.last_test.ok).toBe(true);
      const again = await t.req('get', `/api/v1/audit-events?action=model.tested&entity_id=${model.id}`);
      expect(again.body.items).toHaveLength(2);
    });

    it('is 404 for an unknown provider or model', async () => {
      const id = '00000000-0000-4000-8000-000000000000';
      expect((await t.req('post', `/api/v1/providers/${id}/test`).send({})).status).toBe(404);
      expect((await t.req('post', `/api/v1/models/${id}/test`)).status).toBe(404);
    });
  });
});
