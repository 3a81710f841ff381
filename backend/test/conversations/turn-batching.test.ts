import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { CHAIN_LOCK } from '../../src/audit/audit.service.js';
import { BEGIN_BATCH_SQL, DEFAULT_TITLE, FINISH_BATCH_SQL } from '../../src/conversations/turn-writes.js';
import { fakeReply, OpenAiFake } from '../fakes/index.js';
import { waitForLockWaiters } from '../support/database.js';
import { aModel, aProvider } from '../support/registry.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Turns sent to many conversations at once: their writes go to the database together (one
 * statement, one transaction) while an earlier one is in it, and each conversation still gets
 * exactly its own messages, totals and audit event.
 */
describe('turns of many conversations at once', () => {
  let t: TestApp;
  let fake: OpenAiFake;
  let member: { id: string; token: string };
  let locker: Client;

  beforeAll(async () => {
    fake = await new OpenAiFake({ apiKeys: ['sk-batch-test'] }).start();
    t = await startTestApp({ env: { SEED_REGISTRY: 'false' } });
    await t.req('put', '/api/v1/settings/upstream.max_retries').send({ value: 0 });
    const provider = await aProvider(t, { kind: 'openai_compatible', api_base: `${fake.url}/v1`, api_key: 'sk-batch-test' });
    await aModel(t, provider.id, {
      display_name: 'Fake GPT',
      model_id: 'gpt-4o-mini',
      params: { context_window: 4096, max_output_tokens: 256 },
      pricing: { input_per_million: '0.15', output_per_million: '0.6' },
    });
    member = await t.userWithRole('member');
    locker = new Client({ connectionString: t.databaseUrl });
    await locker.connect();
  });
  afterAll(async () => {
    await locker.end();
    await t.close();
    await fake.close();
  });

  const newConversation = async () => {
    const res = await t.req('post', '/api/v1/conversations', member.token).send({});
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const send = (id: string, content: string) => t.req('post', `/api/v1/conversations/${id}/messages`, member.token).send({ content });

  /** Holds the first conversation's row so its write waits in the database while the others queue behind it in the app. */
  async function whileFirstWriteWaits<T>(first: string, rest: () => Promise<T>): Promise<[Awaited<ReturnType<typeof send>>, T]> {
    await locker.query('BEGIN');
    await locker.query('SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE', [first]);
    // A supertest request goes out when it is first awaited or `then`ed.
    const firstSend = send(first, 'first in').then((res) => res);
    expect(await waitForLockWaiters(locker)).toBeGreaterThanOrEqual(1);
    const others = rest();
    await new Promise((r) => setTimeout(r, 1000));
    await locker.query('COMMIT');
    return [await firstSend, await others];
  }

  it('stores each conversation’s own messages, totals and audit event, in one transaction for the queued turns, the chain whole', async () => {
    const ids = await Promise.all(Array.from({ length: 12 }, () => newConversation()));
    const [first, ...rest] = ids;
    const [firstRes, restRes] = await whileFirstWriteWaits(first!, () =>
      Promise.all(rest.map((id, i) => send(id, `question number ${i} for ${id}`))),
    );
    expect([firstRes, ...restRes].map((r) => r.status)).toEqual(ids.map(() => 201));

    for (const [i, id] of rest.entries()) {
      const { user_message: user, assistant_message: assistant } = restRes[i]!.body;
      expect(user).toMatchObject({ conversation_id: id, seq: 1, content: `question number ${i} for ${id}` });
      expect(assistant).toMatchObject({ conversation_id: id, seq: 2, status: 'complete', content: fakeReply(user.content) });
      const stored = (await t.req('get', `/api/v1/conversations/${id}`, member.token)).body;
      expect(stored).toMatchObject({
        title: user.content,
        message_count: 2,
        input_tokens: assistant.input_tokens,
        output_tokens: assistant.output_tokens,
        cost_usd: assistant.cost.total_usd,
      });
      expect(stored.messages.map((m: { content: string }) => m.content)).toEqual([user.content, assistant.content]);
    }

    // Rows written by one statement share its transaction id: the queued turns went together.
    const { rows } = await locker.query(
      `SELECT count(DISTINCT xmin::text)::int AS transactions FROM messages WHERE conversation_id = ANY($1) AND role = 'user'`,
      [rest],
    );
    expect(rows[0].transactions).toBeLessThanOrEqual(2);

    const events = await t.req('get', `/api/v1/audit-events?action=conversation.message_sent&limit=100`);
    const sent = events.body.items.filter((e: { entity_id: string }) => ids.includes(e.entity_id));
    expect(sent.map((e: { entity_id: string }) => e.entity_id).sort()).toEqual([...ids].sort());
    expect((await t.req('get', '/api/v1/audit-events/verify')).body).toMatchObject({ valid: true });
  });

  it('a turn the batched statement cannot carry is stored on its own, as are the turns queued with it', async () => {
    const ids = await Promise.all(Array.from({ length: 4 }, () => newConversation()));
    const [first, odd, ...plain] = ids;
    // A lone surrogate: JSON (how a batch travels) refuses it, while a text parameter stores U+FFFD in its place.
    const [firstRes, [oddRes, ...plainRes]] = await whileFirstWriteWaits(first!, () =>
      Promise.all([send(odd!, 'lone \ud800 surrogate'), ...plain.map((id) => send(id, 'plain'))]),
    );
    expect([firstRes, oddRes, ...plainRes].map((r) => r!.status)).toEqual([201, 201, 201, 201]);
    expect(oddRes!.body.user_message.content).toBe('lone \ufffd surrogate');
    for (const id of ids) expect((await t.req('get', `/api/v1/conversations/${id}`, member.token)).body.message_count).toBe(2);
    expect((await t.req('get', '/api/v1/audit-events/verify')).body).toMatchObject({ valid: true });
  });

  it('a batched first write stores nothing for a conversation whose knowledge base is not the one its turn was built on', async () => {
    // What a turn built on a kept state would send after the conversation's knowledge base was deleted (or, here, never had one).
    const id = await newConversation();
    const turn = {
      id,
      seq: 1,
      content: 'stale',
      tokens: 1,
      sent_at: new Date(),
      snapshot: {},
      title: 'stale',
      expected: 0,
      kb: randomUUID(),
    };
    const { rows } = await locker.query(BEGIN_BATCH_SQL, [JSON.stringify([{ ...turn, audit: null }]), 30, DEFAULT_TITLE, CHAIN_LOCK]);
    expect(rows).toEqual([]);
    const stored = (await t.req('get', `/api/v1/conversations/${id}`, member.token)).body;
    expect(stored).toMatchObject({ message_count: 0, messages: [] });
  });

  it('finds the rows of a batch by key, not by reading the tables through, once they hold a few thousand rows', async () => {
    const id = await newConversation();
    await locker.query(
      `INSERT INTO conversations (owner_id, model_id, title)
       SELECT owner_id, model_id, 'filler ' || g FROM conversations CROSS JOIN generate_series(1, 2000) g WHERE id = $1`,
      [id],
    );
    await locker.query(
      `INSERT INTO messages (conversation_id, seq, role, content, status) SELECT $1, g, 'user', 'filler', 'complete' FROM generate_series(1, 4000) g`,
      [id],
    );
    await locker.query('ANALYZE conversations, messages');
    for (const [name, sql] of [
      ['begin', BEGIN_BATCH_SQL],
      ['finish', FINISH_BATCH_SQL],
    ]) {
      // The plan a prepared statement keeps: made without the batch's values. (EXPLAIN's
      // GENERIC_PLAN option would say it in one line, but only from PostgreSQL 16 on.)
      const params = Math.max(...[...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
      await locker.query(`PREPARE plan_of_${name} AS ${sql}`);
      await locker.query(`SET plan_cache_mode = force_generic_plan`);
      const { rows } = await locker.query(`EXPLAIN (FORMAT JSON) EXECUTE plan_of_${name}(${Array(params).fill('NULL').join(', ')})`);
      await locker.query(`RESET plan_cache_mode`);
      const scans: string[] = [];
      const walk = (node: { 'Node Type': string; 'Relation Name'?: string; Plans?: unknown[] }) => {
        if (node['Relation Name']) scans.push(`${node['Node Type']} on ${node['Relation Name']}`);
        for (const child of node.Plans ?? []) walk(child as typeof node);
      };
      walk(rows[0]['QUERY PLAN'][0].Plan);
      expect({ name, seqScans: scans.filter((s) => s.startsWith('Seq Scan')) }).toEqual({ name, seqScans: [] });
      expect(scans.length).toBeGreaterThan(0);
    }
  });
});
