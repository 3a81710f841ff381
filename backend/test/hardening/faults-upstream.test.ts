import { OpenAiFake } from '../fakes/index.js';
import { aModel, aProvider } from '../support/registry.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const STORM_MS = Number(process.env.FAULT_STORM_MS ?? 60_000);
const COOLDOWN_MS = 5_000;
const MAX_RETRIES = 2;
/** Traffic is polled every 200 ms after recovery: one poll and one call on top of the cool-down. */
const RECOVERY_MARGIN_MS = 1_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('fault: upstreams that fail or stall', () => {
  let t: TestApp;
  let sick: OpenAiFake;
  let healthy: OpenAiFake;
  let key: string;
  const tally = { incomingSick: 0, upstreamSick: 0, healthyCalls: 0, recoveredAfterMs: -1 };

  beforeAll(async () => {
    sick = await new OpenAiFake({ apiKeys: [], maxLoggedRequests: 1_000_000 }).start();
    healthy = await new OpenAiFake({ apiKeys: [], maxLoggedRequests: 0 }).start();
    t = await startTestApp({ env: { SEED_REGISTRY: 'false', LOG_LEVEL: 'fatal', DB_POOL_SIZE: '30' } });
    await t.req('put', '/api/v1/settings/upstream.max_retries').send({ value: MAX_RETRIES });
    await t.req('put', '/api/v1/settings/upstream.breaker_failures').send({ value: 5 });
    await t.req('put', '/api/v1/settings/upstream.breaker_cooldown_ms').send({ value: COOLDOWN_MS });
    await t.req('put', '/api/v1/settings/upstream.max_retry_wait_ms').send({ value: 500 });
    const a = await aProvider(t, { name: 'Sick', kind: 'openai_compatible', api_base: `${sick.url}/v1` });
    const b = await aProvider(t, {
      name: 'Healthy',
      kind: 'openai_compatible',
      api_base: `${healthy.url}/v1`,
      config: { timeout_ms: 1000 },
    });
    await aModel(t, a.id, { display_name: 'sick-model', model_id: 'gpt-4o-mini' });
    await aModel(t, b.id, { display_name: 'healthy-model', model_id: 'gpt-4o-mini' });
    await aModel(t, b.id, { display_name: 'stalling-model', model_id: 'gpt-4o-mini-stall-4' });
    key = (await t.req('post', '/api/v1/api-keys').send({ name: 'faults' })).body.secret;
  });
  afterAll(async () => {
    process.stdout.write(
      `fault upstream: storm=${STORM_MS}ms incoming-to-sick=${tally.incomingSick} upstream-calls-to-sick=${tally.upstreamSick} healthy-calls=${tally.healthyCalls} recovered-after=${tally.recoveredAfterMs}ms (cool-down ${COOLDOWN_MS}ms)\n`,
    );
    await t.close();
    await sick.close();
    await healthy.close();
  });

  const chat = (model: string) =>
    t
      .http()
      .post('/v1/chat/completions')
      .set('authorization', `Bearer ${key}`)
      .send({ model, messages: [{ role: 'user', content: 'ping' }] });

  it(
    'a 503 storm opens the breaker, bounds upstream calls, spares other providers, and clears within a cool-down',
    async () => {
      const baseline: number[] = [];
      for (let i = 0; i < 40; i++) {
        const started = performance.now();
        await chat('healthy-model');
        baseline.push(performance.now() - started);
      }
      sick.setBehaviour({ status: 503 });
      const healthyLatencies: number[] = [];
      const healthyFailures: number[] = [];
      let running = true;
      let sawOpen = false;
      const toSick = async () => {
        while (running) {
          tally.incomingSick++;
          await chat('sick-model');
          await sleep(100);
        }
      };
      const toHealthy = async () => {
        while (running) {
          const started = performance.now();
          const res = await chat('healthy-model');
          tally.healthyCalls++;
          healthyLatencies.push(performance.now() - started);
          if (res.status !== 200) healthyFailures.push(res.status);
          await sleep(100);
        }
      };
      const watch = async () => {
        while (running) {
          const list = await t.req('get', '/api/v1/providers?search=Sick');
          if (list.body[0]?.circuit_state === 'open') sawOpen = true;
          await sleep(500);
        }
      };
      const load = Promise.all([toSick(), toSick(), toHealthy(), toHealthy(), watch()]);
      await sleep(STORM_MS);
      running = false;
      await load;
      tally.upstreamSick = sick.requests.length;
      expect(sawOpen).toBe(true);
      expect(tally.upstreamSick).toBeLessThanOrEqual((1 + MAX_RETRIES) * tally.incomingSick);
      // The breaker did its job: far fewer upstream calls than the retries would have made.
      expect(tally.upstreamSick).toBeLessThan(tally.incomingSick);
      expect(healthyFailures).toEqual([]);
      // The healthy provider answers as fast as before the storm (median), and nothing waits on the sick one.
      const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
      expect(median(healthyLatencies)).toBeLessThan(median(baseline) * 2 + 20);
      expect(Math.max(...healthyLatencies)).toBeLessThan(1_000);

      sick.reset();
      const recovered = Date.now();
      // Traffic resumes within one cool-down of the upstream recovering (the breaker may have just
      // re-opened on the storm's last calls), plus the polling margin.
      while (Date.now() - recovered < COOLDOWN_MS + 5_000) {
        if ((await chat('sick-model')).status === 200) {
          tally.recoveredAfterMs = Date.now() - recovered;
          break;
        }
        await sleep(200);
      }
      expect(tally.recoveredAfterMs).toBeGreaterThanOrEqual(0);
      expect(tally.recoveredAfterMs).toBeLessThan(COOLDOWN_MS + RECOVERY_MARGIN_MS);
    },
    STORM_MS + 60_000,
  );

  it('an upstream that goes silent mid-stream: the idle timeout fires and the partial reply is stored', async () => {
    const conversation = (
      await t
        .req('post', '/api/v1/conversations')
        .send({ model_id: (await t.req('get', '/api/v1/models?search=stalling')).body.items[0].id })
    ).body;
    const res = await t
      .req('post', `/api/v1/conversations/${conversation.id}/messages`)
      .set('accept', 'text/event-stream')
      .send({ content: 'say a lot' });
    expect(res.text).toMatch(/event: delta/);
    expect(res.text).toMatch(/event: error[\s\S]*timeout_error/);
    const messages = (await t.req('get', `/api/v1/conversations/${conversation.id}`)).body.messages;
    expect(messages[1]).toMatchObject({ status: 'failed', error: { class: 'timeout_error' } });
    expect(messages[1].content.length).toBeGreaterThan(0);
  }, 30_000);
});
