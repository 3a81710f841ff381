import { fakeReply, OllamaFake } from '../fakes/index.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { aKnowledgeBase, ollamaModels, upload, waitForDocument, type KnowledgeSetup } from './support.js';

const POLICY = `# Travel policy

## Flights

Book economy class for flights under six hours. Business class needs a director's approval.

## Hotels

Hotels are booked through the travel desk, up to 180 euros per night in capital cities.
`;

describe('conversations grounded on a knowledge base', () => {
  let t: TestApp;
  let fake: OllamaFake;
  let setup: KnowledgeSetup;
  let member: { token: string };
  let kb: Record<string, any>;
  let docId: string;

  beforeAll(async () => {
    fake = await new OllamaFake().start();
    t = await startTestApp({ env: { SEED_REGISTRY: 'false' } });
    await t.req('put', '/api/v1/settings/upstream.max_retries').send({ value: 0 });
    setup = await ollamaModels(t, fake);
    member = await t.userWithRole('member');
    kb = await aKnowledgeBase(t, setup, { name: 'Travel' });
    const res = await upload(t, kb.id, POLICY, 'travel.md', 'text/markdown');
    docId = res.body.document.id;
    await waitForDocument(t, kb.id, docId);
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  it('retrieves passages for each message, sends them in the prompt and stores them as the reply’s sources', async () => {
    const conversation = await t.req('post', '/api/v1/conversations', member.token).send({ knowledge_base_id: kb.id });
    expect(conversation.status).toBe(201);
    expect(conversation.body.model_id).toBe(setup.generation.id);
    fake.reset();
    const question = 'What is the hotel budget per night in capital cities?';
    const res = await t.req('post', `/api/v1/conversations/${conversation.body.id}/messages`, member.token).send({ content: question });
    expect(res.status).toBe(201);
    const reply = res.body.assistant_message;
    expect(reply).toMatchObject({ status: 'complete', content: fakeReply(question) });
    expect(reply.sources.length).toBeGreaterThan(0);
    expect(reply.sources[0]).toMatchObject({ document_id: docId, title: 'Travel policy', anchor: 'hotels', score: expect.any(Number) });

    const chat = fake.requests.find((r) => r.path === '/api/chat')!;
    const system = (chat.body as { messages: { role: string; content: string }[] }).messages.find((m) => m.role === 'system')!;
    expect(system.content).toContain('knowledge base "Travel"');
    expect(system.content).toContain('[1] Travel policy › Hotels\nHotels are booked through the travel desk');

    const stored = await t.req('get', `/api/v1/conversations/${conversation.body.id}`, member.token);
    expect(stored.body.messages[1].sources).toEqual(reply.sources);
    expect(stored.body.messages[0].sources).toEqual([]);
  });

  it('keeps only the passages that fit the context budget', async () => {
    const small = await t.req('post', '/api/v1/models').send({
      provider_id: setup.provider.id,
      display_name: 'Tiny context',
      model_id: 'llama3.2',
      type: 'generation',
      params: { context_window: 220, max_output_tokens: 100 },
    });
    const conversation = await t
      .req('post', '/api/v1/conversations', member.token)
      .send({ knowledge_base_id: kb.id, model_id: small.body.id });
    const res = await t
      .req('post', `/api/v1/conversations/${conversation.body.id}/messages`, member.token)
      .send({ content: 'flights economy business approval' });
    expect(res.status).toBe(201);
    // (220 - 100) / 2 = 60 tokens of context: the header and one passage fit, not both passages.
    expect(res.body.assistant_message.sources).toHaveLength(1);
    expect(res.body.assistant_message.sources[0].anchor).toBe('flights');
  });

  it('goes on without a deleted knowledge base, also on the instance that served the conversation’s last turn', async () => {
    const doomed = await aKnowledgeBase(t, setup, { name: 'Short-lived' });
    await waitForDocument(t, doomed.id, (await upload(t, doomed.id, POLICY, 'travel.md', 'text/markdown')).body.document.id);
    const conversation = await t.req('post', '/api/v1/conversations', member.token).send({ knowledge_base_id: doomed.id });
    const path = `/api/v1/conversations/${conversation.body.id}/messages`;
    const first = await t.req('post', path, member.token).send({ content: 'hotel budget per night' });
    expect(first.body.assistant_message.sources.length).toBeGreaterThan(0);
    expect((await t.req('delete', `/api/v1/knowledge-bases/${doomed.id}`)).status).toBe(204);
    fake.reset();
    const after = await t.req('post', path, member.token).send({ content: 'and for flights?' });
    expect(after.status).toBe(201);
    expect(after.body.assistant_message).toMatchObject({ status: 'complete', sources: [] });
    const chat = fake.requests.find((r) => r.path === '/api/chat')!;
    const prompt = (chat.body as { messages: { role: string; content: string }[] }).messages;
    expect(prompt.some((m) => m.content.includes('knowledge base "Short-lived"'))).toBe(false);
    expect((await t.req('get', `/api/v1/conversations/${conversation.body.id}`, member.token)).body.knowledge_base_id).toBeNull();
  });

  it('answers from full-text matches when the embedding model is down, instead of failing the turn', async () => {
    const conversation = await t.req('post', '/api/v1/conversations', member.token).send({ knowledge_base_id: kb.id });
    fake.enqueue({ status: 500 });
    const res = await t
      .req('post', `/api/v1/conversations/${conversation.body.id}/messages`, member.token)
      .send({ content: 'director approval for business class' });
    expect(res.status).toBe(201);
    expect(res.body.assistant_message.sources[0]).toMatchObject({ anchor: 'flights' });
    // The search endpoint itself reports the upstream failure.
    fake.enqueue({ status: 500 });
    const search = await t.req('post', `/api/v1/knowledge-bases/${kb.id}/search`, member.token).send({ query: 'flights' });
    expect(search.status).toBe(502);
    expect(search.body.error_class).toBe('upstream_error');
  });
});
