import { jest } from '@jest/globals';
import { request as httpRequest } from 'node:http';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { fakeReply, OpenAiFake } from '../fakes/index.js';
import { tokensOf } from '../../src/conversations/prompt-builder.js';
import { poolOf } from '../../src/database/prepared-query.js';
import { UsageRecorder } from '../../src/usage/usage-recorder.service.js';
import { waitForLockWaiters } from '../support/database.js';
import { aModel, aProvider, fieldsOf } from '../support/registry.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface SseEvent {
  event: string;
  data: any;
}

/** Reads an SSE response to its end (or until `stopAfter` events, then hangs up like a closed tab). */
function readSse(
  base: string,
  path: string,
  token: string,
  body: unknown,
  stopAfter?: number,
): Promise<{ status: number; headers: Record<string, any>; events: SseEvent[] }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, base);
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', 'content-type': 'application/json' },
      },
      (res) => {
        const events: SseEvent[] = [];
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event && data) events.push({ event, data: JSON.parse(data) });
            if (stopAfter !== undefined && events.length >= stopAfter) {
              req.destroy();
              resolve({ status: res.statusCode ?? 0, headers: res.headers, events });
              return;
            }
          }
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, events }));
        res.on('error', reject);
      },
    );
    req.on('error', (err) => (stopAfter !== undefined ? undefined : reject(err)));
    req.end(JSON.stringify(body));
  });
}

