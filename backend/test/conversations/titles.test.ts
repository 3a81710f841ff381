import { ConversationTitles } from '../../src/conversations/conversation-titles.js';
import { UsageRecorder } from '../../src/usage/usage-recorder.service.js';
import { OpenAiFake } from '../fakes/index.js';
import { ownerClient, waitForLockWaiters } from '../support/database.js';
import { aModel, aProvider } from '../support/registry.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const TITLE_SETTING = '/api/v1/settings/conversations.title_model';

/** A setting names a model that titles new conversations from their first message, after the reply. */
describe('generated conversation titles', () => {
  let t: TestApp;
  let fake: OpenAiFake;
  let member: { id: string; token: string };
  let provider: Record<string, any>;
  let chat: Record<string, any>;
  let titler: Record<string, any>;

  const titleCalls = () =>
    fake.requests.filter((r) => {
      const messages = (r.body as { messages?: { role: string; content: string }[] } | undefined)?.messages ?? [];
      return messages[0]?.role === 'system' && messages[0].content.startsWith('Write a title');
    });

  async function firstTurn(content: string, create: Record<string, unknown> = {}): Promise<string> {
    const created = await t.req('post', '/api/v1/conversations', member.token).send({ model_id: chat.id, ...create });
    expect(created.status).toBe(201);
    const sent = await t.req('post', `/api/v1/conversations/${created.body.id}/messages`, member.token).send({ content });
    expect(sent.status).toBe(201);
    return created.body.id as string;
  }

  const titleOf = async (id: string) => (await t.req('get', `/api/v1/conversations/${id}`, member.token)).body.title as string;
  const settled = () => t.app.get(ConversationTitles).settled();

  async function titledEvents(id: string): Promise<Record<string, any>[]> {
    const res = await t.req('get', `/api/v1/audit-events?entity_id=${id}&action=conversation.titled`);
    expect(res.status).toBe(200);
    return res.body.items;
  }

  beforeAll(async () => {
    fake = await new OpenAiFake({ apiKeys: ['sk-titles'] }).start();
    t = await startTestApp({ env: { SEED_REGISTRY: 'false' } });
    await t.req('put', '/api/v1/settings/upstream.max_retries').send({ value: 0 });
    provider = await aProvider(t, { kind: 'openai_compatible', api_base: `${fake.url}/v1`, api_key: 'sk-titles' });
    chat = await aModel(t, provider.id, { model_id: 'gpt-4o-mini', params: { context_window: 4096, max_output_tokens: 256 } });
    titler = await aModel(t, provider.id, {
      model_id: 'gpt-4o',
      pricing: { input_per_million: '0.5', output_per_million: '1.5' },
    });
    member = await t.userWithRole('member');
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });
  afterEach(async () => {
    await settled();
    await t.req('put', TITLE_SETTING).send({ value: null });
  });

  it('is off by default: the title is the first message cut short, and no model is asked', async () => {
    const setting = await t.req('get', TITLE_SETTING);
    expect(setting.body).toMatchObject({ value: null, default: null, type: 'generation_model', is_set: false });
    const before = titleCalls().length;
    const id = await firstTurn('What should I pack for a week in Lisbon in March?');
    await settled();
    expect(await titleOf(id)).toBe('What should I pack for a week in Lisbon in March?');
    expect(titleCalls()).toHaveLength(before);
  });

  it('accepts only an active generation model, or null', async () => {
    const embedding = await aModel(t, provider.id, { type: 'embedding', model_id: 'text-embedding-3-small' });
    const inactive = await aModel(t, provider.id, { model_id: 'gpt-old' });
    expect((await t.req('patch', `/api/v1/models/${inactive.id}`).send({ status: 'inactive' })).status).toBe(200);
    const cases: [unknown, RegExp][] = [
      ['not-a-uuid', /model id or null/],
      ['00000000-0000-4000-8000-000000000000', /does not name a model/],
      [embedding.id, /embedding model; titles need a generation model/],
      [inactive.id, /is inactive/],
    ];
    for (const [value, message] of cases) {
      const res = await t.req('put', TITLE_SETTING).send({ value });
      expect(res.status).toBe(422);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'value', message: expect.stringMatching(message) })]);
    }
    // Nothing refused was stored.
    expect((await t.req('get', TITLE_SETTING)).body.value).toBeNull();
    expect((await t.req('put', TITLE_SETTING).send({})).status).toBe(422);
    const set = await t.req('put', TITLE_SETTING).send({ value: titler.id });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ value: titler.id, is_set: true });
    expect((await t.req('put', TITLE_SETTING).send({ value: null })).body).toMatchObject({ value: null, is_set: true });
  });

  it('names a new conversation after its first reply: audited as the system, charged to the owner', async () => {
    expect((await t.req('put', TITLE_SETTING).send({ value: titler.id })).status).toBe(200);
    const before = titleCalls().length;
    const since = new Date();
    const id = await firstTurn('Plan a long weekend in Lisbon');
    await settled();
    // The fake answers "This is a fake reply to: <the last user message>".
    expect(await titleOf(id)).toBe('This is a fake reply to: Plan a long weekend in Lisbon');
    const calls = titleCalls().slice(before);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.body).toMatchObject({ model: 'gpt-4o', max_tokens: 24 });

    const [event, ...more] = await titledEvents(id);
    expect(more).toHaveLength(0);
    expect(event).toMatchObject({
      actor_type: 'system',
      entity_type: 'conversation',
      changes: { title: { before: 'Plan a long weekend in Lisbon', after: 'This is a fake reply to: Plan a long weekend in Lisbon' } },
    });

    await t.app.get(UsageRecorder).flush();
    const db = await ownerClient(t.databaseUrl);
    try {
      const { rows } = await db.query(
        `SELECT user_id, model_id, status_code, input_tokens, output_tokens, cost_usd::text,
                ((input_tokens * 0.5 + output_tokens * 1.5) / 1000000)::numeric(24, 12)::text AS expected
           FROM usage_events WHERE endpoint = 'conversations.title' AND occurred_at >= $1`,
        [since],
      );
      expect(rows).toEqual([
        expect.objectContaining({ user_id: member.id, model_id: titler.id, status_code: 200, expected: expect.any(String) }),
      ]);
      expect(rows[0].input_tokens).toBeGreaterThan(0);
      expect(rows[0].output_tokens).toBeGreaterThan(0);
      expect(rows[0].cost_usd).toBe(rows[0].expected);
    } finally {
      await db.end();
    }

    // Only the first exchange names a conversation.
    const again = await t.req('post', `/api/v1/conversations/${id}/messages`, member.token).send({ content: 'And in April?' });
    expect(again.status).toBe(201);
    await settled();
    expect(titleCalls().slice(before)).toHaveLength(1);
  });

  it('leaves a title the user gave, at creation or by renaming while the title was on its way', async () => {
    const slow = await aModel(t, provider.id, { model_id: 'gpt-4o-slow-400' });
    expect((await t.req('put', TITLE_SETTING).send({ value: slow.id })).status).toBe(200);
    const before = titleCalls().length;

    const given = await firstTurn('Compare two hiking routes', { title: 'Hiking' });
    const renamed = await firstTurn('Draft a packing list for Iceland');
    const patched = await t.req('patch', `/api/v1/conversations/${renamed}`, member.token).send({ title: 'Iceland list' });
    expect(patched.status).toBe(200);
    await settled();

    expect(await titleOf(given)).toBe('Hiking');
    expect(await titleOf(renamed)).toBe('Iceland list');
    // Asked for the untitled one only; its answer came after the rename and was dropped.
    expect(titleCalls().slice(before)).toHaveLength(1);
    expect(await titledEvents(renamed)).toHaveLength(0);
  });

  it('keeps the cut title when the title model fails, and records the failed call', async () => {
    const broken = await aModel(t, provider.id, { model_id: 'gpt-4o-fail-500' });
    expect((await t.req('put', TITLE_SETTING).send({ value: broken.id })).status).toBe(200);
    const since = new Date();
    const id = await firstTurn('Explain the offside rule');
    await settled();
    expect(await titleOf(id)).toBe('Explain the offside rule');
    expect(await titledEvents(id)).toHaveLength(0);
    await t.app.get(UsageRecorder).flush();
    const db = await ownerClient(t.databaseUrl);
    try {
      const { rows } = await db.query(
        `SELECT status_code, error_class, input_tokens FROM usage_events WHERE endpoint = 'conversations.title' AND occurred_at >= $1`,
        [since],
      );
      expect(rows).toEqual([{ status_code: 502, error_class: 'upstream_error', input_tokens: 0 }]);
    } finally {
      await db.end();
    }
  });

  it('keeps its model from being deleted, alone or with its provider, until the setting names another', async () => {
    const other = await aProvider(t, { kind: 'openai_compatible', api_base: `${fake.url}/v1`, api_key: 'sk-titles' });
    const named = await aModel(t, other.id, { model_id: 'gpt-4o-titles' });
    expect((await t.req('put', TITLE_SETTING).send({ value: named.id })).status).toBe(200);
    const deps = await t.req('get', `/api/v1/models/${named.id}/dependents`);
    expect(deps.body).toMatchObject({ settings: ['conversations.title_model'], blocks_delete: true });
    const refused = await t.req('delete', `/api/v1/models/${named.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ detail: expect.stringContaining('the setting conversations.title_model') });
    expect(refused.body.dependents.settings).toEqual(['conversations.title_model']);
    const cascade = await t.req('delete', `/api/v1/providers/${other.id}?cascade=models`);
    expect(cascade.status).toBe(409);
    expect(cascade.body.dependents.settings).toEqual(['conversations.title_model']);
    expect((await t.req('get', `/api/v1/models/${named.id}`)).status).toBe(200);
    expect((await t.req('put', TITLE_SETTING).send({ value: null })).status).toBe(200);
    expect((await t.req('get', `/api/v1/models/${named.id}/dependents`)).body).toMatchObject({ settings: [], blocks_delete: false });
    expect((await t.req('delete', `/api/v1/providers/${other.id}?cascade=models`)).status).toBe(204);
  });

  it('cannot come to name a model whose delete is committing', async () => {
    const doomed = await aModel(t, provider.id, { model_id: 'gpt-4o-doomed' });
    const db = await ownerClient(t.databaseUrl);
    try {
      // A delete in progress holds the model's row; the setting's write waits for it, then finds it gone.
      await db.query('BEGIN');
      await db.query('SELECT 1 FROM models WHERE id = $1 FOR UPDATE', [doomed.id]);
      const put = t
        .req('put', TITLE_SETTING)
        .send({ value: doomed.id })
        .then((res) => res);
      expect(await waitForLockWaiters(db)).toBe(1);
      await db.query('DELETE FROM models WHERE id = $1', [doomed.id]);
      await db.query('COMMIT');
      const res = await put;
      expect(res.status).toBe(422);
      expect(res.body.errors).toEqual([
        expect.objectContaining({ field: 'value', message: expect.stringMatching(/does not name a model/) }),
      ]);
      expect((await t.req('get', TITLE_SETTING)).body.value).toBeNull();
    } finally {
      await db.end();
    }
  });
});
