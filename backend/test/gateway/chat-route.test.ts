import OpenAI from 'openai';
import { PinoLogger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { OpenAiFake } from '../fakes/index.js';
import { UsageRecorder } from '../../src/usage/usage-recorder.service.js';
import { aModel, aProvider } from '../support/registry.js';
import { accessLinesOf } from '../support/access-lines.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('POST /v1/chat/completions, served by fastify directly', () => {
  let t: TestApp;
  let fake: OpenAiFake;
  let client: OpenAI;
  let keyId: string;
  let base: string;
  let secret: string;

  beforeAll(async () => {
    fake = await new OpenAiFake({ apiKeys: ['sk-upstream-hang-up'] }).start();
    t = await startTestApp({ env: { SEED_REGISTRY: 'false' } });
    await t.req('put', '/api/v1/settings/upstream.max_retries').send({ value: 0 });
    const provider = await aProvider(t, { kind: 'openai_compatible', api_base: `${fake.url}/v1`, api_key: 'sk-upstream-hang-up' });
    await aModel(t, provider.id, { display_name: 'team-gpt', model_id: 'gpt-4o-mini' });
    const member = await t.userWithRole('member');
    const key = (await t.req('post', '/api/v1/api-keys', member.token).send({ name: 'hang-ups' })).body;
    keyId = key.id;
    secret = key.secret;
    await t.app.listen(0, '127.0.0.1');
    base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    client = new OpenAI({ apiKey: secret, baseURL: `${base}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  /** The key’s failed calls, once `count` of them are written (the server notices a hang-up asynchronously). */
  const recordedCalls = async (count: number) => {
    const deadline = Date.now() + 5_000;
    for (;;) {
      await t.app.get(UsageRecorder).flush();
      const rows: { status_code: number; error_class: string | null }[] = await t.app
        .get(DataSource)
        .query('SELECT status_code, error_class FROM usage_events WHERE api_key_id = $1 AND status_code <> 200 ORDER BY id', [keyId]);
      if (rows.length >= count || Date.now() > deadline) return rows;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  const accessLines = (requestId: string) => accessLinesOf(t.logs, requestId);

  it('logs one access line per call, whole or streamed, with its request id, path and status', async () => {
    const messages = [{ role: 'user' as const, content: 'hello' }];
    const whole = await client.chat.completions.create({ model: 'team-gpt', messages }).withResponse();
    const streamed = await client.chat.completions.create({ model: 'team-gpt', messages, stream: true }).withResponse();
    for await (const chunk of streamed.data) expect(chunk.model).toBe('team-gpt');
    const refused = await fetch(`${base}/v1/chat/completions?key=secret-in-url`, {
      method: 'POST',
      headers: { authorization: 'Bearer sbk_not-a-real-key', 'content-type': 'application/json', 'x-request-id': 'refused-call-1' },
      body: JSON.stringify({ model: 'team-gpt', messages }),
    });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: unknown }).error).toMatchObject({ type: 'authentication_error', code: 'unauthenticated' });

    await new Promise((resolve) => setTimeout(resolve, 50)); // the line is written when the socket's response closes
    for (const [id, status, level] of [
      [whole.response.headers.get('x-request-id')!, 200, 30],
      [streamed.response.headers.get('x-request-id')!, 200, 30],
      ['refused-call-1', 401, 40],
    ] as const) {
      expect(accessLines(id)).toEqual([
        expect.objectContaining({
          level,
          req: expect.objectContaining({ id, method: 'POST', path: '/v1/chat/completions' }),
          res: { statusCode: status },
        }),
      ]);
    }
  });

  it('below info, logs a refused call’s line and not a successful one’s, as pino-http would', async () => {
    const messages = [{ role: 'user' as const, content: 'quietly' }];
    PinoLogger.root.level = 'warn';
    try {
      const ok = await client.chat.completions.create({ model: 'team-gpt', messages }).withResponse();
      const refused = await fetch(`${base}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: 'Bearer sbk_not-a-real-key', 'content-type': 'application/json', 'x-request-id': 'refused-at-warn' },
        body: JSON.stringify({ model: 'team-gpt', messages }),
      });
      expect(refused.status).toBe(401);
      await refused.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(accessLines(ok.response.headers.get('x-request-id')!)).toEqual([]);
      expect(accessLines('refused-at-warn')).toEqual([expect.objectContaining({ level: 40, res: { statusCode: 401 } })]);
    } finally {
      PinoLogger.root.level = 'info';
    }
  });

  it('answers refusals made before the route (bad JSON, too large, wrong type, no such path) in OpenAI’s shape', async () => {
    const send = (path: string, body: string, type = 'application/json') =>
      fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': type }, body });
    const tooLarge = JSON.stringify({ model: 'team-gpt', messages: [{ role: 'user', content: 'x'.repeat(1_100_000) }] });
    const answers = [
      await send('/v1/chat/completions', '{"model":'),
      await send('/v1/chat/completions', tooLarge),
      await send('/v1/chat/completions', '<chat/>', 'application/xml'),
      await send('/v1/no-such-route', '{}'),
      await fetch(`${base}/v1/no-such-route`, { headers: { authorization: `Bearer ${secret}` } }),
    ];
    expect(answers.map((res) => res.status)).toEqual([400, 413, 415, 404, 404]);
    for (const res of answers) {
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toEqual({
        error: { message: expect.any(String), type: 'invalid_request_error', param: null, code: expect.any(String) },
      });
    }
  });

  it('records 499 client_closed for a whole and a streamed call, and logs neither as a server error', async () => {
    const messages = [{ role: 'user' as const, content: 'never mind' }];
    fake.enqueue({ latencyMs: 3_000 });
    const seen = fake.requests.length;
    const whole = new AbortController();
    const pending = client.chat.completions.create({ model: 'team-gpt', messages }, { signal: whole.signal });
    while (fake.requests.length === seen) await new Promise((resolve) => setTimeout(resolve, 10));
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
