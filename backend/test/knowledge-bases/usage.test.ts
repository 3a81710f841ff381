import { UsageRecorder } from '../../src/usage/usage-recorder.service.js';
import { OllamaFake } from '../fakes/index.js';
import { ownerClient } from '../support/database.js';
import { aModel } from '../support/registry.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { aKnowledgeBase, ollamaModels, upload, waitForDocument, type KnowledgeSetup } from './support.js';

const HANDBOOK =
  '# Handbook\n\n## Leave\n\nEveryone gets 25 days of paid leave a year.\n\n## Remote work\n\nRemote work is allowed two days a week.\n';

interface UsageRow {
  source: string;
  endpoint: string;
  user_id: string | null;
  api_key_id: string | null;
  model_id: string | null;
  status_code: number;
  error_class: string | null;
  input_tokens: number;
  output_tokens: number;
  cost_usd: string;
  expected_cost: string;
}

/** The embedding calls knowledge bases make are paid for at the provider: usage records them like any other call. */
describe('usage of knowledge bases’ embedding calls', () => {
  let t: TestApp;
  let fake: OllamaFake;
  let setup: KnowledgeSetup;
  let member: { id: string; email: string; token: string };
  let kb: Record<string, any>;

  async function usageSince(since: Date, source: string): Promise<UsageRow[]> {
    await t.app.get(UsageRecorder).flush();
    const db = await ownerClient(t.databaseUrl);
    try {
      const { rows } = await db.query(
        `SELECT u.source, u.endpoint, u.user_id, u.api_key_id, u.model_id, u.status_code, u.error_class, u.input_tokens, u.output_tokens,
                u.cost_usd::text, (u.input_tokens * m.input_price_per_million / 1000000)::numeric(24, 12)::text AS expected_cost
           FROM usage_events u JOIN models m ON m.id = u.model_id
          WHERE u.occurred_at >= $1 AND u.source = $2 ORDER BY u.id`,
        [since, source],
      );
      return rows as UsageRow[];
    } finally {
      await db.end();
    }
  }

  beforeAll(async () => {
    fake = await new OllamaFake().start();
    t = await startTestApp({ env: { SEED_REGISTRY: 'false' } });
    await t.req('put', '/api/v1/settings/upstream.max_retries').send({ value: 0 });
    setup = await ollamaModels(t, fake);
    const priced = await t
      .req('patch', `/api/v1/models/${setup.embedding.id}`)
      .send({ pricing: { input_per_million: '0.13', output_per_million: '0' } });
    expect(priced.status).toBe(200);
    member = await t.userWithRole('member');
    kb = await aKnowledgeBase(t, setup);
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  const embedCalls = () => fake.requests.filter((r) => r.path === '/api/embed').length;

  it('records indexing a document: each embedding call’s tokens and their cost, charged to no user', async () => {
    const since = new Date();
    fake.reset();
    const doc = await upload(t, kb.id, HANDBOOK, 'handbook.md', 'text/markdown');
    await waitForDocument(t, kb.id, doc.body.document.id, ['indexed']);
    const rows = await usageSince(since, 'indexing');
    // The workers' loops may share the document's chunks out: one row per call the upstream got.
    expect(embedCalls()).toBeGreaterThan(0);
    expect(rows).toHaveLength(embedCalls());
    for (const row of rows) {
      expect(row).toMatchObject({
        endpoint: 'knowledge-bases.indexing',
        user_id: null,
        api_key_id: null,
        model_id: setup.embedding.id,
        status_code: 200,
        error_class: null,
        output_tokens: 0,
      });
      expect(row.input_tokens).toBeGreaterThan(0);
      expect(row.cost_usd).not.toBe('0.000000000000');
      expect(row.cost_usd).toBe(row.expected_cost);
    }
  });

  it('records a search’s query embedding, charged to whoever searched', async () => {
    const since = new Date();
    const search = await t.req('post', `/api/v1/knowledge-bases/${kb.id}/search`, member.token).send({ query: 'paid leave' });
    expect(search.status).toBe(200);
    const rows = await usageSince(since, 'retrieval');
    expect(rows).toEqual([
      expect.objectContaining({ endpoint: 'knowledge-bases.search', user_id: member.id, model_id: setup.embedding.id, status_code: 200 }),
    ]);
    expect(rows[0]!.input_tokens).toBeGreaterThan(0);
    expect(rows[0]!.cost_usd).toBe(rows[0]!.expected_cost);
  });

  it('records a conversation’s retrieval beside its reply, both charged to the conversation’s owner', async () => {
    const conversation = await t.req('post', '/api/v1/conversations', member.token).send({ knowledge_base_id: kb.id });
    expect(conversation.status).toBe(201);
    const since = new Date();
    const res = await t
      .req('post', `/api/v1/conversations/${conversation.body.id}/messages`, member.token)
      .send({ content: 'How many days of leave do I get?' });
    expect(res.status).toBe(201);
    expect(await usageSince(since, 'retrieval')).toEqual([
      expect.objectContaining({ endpoint: 'conversations.messages', user_id: member.id, model_id: setup.embedding.id, status_code: 200 }),
    ]);
    expect(await usageSince(since, 'conversation')).toEqual([
      expect.objectContaining({ endpoint: 'conversations.messages', user_id: member.id, model_id: setup.generation.id, status_code: 200 }),
    ]);
  });

  it('records an indexing call the upstream refused, with its error class and no cost', async () => {
    const refused = await aModel(t, setup.provider.id, {
      type: 'embedding',
      model_id: 'nomic-embed-text-fail-401',
      params: { dimensions: 768 },
    });
    const other = await aKnowledgeBase(t, { ...setup, embedding: refused });
    const since = new Date();
    fake.reset();
    const doc = await upload(t, other.id, HANDBOOK, 'handbook.md', 'text/markdown');
    await waitForDocument(t, other.id, doc.body.document.id, ['failed']);
    const rows = await usageSince(since, 'indexing');
    expect(rows).toHaveLength(embedCalls());
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row).toMatchObject({ model_id: refused.id, error_class: 'authentication_error', input_tokens: 0, cost_usd: '0.000000000000' });
      expect(row.status_code).toBeGreaterThanOrEqual(400);
    }
  });

  it('shows in the usage report: the embedding model with its cost, and indexing as no user’s and no API key’s', async () => {
    await t.app.get(UsageRecorder).flush();
    const totals = async (groupBy: string) => {
      const res = await t.req('get', `/api/v1/usage?group_by=${groupBy}`);
      expect(res.status).toBe(200);
      return res.body.totals as { key: string; label: string; requests: number; cost_usd: string }[];
    };
    const embedding = (await totals('model')).find((row) => row.key === setup.embedding.id);
    expect(embedding).toMatchObject({ label: setup.embedding.display_name, requests: expect.any(Number) });
    expect(Number(embedding!.cost_usd)).toBeGreaterThan(0);
    expect((await totals('user')).map((row) => row.label)).toEqual(expect.arrayContaining(['(no user)', member.email]));
    expect((await totals('api_key')).map((row) => row.label)).toContain('(no API key)');
  });
});
