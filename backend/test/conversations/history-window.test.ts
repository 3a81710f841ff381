import type { Client } from 'pg';
import { DataSource } from 'typeorm';
import { readTurn } from '../../src/conversations/turn-store.js';
import { ownerClient } from '../support/database.js';
import { aModel, aProvider } from '../support/registry.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * A turn's read loads only the newest history that fits the cap by the stored token counts, so a
 * conversation with thousands of messages does not send (and have counted) all of them per turn.
 */
describe('the history a turn reads', () => {
  let t: TestApp;
  let db: Client;
  let modelId: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { SEED_REGISTRY: 'false' } });
    db = await ownerClient(t.databaseUrl);
    const provider = await aProvider(t, { kind: 'openai_compatible', api_base: 'http://127.0.0.1:9/v1', api_key: 'sk-window' });
    modelId = (await aModel(t, provider.id, { display_name: 'Window model', model_id: 'window-model' })).id;
  });

  afterAll(async () => {
    await db?.end();
    await t?.close();
  });

  /** A conversation holding these messages, seq 1.. in order. */
  async function conversationWith(messages: { content: string; tokens: number | null; status?: string }[]) {
    const { id } = (await t.req('post', '/api/v1/conversations').send({ model_id: modelId })).body as { id: string };
    for (const [i, m] of messages.entries())
      await db.query(`INSERT INTO messages (conversation_id, seq, role, content, status, history_tokens) VALUES ($1, $2, $3, $4, $5, $6)`, [
        id,
        i + 1,
        i % 2 ? 'assistant' : 'user',
        m.content,
        m.status ?? 'complete',
        m.tokens,
      ]);
    await db.query('UPDATE conversations SET message_count = $2 WHERE id = $1', [id, messages.length]);
    return id;
  }

  const read = async (id: string, cap: number) => (await readTurn(t.app.get(DataSource), id, cap))!.state.history;

  it('keeps the newest messages whose stored counts fit the cap, oldest first, with their counts', async () => {
    const id = await conversationWith(Array.from({ length: 8 }, (_, i) => ({ content: `message ${i + 1}`, tokens: 100 })));
    expect(await read(id, 350)).toEqual([
      { role: 'assistant', content: 'message 6', tokens: 100 },
      { role: 'user', content: 'message 7', tokens: 100 },
      { role: 'assistant', content: 'message 8', tokens: 100 },
    ]);
    expect((await read(id, 10_000)).map((m) => m.content)).toHaveLength(8);
    expect(await read(id, 99)).toEqual([]);
  });

  it('stops at the first message that does not fit, even if older ones would', async () => {
    const id = await conversationWith([
      { content: 'small and old', tokens: 10 },
      { content: 'too big', tokens: 5_000 },
      { content: 'newest', tokens: 10 },
    ]);
    expect((await read(id, 1_000)).map((m) => m.content)).toEqual(['newest']);
  });

  it('leaves out replies that are not complete or empty, and loads uncounted messages for the prompt builder to count', async () => {
    const id = await conversationWith([
      { content: 'stored before counts existed', tokens: null },
      { content: 'partial reply', tokens: null, status: 'failed' },
      { content: 'counted', tokens: 50 },
      { content: '', tokens: null, status: 'complete' },
      { content: 'latest', tokens: 50 },
    ]);
    expect(await read(id, 100)).toEqual([
      { role: 'user', content: 'stored before counts existed', tokens: null },
      { role: 'user', content: 'counted', tokens: 50 },
      { role: 'user', content: 'latest', tokens: 50 },
    ]);
  });

  it('answers nothing for a conversation that is not there', async () => {
    expect(await readTurn(t.app.get(DataSource), '00000000-0000-4000-8000-000000000000', 100)).toBeUndefined();
  });
});