describe('conversations', () => {
  let t: TestApp;
  let fake: OpenAiFake;
  let base: string;
  let model: Record<string, any>;
  let member: { id: string; token: string };

  beforeAll(async () => {
    fake = await new OpenAiFake({ apiKeys: ['sk-conv-test'] }).start();
    t = await startTestApp({ env: { SEED_REGISTRY: 'false' } });
    await t.req('put', '/api/v1/settings/upstream.max_retries').send({ value: 0 });
    const provider = await aProvider(t, { kind: 'openai_compatible', api_base: `${fake.url}/v1`, api_key: 'sk-conv-test' });
    model = await aModel(t, provider.id, {
      display_name: 'Fake GPT',
      model_id: 'gpt-4o-mini',
      params: { context_window: 4096, max_output_tokens: 256 },
      pricing: { input_per_million: '0.15', output_per_million: '0.6' },
    });
    member = await t.userWithRole('member');
    await t.app.listen(0, '127.0.0.1');
    base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  const newConversation = async (token = member.token, body: Record<string, unknown> = {}) => {
    const res = await t.req('post', '/api/v1/conversations', token).send(body);
    expect(res.status).toBe(201);
    return res.body as Record<string, any>;
  };

  it('answers a message with both messages stored, usage counted and cost computed exactly', async () => {
    const conversation = await newConversation();
    expect(conversation.model_id).toBe(model.id);
    const res = await t
      .req('post', `/api/v1/conversations/${conversation.id}/messages`, member.token)
      .send({ content: 'Hello there, how are you?' });
    expect(res.status).toBe(201);
    const { user_message: user, assistant_message: assistant } = res.body;
    expect(user).toMatchObject({ role: 'user', seq: 1, status: 'complete', content: 'Hello there, how are you?' });
    expect(assistant).toMatchObject({ role: 'assistant', seq: 2, status: 'complete', content: fakeReply('Hello there, how are you?') });
    expect(assistant.input_tokens).toBeGreaterThan(0);
    expect(assistant.output_tokens).toBeGreaterThan(0);
    const expectedCost = (assistant.input_tokens * 150_000 + assistant.output_tokens * 600_000) / 1e12;
    expect(Number(assistant.cost.total_usd)).toBeCloseTo(expectedCost, 15);
    expect(assistant.cost).toMatchObject({ input_per_million: '0.15', output_per_million: '0.6', currency: 'USD' });
    expect(assistant.model).toMatchObject({ id: model.id, display_name: 'Fake GPT', model_id: 'gpt-4o-mini' });
    // Stored at one instant: the user's message is complete when it is created; the reply finishes later.
    expect(user.completed_at).toBe(user.created_at);
    expect(assistant.created_at).toBe(user.created_at);
    expect(Date.parse(assistant.completed_at)).toBeGreaterThanOrEqual(Date.parse(assistant.created_at));
    const full = await t.req('get', `/api/v1/conversations/${conversation.id}`, member.token);
    expect(full.body.title).toBe('Hello there, how are you?');
    expect(full.body.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant']);
    expect(full.body).toMatchObject({
      message_count: 2,
      input_tokens: assistant.input_tokens,
      output_tokens: assistant.output_tokens,
      cost_usd: assistant.cost.total_usd,
    });
    // What each message takes in a later prompt is stored with it, so a turn's read can trim in SQL.
    const rows = await t.app
      .get(DataSource)
      .query('SELECT history_tokens AS tokens FROM messages WHERE conversation_id = $1 ORDER BY seq', [conversation.id]);
    expect(rows.map((r: { tokens: number }) => r.tokens)).toEqual([tokensOf(user.content), tokensOf(assistant.content)]);
  });

  it('sends the history and the system prompt upstream, oldest first', async () => {
    const conversation = await newConversation(member.token, { system_prompt: 'Answer in one word.' });
    await t.req('post', `/api/v1/conversations/${conversation.id}/messages`, member.token).send({ content: 'first question' });
    fake.reset();
    await t.req('post', `/api/v1/conversations/${conversation.id}/messages`, member.token).send({ content: 'second question' });
    const sent = fake.requests.at(-1)!.body as { messages: { role: string; content: string }[] };
    expect(sent.messages.map((m) => `${m.role}:${m.content}`)).toEqual([
      'system:Answer in one word.',
      'user:first question',
      `assistant:${fakeReply('first question')}`,
      'user:second question',
    ]);
  });

  it('streams SSE events in order: user_message, deltas, assistant_message', async () => {
    const conversation = await newConversation();
    const { status, headers, events } = await readSse(base, `/api/v1/conversations/${conversation.id}/messages`, member.token, {
      content: 'stream this please',
    });
    expect(status).toBe(201);
    expect(headers['content-type']).toMatch(/^text\/event-stream/);
    const names = events.map((e) => e.event);
    expect(names[0]).toBe('user_message');
    expect(names.at(-1)).toBe('assistant_message');
    expect(names.slice(1, -1).every((n) => n === 'delta')).toBe(true);
    expect(names.length).toBeGreaterThan(3);
    const streamed = events
      .filter((e) => e.event === 'delta')
      .map((e) => e.data.text)
      .join('');
    expect(streamed).toBe(fakeReply('stream this please'));
    expect(events.at(-1)!.data).toMatchObject({ status: 'complete', content: streamed });
    expect(events.at(-1)!.data.ttft_ms).not.toBeNull();
  });

  it('starts a stream on a conversation this instance served last without reading it again; after a delete, a plain 404', async () => {
    const conversation = await newConversation();
    const path = `/api/v1/conversations/${conversation.id}/messages`;
    expect((await t.req('post', path, member.token).send({ content: 'first' })).status).toBe(201);
    const pool = poolOf(t.app.get(DataSource));
    const query = jest.spyOn(pool, 'query');
    const reads = () => query.mock.calls.filter(([config]) => (config as { name?: string }).name === 'turn-read').length;
    try {
      const streamed = await readSse(base, path, member.token, { content: 'second' });
      expect(streamed.status).toBe(201);
      expect(streamed.events.at(-1)!.data).toMatchObject({ status: 'complete', content: fakeReply('second') });
      expect(reads()).toBe(0);
      // Someone else's conversation is refused before the stream starts, kept state or not.
      const other = await t.userWithRole('member');
      const refused = await readSse(base, path, other.token, { content: 'not yours' });
      expect(refused.status).toBe(404);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect((await t.req('delete', `/api/v1/conversations/${conversation.id}`, member.token)).status).toBe(204);
      const gone = await readSse(base, path, member.token, { content: 'third' });
      expect(gone.status).toBe(404);
      expect(gone.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(gone.events).toEqual([]);
      expect(reads()).toBe(1);
    } finally {
      query.mockRestore();
    }
  });

  describe('nothing is lost when things fail', () => {
    const lastTwo = async (id: string) => (await t.req('get', `/api/v1/conversations/${id}`, member.token)).body.messages.slice(-2);

    it('upstream 500: the user message is kept and the reply is failed with the error class', async () => {
      const conversation = await newConversation();
      fake.enqueue({ status: 500 });
      const res = await t.req('post', `/api/v1/conversations/${conversation.id}/messages`, member.token).send({ content: 'will fail' });
      expect(res.status).toBe(502);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      expect(res.body.user_message_id).toBeDefined();
      const [user, assistant] = await lastTwo(conversation.id);
      expect(user).toMatchObject({ content: 'will fail', status: 'complete', id: res.body.user_message_id });
      expect(assistant).toMatchObject({ status: 'failed', content: '' });
      expect(assistant.error.class).toBe('upstream_error');
    });

    it('timeout: the reply is failed with timeout_error', async () => {
      const conversation = await newConversation();
      await t.req('patch', `/api/v1/providers/${model.provider.id}`).send({ config: { timeout_ms: 1000 } });
      fake.enqueue({ hang: true });
      try {
        const res = await t
          .req('post', `/api/v1/conversations/${conversation.id}/messages`, member.token)
          .send({ content: 'never answered' });
        expect(res.status).toBe(504);
        const [user, assistant] = await lastTwo(conversation.id);
        expect(user.content).toBe('never answered');
        expect(assistant).toMatchObject({ status: 'failed', error: { class: 'timeout_error' } });
      } finally {
        await t.req('patch', `/api/v1/providers/${model.provider.id}`).send({ config: {} });
      }
    });

    it('client gone mid-stream: the upstream call stops and the partial reply is kept as cancelled', async () => {
      const conversation = await newConversation();
      fake.enqueue({ chunkDelayMs: 150 });
      const { events } = await readSse(
        base,
        `/api/v1/conversations/${conversation.id}/messages`,
        member.token,
        { content: 'a long answer please, with many words to stream slowly' },
        3,
      );
      expect(events.map((e) => e.event)).toEqual(['user_message', 'delta', 'delta']);
      let assistant: any;
      for (let i = 0; i < 50; i++) {
        [, assistant] = await lastTwo(conversation.id);
        if (assistant.status !== 'streaming') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(assistant.status).toBe('cancelled');
      expect(assistant.content.length).toBeGreaterThan(0);
      // What was generated is still counted (estimated with a tokenizer), and flagged as such.
      expect(assistant.output_tokens).toBeGreaterThan(0);
      expect(assistant.input_tokens).toBeGreaterThan(0);
      expect(assistant.cost.estimated).toBe(true);
      expect(fakeReply('a long answer please, with many words to stream slowly').startsWith(assistant.content)).toBe(true);
    });

    it('malformed stream: the partial reply is kept as failed, and the client gets an error event', async () => {
      const conversation = await newConversation();
      fake.enqueue({ malformed: 'chunk', malformedChunkIndex: 2 });
      const { events } = await readSse(base, `/api/v1/conversations/${conversation.id}/messages`, member.token, {
        content: 'garbled stream',
      });
      expect(events[0].event).toBe('user_message');
      expect(events.at(-1)!.event).toBe('error');
      expect(events.at(-1)!.data).toMatchObject({ status: expect.any(Number), code: expect.stringMatching(/^upstream\./) });
      expect(events.at(-1)!.data.assistant_message).toMatchObject({ role: 'assistant', status: 'failed' });
      const [user, assistant] = await lastTwo(conversation.id);
      expect(user.content).toBe('garbled stream');
      expect(assistant.status).toBe('failed');
    });
  });

  it('serialises two messages sent at once: no interleaved history', async () => {
    const conversation = await newConversation();
    fake.reset();
    fake.setBehaviour({ latencyMs: 200 });
    try {
      const [a, b] = await Promise.all([
        t.req('post', `/api/v1/conversations/${conversation.id}/messages`, member.token).send({ content: 'one' }),
        t.req('post', `/api/v1/conversations/${conversation.id}/messages`, member.token).send({ content: 'two' }),
      ]);
      expect([a.status, b.status]).toEqual([201, 201]);
    } finally {
      fake.setBehaviour({});
    }
    // The second reply was asked for only after the first finished, with it in the history.
    const prompts = fake.requests.map((r) => (r.body as { messages: { role: string; content: string }[] }).messages);
    expect(prompts).toHaveLength(2);
    expect(prompts[1].map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(prompts[1][1].content).toBe(fakeReply(prompts[0][0].content));
    const messages = (await t.req('get', `/api/v1/conversations/${conversation.id}`, member.token)).body.messages;
    expect(messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(messages[1].content).toBe(fakeReply(messages[0].content));
    expect(messages[3].content).toBe(fakeReply(messages[2].content));
  });

  it('serialises sends to one conversation across two instances, and keeps the audit chain whole', async () => {
    const other = await startTestApp({ env: { SEED_REGISTRY: 'false' }, database: { name: t.databaseName, url: t.databaseUrl } });
    const locker = new Client({ connectionString: t.databaseUrl });
    await locker.connect();
    try {
      const conversation = await newConversation();
      fake.reset();
      // Both instances read the conversation as free, then their writes queue on the row held here:
      // the one that goes second must see that the first took the turn, and wait for it.
      await locker.query('BEGIN');
      await locker.query('SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE', [conversation.id]);
      const path = `/api/v1/conversations/${conversation.id}/messages`;
      // A send that is answered before its write queues (refused, failed) ends the wait, so its status shows below.
      let answered = false;
      const sends = Promise.all(
        ['one', 'two'].map((content, i) =>
          (i ? other : t)
            .req('post', path, member.token)
            .send({ content })
            .then((res) => ((answered = true), res)),
        ),
      );
      // Bounded, so a send stuck anywhere else fails the checks below instead of the test's timeout.
      await waitForLockWaiters(locker, { count: 2, statementPrefix: 'WITH touched AS', done: () => answered });
      await locker.query('COMMIT');
      expect((await sends).map((r) => r.status)).toEqual([201, 201]);
      // The second prompt carried the first exchange whole: the turns ran one after the other.
      const prompts = fake.requests.map((r) => (r.body as { messages: { role: string }[] }).messages.map((m) => m.role));
      expect(prompts.map((roles) => roles.length).sort()).toEqual([1, 3]);
      const messages = (await t.req('get', `/api/v1/conversations/${conversation.id}`, member.token)).body.messages;
      expect(messages.map((m: { seq: number }) => m.seq)).toEqual([1, 2, 3, 4]);
      for (const i of [0, 2]) {
        expect(messages[i].role).toBe('user');
        expect(messages[i + 1]).toMatchObject({ role: 'assistant', status: 'complete', content: fakeReply(messages[i].content) });
      }
      // Turns alternating between the instances: each finds the state it kept from its own last
      // turn stale, and reads afresh; every prompt still carries the whole history.
      for (const [content, instance] of [
        ['three', t],
        ['four', other],
        ['five', other],
        ['six', t],
      ] as const) {
        expect((await instance.req('post', path, member.token).send({ content })).status).toBe(201);
      }
      const later = fake.requests.slice(2).map((r) => (r.body as { messages: { content: string }[] }).messages);
      expect(later.map((m) => m.length)).toEqual([5, 7, 9, 11]);
      expect(later[3]!.filter((_, i) => i % 2 === 0).map((m) => m.content)).toEqual([
        expect.any(String),
        expect.any(String),
        'three',
        'four',
        'five',
        'six',
      ]);
      const sent = await t.req(
        'get',
        `/api/v1/audit-events?entity_type=conversation&entity_id=${conversation.id}&action=conversation.message_sent`,
      );
      const counts = sent.body.items.map((e: { changes: any }) => e.changes.message_count.after as number);
      expect(counts.sort((a: number, b: number) => a - b)).toEqual([2, 4, 6, 8, 10, 12]);
      expect((await t.req('get', '/api/v1/audit-events/verify')).body).toMatchObject({ valid: true });
    } finally {
      await locker.end();
      await other.close();
    }
  });

  it('a rename before the first message wins over the title from it; a deleted conversation answers 404', async () => {
    const conversation = await newConversation();
    expect((await t.req('patch', `/api/v1/conversations/${conversation.id}`, member.token).send({ title: 'Mine' })).status).toBe(200);
    expect((await t.req('post', `/api/v1/conversations/${conversation.id}/messages`, member.token).send({ content: 'hello' })).status).toBe(
      201,
    );
    expect((await t.req('get', `/api/v1/conversations/${conversation.id}`, member.token)).body.title).toBe('Mine');
    // The instance kept this conversation for its next turn; the turn must notice it is gone.
    expect((await t.req('delete', `/api/v1/conversations/${conversation.id}`, member.token)).status).toBe(204);
    const gone = await t.req('post', `/api/v1/conversations/${conversation.id}/messages`, member.token).send({ content: 'again' });
    expect(gone.status).toBe(404);
  });

  it('keeps conversations private: another member gets 404, an admin may look', async () => {
    const conversation = await newConversation();
    const other = await t.userWithRole('member');
    expect((await t.req('get', `/api/v1/conversations/${conversation.id}`, other.token)).status).toBe(404);
    expect((await t.req('post', `/api/v1/conversations/${conversation.id}/messages`, other.token).send({ content: 'x' })).status).toBe(404);
    expect((await t.req('delete', `/api/v1/conversations/${conversation.id}`, other.token)).status).toBe(404);
    expect((await t.req('get', '/api/v1/conversations', other.token)).body.items).toEqual([]);
    expect((await t.req('get', `/api/v1/conversations/${conversation.id}`)).status).toBe(200);
  });

  it('lists most recent first with a cursor, renames and deletes (messages go too), auditing', async () => {
    const user = await t.userWithRole('member');
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await newConversation(user.token, { title: `Chat ${i}` })).id);
    const first = await t.req('get', '/api/v1/conversations?limit=2', user.token);
    expect(first.body.items.map((c: { title: string }) => c.title)).toEqual(['Chat 2', 'Chat 1']);
    const second = await t.req('get', `/api/v1/conversations?limit=2&cursor=${first.body.next_cursor}`, user.token);
    expect(second.body.items.map((c: { title: string }) => c.title)).toEqual(['Chat 0']);
    expect(second.body.next_cursor).toBeNull();
    // A conversation moves up when its reply is stored (not when the turn starts: see decisions).
    const sent = await t.req('post', `/api/v1/conversations/${ids[1]}/messages`, user.token).send({ content: 'hello' });
    const top = (await t.req('get', '/api/v1/conversations?limit=1', user.token)).body.items[0];
    expect(top.id).toBe(ids[1]);
    expect(Date.parse(top.updated_at)).toBeGreaterThanOrEqual(Date.parse(sent.body.assistant_message.completed_at));
    expect((await t.req('patch', `/api/v1/conversations/${ids[0]}`, user.token).send({ title: 'Renamed' })).body.title).toBe('Renamed');
    await t.req('post', `/api/v1/conversations/${ids[0]}/messages`, user.token).send({ content: 'hi' });
    expect((await t.req('delete', `/api/v1/conversations/${ids[0]}`, user.token)).status).toBe(204);
    const [{ n }] = await t.app.get(DataSource).query('SELECT count(*)::int AS n FROM messages WHERE conversation_id = $1', [ids[0]]);
    expect(n).toBe(0);
    const events = await t.req('get', `/api/v1/audit-events?entity_type=conversation&entity_id=${ids[0]}`);
    expect(events.body.items.map((e: { action: string }) => e.action)).toEqual([
      'conversation.deleted',
      'conversation.message_sent',
      'conversation.updated',
      'conversation.created',
    ]);
  });

  it('filters the list by knowledge base, and by owner for admins only (a member naming another owner is refused)', async () => {
    const embedding = await aModel(t, model.provider.id, {
      model_id: 'text-embedding-3-small',
      type: 'embedding',
      params: { dimensions: 1536 },
    });
    const kb = await t
      .req('post', '/api/v1/knowledge-bases')
      .send({ name: `Handbook ${Date.now()}`, embedding_model_id: embedding.id, generation_model_id: model.id });
    expect(kb.status).toBe(201);
    const [alice, bob] = [await t.userWithRole('member'), await t.userWithRole('member')];
    const aliceOnKb = await newConversation(alice.token, { knowledge_base_id: kb.body.id, title: 'alice kb' });
    const alicePlain = await newConversation(alice.token, { title: 'alice plain' });
    const bobOnKb = await newConversation(bob.token, { knowledge_base_id: kb.body.id, title: 'bob kb' });
    const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((c) => c.id);

    expect(ids(await t.req('get', `/api/v1/conversations?knowledge_base_id=${kb.body.id}`, alice.token))).toEqual([aliceOnKb.id]);
    expect(ids(await t.req('get', `/api/v1/conversations?knowledge_base_id=${kb.body.id}`))).toEqual([bobOnKb.id, aliceOnKb.id]);
    expect(ids(await t.req('get', `/api/v1/conversations?owner_id=${alice.id}`))).toEqual([alicePlain.id, aliceOnKb.id]);
    expect(ids(await t.req('get', `/api/v1/conversations?owner_id=${alice.id}&knowledge_base_id=${kb.body.id}`))).toEqual([aliceOnKb.id]);
    expect(ids(await t.req('get', `/api/v1/conversations?owner_id=${alice.id}`, alice.token))).toEqual([alicePlain.id, aliceOnKb.id]);
    const refused = await t.req('get', `/api/v1/conversations?owner_id=${bob.id}`, alice.token);
    expect(refused.status).toBe(403);
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'owner_id' })]);
    expect((await t.req('get', '/api/v1/conversations?owner_id=not-a-uuid')).status).toBe(422);
  });

  it('refuses a message of only whitespace, or holding a NUL character, with 422 naming content, storing nothing', async () => {
    const conversation = await newConversation();
    for (const content of ['   ', '\n\t \r\n', 'a NUL \u0000 inside']) {
      const res = await t.req('post', `/api/v1/conversations/${conversation.id}/messages`, member.token).send({ content });
      expect(res.status).toBe(422);
      expect(fieldsOf(res.body)).toEqual(['content']);
    }
    expect((await t.req('get', `/api/v1/conversations/${conversation.id}`, member.token)).body.message_count).toBe(0);
    // Spacing around real text is the user's and is kept as sent.
    const kept = await t.req('post', `/api/v1/conversations/${conversation.id}/messages`, member.token).send({ content: '  hi  ' });
    expect(kept.body.user_message.content).toBe('  hi  ');
  });

  it('answers 422, not 500, for a NUL character in a field no validator checks, storing nothing', async () => {
    const before = (await t.req('get', '/api/v1/conversations?limit=100', member.token)).body.items.length;
    const res = await t.req('post', '/api/v1/conversations', member.token).send({ title: 'nul \u0000 title' });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'unstorable_text' });
    expect((await t.req('get', '/api/v1/conversations?limit=100', member.token)).body.items.length).toBe(before);
  });

  it('validates: empty content 422, too long 422, unknown model 422, deprecated model refused naming the successor', async () => {
    const conversation = await newConversation();
    expect((await t.req('post', `/api/v1/conversations/${conversation.id}/messages`, member.token).send({ content: '' })).status).toBe(422);
    expect(
      (await t.req('post', `/api/v1/conversations/${conversation.id}/messages`, member.token).send({ content: 'x'.repeat(32_001) })).status,
    ).toBe(422);
    expect(
      (await t.req('post', '/api/v1/conversations', member.token).send({ model_id: '6b1f0c7e-3a51-4c1e-9a0d-2f4f3b7f8a11' })).status,
    ).toBe(422);
    const old = await aModel(t, model.provider.id, { type: 'generation', model_id: 'gpt-4o-mini' });
    await t.req('patch', `/api/v1/models/${old.id}`).send({ status: 'deprecated', successor_id: model.id });
    const refused = await t.req('post', '/api/v1/conversations', member.token).send({ model_id: old.id });
    expect(refused.status).toBe(400);
    expect(refused.body.detail).toContain(`use its successor ${model.display_name}`);
  });

  it('limits messages per user per minute with 429 and Retry-After (setting), before anything is stored', async () => {
    await t.req('put', '/api/v1/settings/conversations.messages_per_minute_per_user').send({ value: 1 });
    try {
      const user = await t.userWithRole('member');
      const mine = await newConversation(user.token);
      expect((await t.req('post', `/api/v1/conversations/${mine.id}/messages`, user.token).send({ content: 'one' })).status).toBe(201);
      const second = await t
        .req('post', `/api/v1/conversations/${mine.id}/messages`, user.token)
        .set('accept', 'text/event-stream')
        .send({ content: 'two' });
      expect(second.status).toBe(429);
      expect(Number(second.headers['retry-after'])).toBeGreaterThan(0);
      expect((await t.req('get', `/api/v1/conversations/${mine.id}`, user.token)).body.message_count).toBe(2);
    } finally {
      await t.req('put', '/api/v1/settings/conversations.messages_per_minute_per_user').send({ value: 0 });
    }
  });

  it('records usage per call for the usage report', async () => {
    await t.app.get(UsageRecorder).flush();
    const report = await t.req('get', '/api/v1/usage?group_by=model');
    expect(report.status).toBe(200);
    const row = report.body.totals.find((r: { key: string }) => r.key === model.id);
    expect(row.requests).toBeGreaterThan(3);
    expect(row.errors).toBeGreaterThan(0);
    expect(row.label).toBe('Fake GPT');
    expect(row.latency_p50_ms).not.toBeNull();
  });
});
