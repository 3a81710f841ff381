import { estimateTokens, fakeEmbedding, fakeReply, promptTokens, startFakes, type Fakes, type OpenAiFake } from '../fakes/index.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { ALL_KINDS, client, drain, KINDS, providerEntity, providerWithModel, startKeylessFake, type UpstreamKind } from './support.js';

const SYSTEM = 'You are terse.';
const QUESTION = 'Name three colours of the rainbow.';
const messages = [
  { role: 'system' as const, content: SYSTEM },
  { role: 'user' as const, content: QUESTION },
];
const reply = fakeReply(QUESTION);
const usage = { inputTokens: promptTokens([SYSTEM, QUESTION]), outputTokens: estimateTokens(reply) };

describe('provider adapters against their fakes', () => {
  let t: TestApp;
  let fakes: Fakes;
  let keyless: OpenAiFake;

  beforeAll(async () => {
    [t, fakes, keyless] = await Promise.all([startTestApp({ env: { SEED_REGISTRY: 'false' } }), startFakes(), startKeylessFake()]);
  });
  afterEach(() => {
    fakes.reset();
    keyless.reset();
  });
  afterAll(async () => {
    await Promise.all([t.close(), fakes.close(), keyless.close()]);
  });

  const setup = (kind: UpstreamKind) => ({
    spec: KINDS[kind],
    fake: KINDS[kind].fake(fakes, keyless),
    body: KINDS[kind].provider(fakes, keyless),
  });

  describe.each(ALL_KINDS)('%s', (kind) => {
    it('answers a whole chat with the reply, the finish reason and the token usage', async () => {
      const { spec, fake, body } = setup(kind);
      const { model } = await providerWithModel(t, body, { model_id: spec.generation });
      const result = await client(t).chat(model, { messages });
      expect(result).toEqual({ text: reply, usage, finishReason: 'stop' });
      expect(fake.requests).toHaveLength(1);
    });

    it('streams the reply in several deltas and ends with the usage', async () => {
      const { spec, body } = setup(kind);
      const { model } = await providerWithModel(t, body, { model_id: spec.generation });
      const { events, error } = await drain(client(t).chatStream(model, { messages }));
      expect(error).toBeUndefined();
      const deltas = events.filter((e) => e.type === 'delta');
      expect(deltas.length).toBeGreaterThanOrEqual(3);
      expect(deltas.map((e) => (e.type === 'delta' ? e.text : '')).join('')).toBe(reply);
      expect(events.at(-1)).toEqual({ type: 'done', usage, finishReason: 'stop' });
    });

    it('passes the model’s default parameters (max_output_tokens cuts the reply)', async () => {
      const { spec, body } = setup(kind);
      const { model } = await providerWithModel(t, body, { model_id: spec.generation, params: { max_output_tokens: 3, temperature: 0.2 } });
      const result = await client(t).chat(model, { messages });
      expect(result.text).toBe(reply.slice(0, 12));
      expect(result.finishReason).toBe('length');
      expect(result.usage.outputTokens).toBe(3);
    });

    it('lists what the upstream serves', async () => {
      const { spec, fake, body } = setup(kind);
      const { provider } = await providerWithModel(t, body, { model_id: spec.generation });
      const listed = await client(t).listModels(await providerEntity(t, provider.id));
      const ids = listed.map((m) => m.id.replace(/:latest$/, ''));
      expect(ids).toEqual(expect.arrayContaining(fake.models.map((m) => m.id)));
    });

    if (KINDS[kind].embedding) {
      it('embeds in batches of the model’s batch_size and keeps the order', async () => {
        const { spec, fake, body } = setup(kind);
        const { id, dimensions } = spec.embedding!;
        const { model } = await providerWithModel(t, body, { model_id: id, type: 'embedding', params: { dimensions, batch_size: 2 } });
        const inputs = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
        const result = await client(t).embed(model, inputs);
        expect(result.embeddings).toHaveLength(5);
        result.embeddings.forEach((vector, i) => {
          expect(vector).toHaveLength(dimensions);
          fakeEmbedding(inputs[i]!, dimensions).forEach((value, j) => expect(vector[j]).toBeCloseTo(value, 5));
        });
        expect(fake.requests.filter((r) => /embed/i.test(r.path))).toHaveLength(3);
        expect(result.usage.inputTokens).toBeGreaterThan(0);
      });
    } else {
      it('refuses embeddings: the kind serves none', async () => {
        const { spec, fake, body } = setup(kind);
        const { model } = await providerWithModel(t, body, { model_id: spec.generation });
        await expect(client(t).embed(model, ['x'])).rejects.toMatchObject({ errorClass: 'invalid_request' });
        expect(fake.requests).toHaveLength(0);
      });
    }
  });

  it('speaks Chat Completions to LiteLLM itself: the body @ai-sdk/openai-compatible sends, key and extra headers', async () => {
    const { model } = await providerWithModel(
      t,
      { ...KINDS.litellm.provider(fakes, keyless), config: { extra_headers: { 'x-team': 'search' } } },
      { model_id: 'gpt-4o-mini', params: { max_output_tokens: 20, temperature: 0.2, top_p: 0.9, top_k: 5 } },
    );
    await client(t).chat(model, { messages, stop: ['END'] });
    await drain(client(t).chatStream(model, { messages }));
    const [whole, streamed] = fakes.litellm.requests;
    expect(whole!.path).toBe('/chat/completions');
    // top_k is not part of OpenAI's format: left out, as the SDK does.
    expect(whole!.body).toEqual({ model: 'gpt-4o-mini', messages, max_tokens: 20, temperature: 0.2, top_p: 0.9, stop: ['END'] });
    expect(streamed!.body).toEqual({
      model: 'gpt-4o-mini',
      messages,
      max_tokens: 20,
      temperature: 0.2,
      top_p: 0.9,
      stream: true,
      stream_options: { include_usage: true },
    });
    for (const request of [whole!, streamed!]) {
      expect(request.headers['authorization']).toBe(`Bearer ${fakes.keys.litellm}`);
      expect(request.headers['x-team']).toBe('search');
    }
  });

  it('sends the key only in headers, with the extra headers, never in the URL', async () => {
    const { model } = await providerWithModel(
      t,
      { ...KINDS.gemini.provider(fakes, keyless), config: { extra_headers: { 'x-team': 'search' } } },
      { model_id: 'gemini-2.0-flash' },
    );
    await client(t).chat(model, { messages });
    const request = fakes.gemini.requests[0]!;
    expect(request.query).toEqual({});
    expect(request.headers['x-goog-api-key']).toBe(fakes.keys.gemini);
    expect(request.headers['x-team']).toBe('search');
  });
});
