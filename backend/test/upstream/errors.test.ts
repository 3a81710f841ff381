import { createServer } from 'node:net';
import { startFakes, type Fakes, type OpenAiFake } from '../fakes/index.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { aProvider } from '../support/registry.js';
import { client, failureOf, KINDS, providerWithModel, setSetting, startKeylessFake, type UpstreamKind } from './support.js';

const messages = [{ role: 'user' as const, content: 'Hello there' }];
const WRONG_KEY = 'sk-wrong-0123456789-secret';

/** A port nothing listens on. */
const closedPort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

describe('upstream errors, classified', () => {
  let t: TestApp;
  let fakes: Fakes;
  let keyless: OpenAiFake;

  beforeAll(async () => {
    [t, fakes, keyless] = await Promise.all([startTestApp({ env: { SEED_REGISTRY: 'false' } }), startFakes(), startKeylessFake()]);
    await setSetting(t, 'upstream.max_retries', 0);
  });
  afterEach(() => fakes.reset());
  afterAll(async () => {
    await Promise.all([t.close(), fakes.close(), keyless.close()]);
  });

  const openai = (model = 'gpt-4o-mini', extra: Record<string, unknown> = {}) =>
    providerWithModel(t, { ...KINDS.openai.provider(fakes, keyless), ...extra }, { model_id: model });

  it.each(['openai', 'azure', 'anthropic', 'gemini', 'cohere', 'litellm'] as UpstreamKind[])(
    '%s: a wrong key is an authentication_error that names the host and the fix, never the key',
    async (kind) => {
      const { model } = await providerWithModel(
        t,
        { ...KINDS[kind].provider(fakes, keyless), api_key: WRONG_KEY },
        { model_id: KINDS[kind].generation },
      );
      const error = await failureOf(client(t).chat(model, { messages }));
      expect(error).toMatchObject({ name: 'UpstreamError', errorClass: 'authentication_error', kind: 'upstream' });
      expect(error.status).toBeGreaterThanOrEqual(400);
      expect(error.message).toMatch(/^the key was rejected by 127\.0\.0\.1:\d+ \((400|401)\): check the key$/);
      expect(JSON.stringify({ ...error, message: error.message })).not.toContain('wrong-0123456789');
      expect(t.logs.join('\n')).not.toContain('wrong-0123456789');
    },
  );

  it.each([
    [{ status: 403 }, 'permission_error', 403, /refused access \(403\).*gpt-4o-mini/],
    [{ status: 429, retryAfter: 7 }, 'rate_limited', 429, /rate limiting this key \(429\): retry after 7 s/],
    [{ status: 500 }, 'upstream_error', 500, /failed \(500\): the provider is having trouble/],
    [{ status: 503 }, 'upstream_error', 503, /failed \(503\)/],
    [{ status: 400 }, 'invalid_request', 400, /refused the request \(400\): Invalid request\./],
    [{ malformed: 'body' }, 'invalid_response', null, /did not answer with a valid API response/],
  ])('a fake answering %j is %s', async (behaviour, errorClass, status, message) => {
    const { model } = await openai();
    fakes.openai.enqueue(behaviour as never);
    const error = await failureOf(client(t).chat(model, { messages }));
    expect(error).toMatchObject({ errorClass, status });
    expect(error.message).toMatch(message);
  });

  it('an unknown model is not_found, worded as a deployment on Azure', async () => {
    const { model } = await openai('no-such-model');
    const error = await failureOf(client(t).chat(model, { messages }));
    expect(error).toMatchObject({ errorClass: 'not_found', status: 404 });
    expect(error.message).toMatch(/does not know the model no-such-model \(404\): check the model name/);
    const azure = await providerWithModel(t, KINDS.azure.provider(fakes, keyless), { model_id: 'no-such-deployment' });
    const azureError = await failureOf(client(t).chat(azure.model, { messages }));
    expect(azureError.message).toMatch(/does not know the deployment no-such-deployment \(404\): check the deployment name/);
  });

  it('a silent upstream is a timeout_error after the provider’s timeout_ms', async () => {
    const { model } = await openai('hang', { config: { timeout_ms: 1000 } });
    const started = Date.now();
    const error = await failureOf(client(t).chat(model, { messages }));
    expect(error).toMatchObject({ errorClass: 'timeout_error', kind: 'upstream_timeout' });
    expect(error.message).toMatch(/did not answer within 1 s: check the server, or raise config.timeout_ms/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('a streamed reply that stalls times out between chunks too', async () => {
    const { model } = await openai('gpt-4o-mini-chunk-delay-2500', { config: { timeout_ms: 1000 } });
    const events: unknown[] = [];
    const error = await failureOf(
      (async () => {
        for await (const event of client(t).chatStream(model, { messages })) events.push(event);
      })(),
    );
    expect(error).toMatchObject({ errorClass: 'timeout_error' });
  });

  it('a closed port is a connection_error, and https to a plain-http server a tls_error', async () => {
    const refused = await openai('gpt-4o-mini', { api_base: `http://127.0.0.1:${await closedPort()}/v1` });
    const error = await failureOf(client(t).chat(refused.model, { messages }));
    expect(error).toMatchObject({ errorClass: 'connection_error' });
    expect(error.message).toMatch(/nothing is listening at 127\.0\.0\.1:\d+ \(connection refused\)/);
    const tls = await openai('gpt-4o-mini', { api_base: `${fakes.urls.openai.replace('http:', 'https:')}/v1` });
    const tlsError = await failureOf(client(t).chat(tls.model, { messages }));
    expect(tlsError).toMatchObject({ errorClass: 'tls_error' });
    expect(tlsError.message).toMatch(/does not speak TLS on that port: use http:\/\//);
  });

  it('a dropped stream after the first chunk is a connection_error for the caller', async () => {
    const { model } = await openai('gpt-4o-mini-drop-3');
    const texts: string[] = [];
    const error = await failureOf(
      (async () => {
        for await (const event of client(t).chatStream(model, { messages })) if (event.type === 'delta') texts.push(event.text);
      })(),
    );
    expect(texts.length).toBeGreaterThan(0);
    expect(error).toMatchObject({ errorClass: 'connection_error' });
  });

  describe('as problem+json', () => {
    it('502 with the class, the upstream status and the explanation', async () => {
      const provider = await aProvider(t, { ...KINDS.openai.provider(fakes, keyless), api_key: WRONG_KEY });
      const res = await t.req('get', `/api/v1/providers/${provider.id}/discover`);
      expect(res.status).toBe(502);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body).toMatchObject({ code: 'upstream.authentication_error', error_class: 'authentication_error', upstream_status: 401 });
      expect(res.body.detail).toMatch(/the key was rejected by 127\.0\.0\.1:\d+ \(401\): check the key/);
      expect(JSON.stringify(res.body)).not.toContain('wrong-0123456789');
    });

    it('429 with Retry-After from the upstream, and 504 for a timeout', async () => {
      const provider = await aProvider(t, { ...KINDS.openai.provider(fakes, keyless), config: { timeout_ms: 1000 } });
      fakes.openai.enqueue({ status: 429, retryAfter: 3 });
      const limited = await t.req('get', `/api/v1/providers/${provider.id}/discover`);
      expect(limited.status).toBe(429);
      expect(limited.headers['retry-after']).toBe('3');
      expect(limited.body).toMatchObject({ code: 'upstream.rate_limited', upstream_status: 429 });
      fakes.openai.enqueue({ hang: true });
      const slow = await t.req('get', `/api/v1/providers/${provider.id}/discover`);
      expect(slow.status).toBe(504);
      expect(slow.body).toMatchObject({ code: 'upstream.timeout_error', error_class: 'timeout_error' });
    });
  });
});
