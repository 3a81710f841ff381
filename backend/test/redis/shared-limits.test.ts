import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { OpenAiFake } from '../fakes/index.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { client, failureOf, providerWithModel, setSetting } from '../upstream/support.js';

// Selected by jest.config.ts only when TEST_REDIS_URL names a Redis server (CI's second pass
// sets it to the machine's Redis); the default run has no Redis to talk to.
const REDIS_URL = process.env.TEST_REDIS_URL!;
const messages = [{ role: 'user' as const, content: 'Hello there' }];

describe('per-provider limits shared through Redis (REDIS_URL)', () => {
  let first: TestApp;
  let second: TestApp;
  let fake: OpenAiFake;
  let redis: Redis;

  beforeAll(async () => {
    [first, fake] = await Promise.all([startTestApp({ env: { SEED_REGISTRY: 'false', REDIS_URL } }), new OpenAiFake().start()]);
    second = await startTestApp({ database: { name: first.databaseName, url: first.databaseUrl }, env: { REDIS_URL } });
    redis = new Redis(REDIS_URL);
    await setSetting(first, 'upstream.queue_wait_ms', 0);
  });
  afterAll(async () => {
    await second.close();
    await Promise.all([first.close(), fake.close(), redis.quit()]);
  });

  it('draws both instances’ calls from one rpm budget kept in Redis, not in PostgreSQL', async () => {
    const { model } = await providerWithModel(
      first,
      { kind: 'openai', api_base: `${fake.url}/v1`, api_key: 'sk-fake-openai', limits: { rpm: 3 } },
      { model_id: 'gpt-4o-mini' },
    );
    await client(second).chat(model, { messages });
    await client(first).chat(model, { messages });
    await client(second).chat(model, { messages });
    const error = await failureOf(client(first).chat(model, { messages }));
    expect(error).toMatchObject({ errorClass: 'rate_limited', local: true });
    expect(error.message).toMatch(/allows 3 requests a minute \(limits\.rpm\)/);
    expect(fake.requests.filter((r) => r.path === '/v1/chat/completions')).toHaveLength(3);

    expect(Number(await redis.get(`switchboard:upstream_rpm:${model.providerId}`))).toBe(4);
    const inPostgres = await first.app.get(DataSource).query(`SELECT count(*)::int AS n FROM rate_limits WHERE key LIKE 'upstream_rpm%'`);
    expect(inPostgres[0].n).toBe(0);
  });
});
