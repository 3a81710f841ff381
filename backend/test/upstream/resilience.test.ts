import { fakeReply, OpenAiFake } from '../fakes/index.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { client, drain, failureOf, providerWithModel, setSetting } from './support.js';

const messages = [{ role: 'user' as const, content: 'Hello there' }];
const reply = fakeReply('Hello there');

describe('limits, retries and the circuit breaker', () => {
  let t: TestApp;
  let fake: OpenAiFake;

  beforeAll(async () => {
    [t, fake] = await Promise.all([startTestApp({ env: { SEED_REGISTRY: 'false' } }), new OpenAiFake().start()]);
  });
  beforeEach(async () => {
    await setSetting(t, 'upstream.max_retries', 2);
    await setSetting(t, 'upstream.queue_wait_ms', 10_000);
    await setSetting(t, 'upstream.breaker_failures', 5);
    await setSetting(t, 'upstream.breaker_cooldown_ms', 30_000);
  });
  afterEach(() => fake.reset());
  afterAll(async () => {
    await Promise.all([t.close(), fake.close()]);
  });

  const aModelOnFake = (overrides: Record<string, unknown> = {}, model = 'gpt-4o-mini') =>
    providerWithModel(t, { kind: 'openai', api_base: `${fake.url}/v1`, api_key: 'sk-fake-openai', ...overrides }, { model_id: model });
  const chats = () => fake.requests.filter((r) => r.path === '/v1/chat/completions');

  describe('retries', () => {
    it('waits as long as Retry-After asks (2 s) and then succeeds', async () => {
      const { model } = await aModelOnFake();
      fake.enqueue({ status: 429, retryAfter: 2 });
      const started = Date.now();
      const result = await client(t).chat(model, { messages });
      expect(result.text).toBe(reply);
      expect(chats()).toHaveLength(2);
      expect(chats()[1]!.receivedAt - chats()[0]!.receivedAt).toBeGreaterThanOrEqual(2000);
      expect(Date.now() - started).toBeLessThan(6000);
    });

    it('makes at most 1 + upstream.max_retries attempts, then gives the last error with its Retry-After', async () => {
      await setSetting(t, 'upstream.max_retries', 2);
      const { model } = await aModelOnFake();
      fake.setBehaviour({ status: 429, retryAfter: 1 });
      const error = await failureOf(client(t).chat(model, { messages }));
      expect(error).toMatchObject({ errorClass: 'rate_limited', retryAfterMs: 1000 });
      expect(chats()).toHaveLength(3);
      expect(chats()[2]!.receivedAt - chats()[0]!.receivedAt).toBeGreaterThanOrEqual(2000);
    });

    it('backs off exponentially on 5xx without Retry-After and stops at max_retries', async () => {
      await setSetting(t, 'upstream.max_retries', 1);
      const { model } = await aModelOnFake();
      fake.setBehaviour({ status: 503 });
      const error = await failureOf(client(t).chat(model, { messages }));
      expect(error).toMatchObject({ errorClass: 'upstream_error', status: 503 });
      expect(chats()).toHaveLength(2);
      expect(chats()[1]!.receivedAt - chats()[0]!.receivedAt).toBeGreaterThanOrEqual(120);
    });

    it('does not wait longer than upstream.max_retry_wait_ms: a longer Retry-After goes back to the caller', async () => {
      const { model } = await aModelOnFake();
      fake.enqueue({ status: 429, retryAfter: 30 });
      const started = Date.now();
      const error = await failureOf(client(t).chat(model, { messages }));
      expect(error).toMatchObject({ errorClass: 'rate_limited', retryAfterMs: 30_000, options: { retryAfterSeconds: 30 } });
      expect(chats()).toHaveLength(1);
      expect(Date.now() - started).toBeLessThan(1000);
    });

    it('never retries what cannot change (a bad key, a missing model)', async () => {
      const { model } = await aModelOnFake({}, 'no-such-model');
      await expect(client(t).chat(model, { messages })).rejects.toMatchObject({ errorClass: 'not_found' });
      expect(chats()).toHaveLength(1);
    });

    it('retries a stream that fails before its first byte, never one that failed after', async () => {
      const { model } = await aModelOnFake();
      fake.enqueue({ status: 503 });
      const recovered = await drain(client(t).chatStream(model, { messages }));
      expect(recovered.error).toBeUndefined();
      expect(recovered.events.at(-1)).toMatchObject({ type: 'done' });
      expect(chats()).toHaveLength(2);

      fake.reset();
      const dropped = await aModelOnFake({}, 'gpt-4o-mini-drop-2');
      const broken = await drain(client(t).chatStream(dropped.model, { messages }));
      expect(broken.events.length).toBeGreaterThan(0);
      expect(broken.error).toMatchObject({ errorClass: 'connection_error' });
      expect(chats()).toHaveLength(1);
    });
  });

  describe('circuit breaker', () => {
    it('opens after consecutive failures, fails fast without calling, shows it, and closes after a good trial call', async () => {
      await setSetting(t, 'upstream.max_retries', 0);
      await setSetting(t, 'upstream.breaker_failures', 3);
      await setSetting(t, 'upstream.breaker_cooldown_ms', 1000);
      const { provider, model } = await aModelOnFake();
      // The same list before, during and after: an answer kept for it must follow the breaker.
      const listedState = async () =>
        (await t.req('get', '/api/v1/providers')).body.find((p: { id: string }) => p.id === provider.id).circuit_state;
      expect(await listedState()).toBe('closed');
      fake.setBehaviour({ status: 500 });
      for (let i = 0; i < 3; i++) await expect(client(t).chat(model, { messages })).rejects.toMatchObject({ errorClass: 'upstream_error' });
      const open = await failureOf(client(t).chat(model, { messages }));
      expect(open).toMatchObject({ errorClass: 'circuit_open', kind: 'unavailable' });
      expect(open.message).toMatch(/failed 3 times in a row, so calls fail fast for now: retry in 1 s/);
      expect(chats()).toHaveLength(3);
      expect((await t.req('get', `/api/v1/providers/${provider.id}`)).body.circuit_state).toBe('open');
      expect(await listedState()).toBe('open');
      const metrics = (await t.http().get('/metrics')).text;
      expect(metrics).toMatch(new RegExp(`upstream_circuit_state\\{provider_id="${provider.id}",provider="[^"]+"\\} 2`));

      fake.reset();
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect((await client(t).chat(model, { messages })).text).toBe(reply);
      expect((await t.req('get', `/api/v1/providers/${provider.id}`)).body.circuit_state).toBe('closed');
      expect(await listedState()).toBe('closed');
      expect((await t.http().get('/metrics')).text).toMatch(
        new RegExp(`upstream_circuit_state\\{provider_id="${provider.id}",provider="[^"]+"\\} 0`),
      );
    });

    it('does not count a caller’s mistakes (4xx) as an outage, and other providers are unaffected', async () => {
      await setSetting(t, 'upstream.max_retries', 0);
      await setSetting(t, 'upstream.breaker_failures', 2);
      const bad = await aModelOnFake({}, 'no-such-model');
      for (let i = 0; i < 3; i++) await expect(client(t).chat(bad.model, { messages })).rejects.toMatchObject({ errorClass: 'not_found' });
      expect((await t.req('get', `/api/v1/providers/${bad.provider.id}`)).body.circuit_state).toBe('closed');
      const dead = await aModelOnFake({}, 'gpt-4o-mini-fail-500');
      for (let i = 0; i < 3; i++) await expect(client(t).chat(dead.model, { messages })).rejects.toBeDefined();
      expect((await t.req('get', `/api/v1/providers/${dead.provider.id}`)).body.circuit_state).toBe('open');
      const healthy = await aModelOnFake();
      expect((await client(t).chat(healthy.model, { messages })).text).toBe(reply);
    });
  });

  describe('max_concurrency, rpm and tpm', () => {
    it('never has more than max_concurrency calls in flight, under 50 parallel calls', async () => {
      const { model } = await aModelOnFake({ limits: { max_concurrency: 5 } });
      fake.setBehaviour({ latencyMs: 100 });
      const started = Date.now();
      const results = await Promise.all(Array.from({ length: 50 }, () => client(t).chat(model, { messages })));
      expect(results.every((r) => r.text === reply)).toBe(true);
      const arrivals = chats()
        .map((r) => r.receivedAt)
        .sort((a, b) => a - b);
      expect(arrivals).toHaveLength(50);
      // A sixth call can only start once one of the five before it has had its 100 ms answer.
      for (let i = 5; i < arrivals.length; i++) expect(arrivals[i]! - arrivals[i - 5]!).toBeGreaterThanOrEqual(95);
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    });

    it('refuses with 429 and Retry-After when no slot frees up within upstream.queue_wait_ms', async () => {
      await setSetting(t, 'upstream.queue_wait_ms', 300);
      const { model } = await aModelOnFake({ limits: { max_concurrency: 1 } });
      fake.setBehaviour({ latencyMs: 1500 });
      const first = client(t).chat(model, { messages });
      while (chats().length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      const started = Date.now();
      const error = await failureOf(client(t).chat(model, { messages }));
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      expect(Date.now() - started).toBeLessThan(1200);
      expect(error).toMatchObject({ errorClass: 'rate_limited', kind: 'rate_limited', local: true });
      expect(error.options.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(error.message).toMatch(/max_concurrency/);
      expect((await first).text).toBe(reply);
      expect(chats()).toHaveLength(1);
    });

    it('holds to rpm: the request over the minute’s budget is refused with the wait', async () => {
      await setSetting(t, 'upstream.queue_wait_ms', 0);
      const { model } = await aModelOnFake({ limits: { rpm: 2 } });
      await client(t).chat(model, { messages });
      await client(t).chat(model, { messages });
      const error = await failureOf(client(t).chat(model, { messages }));
      expect(error).toMatchObject({ errorClass: 'rate_limited', local: true });
      expect(error.message).toMatch(/allows 2 requests a minute \(limits\.rpm\)/);
      expect(error.options.retryAfterSeconds).toBeGreaterThan(0);
      expect(error.options.retryAfterSeconds).toBeLessThanOrEqual(60);
      expect(chats()).toHaveLength(2);
    });

    it('holds to tpm: once the minute’s tokens are spent, calls are refused', async () => {
      const { model } = await aModelOnFake({ limits: { tpm: 10 } });
      const first = await client(t).chat(model, { messages });
      expect(first.usage.inputTokens + first.usage.outputTokens).toBeGreaterThan(10);
      const error = await failureOf(client(t).chat(model, { messages }));
      expect(error).toMatchObject({ errorClass: 'rate_limited' });
      expect(error.message).toMatch(/10 tokens a minute \(limits\.tpm\)/);
      expect(chats()).toHaveLength(1);
    });
  });
});
