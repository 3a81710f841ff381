import OpenAI from 'openai';
import { DataSource } from 'typeorm';
import { OpenAiFake } from '../fakes/index.js';
import { UsageRecorder } from '../../src/usage/usage-recorder.service.js';
import { aModel, aProvider } from '../support/registry.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('a gateway client that hangs up before its answer', () => {
  let t: TestApp;
  let fake: OpenAiFake;
  let client: OpenAI;
  let keyId: string;

  beforeAll(async () => {
    fake = await new OpenAiFake({ apiKeys: ['sk-upstream-hang-up'] }).start();
    t = await startTestApp({ env: { SEED_REGISTRY: 'false' } });
    await t.req('put', '/api/v1/settings/upstream.max_retries').send({ value: 0 });
    const provider = await aProvider(t, { kind: 'openai_compatible', api_base: `${fake.url}/v1`, api_key: 'sk-upstream-hang-up' });
    await aModel(t, provider.id, { display_name: 'team-gpt', model_id: 'gpt-4o-mini' });
    const member = await t.userWithRole('member');
    const key = (await t.req('post', '/api/v1/api-keys', member.token).send({ name: 'hang-ups' })).body;
    keyId = key.id;
    await t.app.listen(0, '127.0.0.1');
    const base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    client = new OpenAI({ apiKey: key.secret, baseURL: `${base}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  /** The key's recorded calls, once `count` of them are written (the server notices a hang-up asynchronously). */
  const recordedCalls = async (count: number) => {
    const deadline = Date.now() + 5_000;
    for (;;) {
      await t.app.get(UsageRecorder).flush();
      const rows: { status_code: number; error_class: string | null }[] = await t.app
        .get(DataSource)
        .query('SELECT status_code, error_class FROM usage_events WHERE api_key_id = $1 ORDER BY id', [keyId]);
      if (rows.length >= count || Date.now() > deadline) return rows;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  it('records 499 client_closed for a whole and a streamed call, and logs neither as a server error', async () => {
    const messages = [{ role: 'user' as const, content: 'never mind' }];
    fake.enqueue({ latencyMs: 3_000 });
    const whole = new AbortController();
    const pending = client.chat.completions.create({ model: 'team-gpt', messages }, { signal: whole.signal });
    while (fake.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    whole.abort();
    await expect(pending).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);

    fake.enqueue({ chunkDelayMs: 1_000 });
    const stream = await client.chat.completions.create({ model: 'team-gpt', messages, stream: true });
    for await (const chunk of stream) {
      expect(chunk.model).toBe('team-gpt');
      break; // leaving the loop aborts the response
    }

    expect(await recordedCalls(2)).toEqual([
      { status_code: 499, error_class: 'client_closed' },
      { status_code: 499, error_class: 'client_closed' },
    ]);
    expect(t.logs.filter((line) => /ClientClosedError|closed the connection/.test(line))).toEqual([]);
  });
});
