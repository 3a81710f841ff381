import type { Client } from 'pg';
import { MESSAGE_COLUMNS, toMessageResponse } from '../../src/conversations/conversation.mapper.js';
import type { Message } from '../../src/conversations/message.entity.js';
import { ownerClient } from '../support/database.js';
import { aModel, aProvider } from '../support/registry.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * GET /conversations/{id} writes its JSON from the rows' text (conversation-json.ts); it must say
 * exactly what the message mapper says for the same rows, whatever the columns hold.
 */
describe('reading a conversation', () => {
  let t: TestApp;
  let db: Client;
  let conversation: Record<string, any>;

  beforeAll(async () => {
    t = await startTestApp({ env: { SEED_REGISTRY: 'false' } });
    db = await ownerClient(t.databaseUrl);
    const provider = await aProvider(t, { kind: 'openai_compatible', api_base: 'http://127.0.0.1:9/v1', api_key: 'sk-read' });
    const model = await aModel(t, provider.id, { display_name: 'Read model', model_id: 'read-model' });
    conversation = (await t.req('post', '/api/v1/conversations').send({ model_id: model.id, title: 'Quotes "and" \\ slashes' })).body;
  });

  afterAll(async () => {
    await db?.end();
    await t?.close();
  });

  const rows: [string, Record<string, unknown>][] = [
    ['plain text, no fraction of a second, nothing optional', { content: 'Hello', created_at: '2026-01-02 03:04:05+00' }],
    [
      'escapes, unicode and line separators in content; microseconds truncated; a reply with everything',
      {
        role: 'assistant',
        content: 'She said "hi"\\ \n\ttab \u0001 ctrl, emoji 🎉, ünïcödé, \u2028 \u2029 </script>',
        sources: [{ document_id: 'd1', title: 'Doc "one" ✓', anchor: null, score: 0.1234567890123, chunk_id: 'c1' }],
        input_tokens: 12,
        output_tokens: 34,
        cost: {
          input_per_million: '0.15',
          output_per_million: '0.6',
          input_usd: '0.0000018',
          output_usd: '0.0000204',
          total_usd: '0.0000222',
          currency: 'USD',
        },
        latency_ms: 1234,
        ttft_ms: 56,
        model_snapshot: {
          id: 'm',
          display_name: 'Read model',
          model_id: 'read-model',
          provider_id: 'p',
          provider_name: 'P',
          provider_kind: 'openai_compatible',
        },
        created_at: '2026-06-30 23:59:59.999999+00',
        completed_at: '2026-07-01 00:00:01.1+02',
      },
    ],
    [
      'a failed reply with an error and an estimated cost',
      {
        role: 'assistant',
        status: 'failed',
        content: '',
        error: { class: 'upstream_error', message: 'Bad gateway: "upstream" said no', status: 502 },
        cost: { input_usd: '0', output_usd: '0', total_usd: '0', currency: 'USD', estimated: true },
        created_at: '1999-12-31 23:00:00.05-05:30',
        completed_at: '2000-01-01 00:00:00.000001+00',
      },
    ],
  ];

  it('answers the same JSON as the message mapper for every kind of column value', async () => {
    for (const [seq, [, m]] of rows.entries())
      await db.query(
        `INSERT INTO messages (conversation_id, seq, role, content, status, sources, error, input_tokens, output_tokens, cost,
           latency_ms, ttft_ms, model_snapshot, created_at, completed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
        [
          conversation.id,
          seq + 1,
          m.role ?? 'user',
          m.content,
          m.status ?? 'complete',
          JSON.stringify(m.sources ?? []),
          m.error ? JSON.stringify(m.error) : null,
          m.input_tokens ?? null,
          m.output_tokens ?? null,
          m.cost ? JSON.stringify(m.cost) : null,
          m.latency_ms ?? null,
          m.ttft_ms ?? null,
          m.model_snapshot ? JSON.stringify(m.model_snapshot) : null,
          m.created_at,
          m.completed_at ?? null,
        ],
      );
    const mapped = (await db.query(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 ORDER BY seq`, [conversation.id]))
      .rows as Message[];
    expect(mapped).toHaveLength(rows.length);

    const res = await t.req('get', `/api/v1/conversations/${conversation.id}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const { messages, ...head } = res.body;
    expect(head).toEqual(conversation);
    expect(messages).toEqual(JSON.parse(JSON.stringify(mapped.map(toMessageResponse))));
    // Same keys in the same order as the mapper writes them, so clients see one shape.
    expect(messages.map(Object.keys)).toEqual(mapped.map((m) => Object.keys(toMessageResponse(m))));
    expect(messages[1].created_at).toBe('2026-06-30T23:59:59.999Z');
    expect(messages[2].created_at).toBe('2000-01-01T04:30:00.050Z');
  });

  it('answers problem+json, not a conversation, for an id that is not there', async () => {
    const res = await t.req('get', '/api/v1/conversations/00000000-0000-4000-8000-000000000000');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
