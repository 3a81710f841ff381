import { OpenAiFake } from '../fakes/index.js';
import { aModel, aProvider } from '../support/registry.js';
import { accessLinesOf } from '../support/access-lines.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('POST /api/v1/conversations/{id}/messages, served by fastify directly', () => {
  let t: TestApp;
  let fake: OpenAiFake;
  let base: string;
  let member: { id: string; token: string };
  let conversationId: string;
  const path = () => `/api/v1/conversations/${conversationId}/messages`;

  beforeAll(async () => {
    fake = await new OpenAiFake({ apiKeys: ['sk-direct-turns'] }).start();
    t = await startTestApp({ env: { SEED_REGISTRY: 'false' } });
    await t.req('put', '/api/v1/settings/upstream.max_retries').send({ value: 0 });
    const provider = await aProvider(t, { kind: 'openai_compatible', api_base: `${fake.url}/v1`, api_key: 'sk-direct-turns' });
    await aModel(t, provider.id, { display_name: 'Direct GPT', model_id: 'gpt-4o-mini' });
    member = await t.userWithRole('member');
    conversationId = (await t.req('post', '/api/v1/conversations', member.token).send({})).body.id;
    await t.app.listen(0, '127.0.0.1');
    base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  const send = (body: unknown, options: { token?: string; requestId: string; accept?: string; to?: string }) =>
    fetch(`${base}${options.to ?? path()}`, {
      method: 'POST',
      headers: {
        ...(options.token && { authorization: `Bearer ${options.token}` }),
        'content-type': 'application/json',
        'x-request-id': options.requestId,
        ...(options.accept && { accept: options.accept }),
      },
      body: JSON.stringify(body),
    });

  const accessLines = (requestId: string) => accessLinesOf(t.logs, requestId);

  it('logs one access line per turn, JSON or streamed, and per refusal, with its request id, path and status', async () => {
    const json = await send({ content: 'Hello' }, { token: member.token, requestId: 'direct-turn-json' });
    expect(json.status).toBe(201);
    expect(((await json.json()) as { assistant_message: unknown }).assistant_message).toMatchObject({ status: 'complete' });
    const streamed = await send(
      { content: 'Hello again' },
      { token: member.token, requestId: 'direct-turn-sse', accept: 'text/event-stream' },
    );
    expect(streamed.status).toBe(201);
    expect(await streamed.text()).toMatch(/^event: user_message\n[\s\S]*event: assistant_message\n/m);
    const refused = await send({ content: 'Hello' }, { requestId: 'direct-turn-anonymous' });
    expect(refused.status).toBe(401);
    await refused.body?.cancel();

    await new Promise((resolve) => setTimeout(resolve, 50)); // the line is written when the socket's response closes
    for (const [id, status, level] of [
      ['direct-turn-json', 201, 30],
      ['direct-turn-sse', 201, 30],
      ['direct-turn-anonymous', 401, 40],
    ] as const) {
      expect(accessLines(id)).toEqual([
        expect.objectContaining({ level, req: expect.objectContaining({ id, method: 'POST', path: path() }), res: { statusCode: status } }),
      ]);
    }
  });

  it('refuses as the rest of the API does: problem+json naming the fields, with instance and request id', async () => {
    const auditor = await t.userWithRole('auditor');
    const someoneElse = await t.userWithRole('member');
    const cases = [
      { body: { content: 'hi' }, to: '/api/v1/conversations/not-a-uuid/messages', status: 422, fields: ['id'] },
      { body: { content: '' }, status: 422, fields: ['content'] },
      { body: { content: 'hi', temperature: 2 }, status: 422, fields: ['temperature'] },
      { body: [], status: 422, fields: undefined },
      { body: { content: 'hi' }, token: auditor.token, status: 403, fields: undefined },
      { body: { content: 'hi' }, token: someoneElse.token, status: 404, fields: undefined },
    ];
    for (const [i, c] of cases.entries()) {
      const requestId = `direct-turn-refused-${i}`;
      const res = await send(c.body, { token: c.token ?? member.token, requestId, to: c.to });
      expect({ case: i, status: res.status }).toEqual({ case: i, status: c.status });
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const problem = (await res.json()) as { status: number; instance: string; request_id: string; errors?: { field: string }[] };
      expect(problem).toMatchObject({ status: c.status, instance: c.to ?? path(), request_id: requestId });
      if (c.fields) expect(problem.errors?.map((e) => e.field)).toEqual(c.fields);
    }
    const stored = await t.req('get', `/api/v1/conversations/${conversationId}`, member.token);
    // Only the two turns of the first test were stored.
    expect(stored.body.message_count).toBe(4);
  });
});
