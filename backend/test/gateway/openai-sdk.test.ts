import OpenAI from 'openai';
import { fakeEmbedding, fakeReply, OllamaFake, OpenAiFake } from '../fakes/index.js';
import { UsageRecorder } from '../../src/usage/usage-recorder.service.js';
import { aModel, aProvider } from '../support/registry.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('OpenAI-compatible gateway, driven by the official openai SDK', () => {
  let t: TestApp;
  let openaiFake: OpenAiFake;
  let ollamaFake: OllamaFake;
  let client: OpenAI;
  let key: string;
  let base: string;

  beforeAll(async () => {
    openaiFake = await new OpenAiFake({ apiKeys: ['sk-upstream'] }).start();
    ollamaFake = await new OllamaFake().start();
    t = await startTestApp({ env: { SEED_REGISTRY: 'false' } });
    await t.req('put', '/api/v1/settings/upstream.max_retries').send({ value: 0 });
    const openai = await aProvider(t, { kind: 'openai_compatible', api_base: `${openaiFake.url}/v1`, api_key: 'sk-upstream' });
    const ollama = await aProvider(t, { kind: 'ollama', api_base: ollamaFake.url });
    await aModel(t, openai.id, {
      display_name: 'team-gpt',
      model_id: 'gpt-4o-mini',
      params: { context_window: 128000 },
      pricing: { input_per_million: '0.15', output_per_million: '0.6' },
    });
    await aModel(t, ollama.id, { display_name: 'local-llama', model_id: 'llama3.2' });
    await aModel(t, openai.id, {
      display_name: 'team-embed',
      model_id: 'text-embedding-3-small',
      type: 'embedding',
      params: { dimensions: 1536, batch_size: 2 },
    });
    const member = await t.userWithRole('member');
    key = (await t.req('post', '/api/v1/api-keys', member.token).send({ name: 'sdk test' })).body.secret;
    await t.app.listen(0, '127.0.0.1');
    base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    client = new OpenAI({ apiKey: key, baseURL: `${base}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await t.close();
    await openaiFake.close();
    await ollamaFake.close();
  });

  it('completes a chat (whole) on an OpenAI-compatible and on an Ollama upstream', async () => {
    for (const model of ['team-gpt', 'local-llama']) {
      const completion = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Hi gateway' }] });
      expect(completion.object).toBe('chat.completion');
      expect(completion.model).toBe(model);
      expect(completion.choices[0].message.content).toBe(fakeReply('Hi gateway'));
      expect(completion.choices[0].finish_reason).toBe('stop');
      expect(completion.usage!.prompt_tokens).toBeGreaterThan(0);
      expect(completion.usage!.total_tokens).toBe(completion.usage!.prompt_tokens + completion.usage!.completion_tokens);
    }
  });

  it('streams a chat with a final usage chunk', async () => {
    const stream = await client.chat.completions.create({
      model: 'local-llama',
      messages: [{ role: 'user', content: 'stream to me' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined | null;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(chunks).toBeGreaterThan(3);
    expect(text).toBe(fakeReply('stream to me'));
    expect(usage!.completion_tokens).toBeGreaterThan(0);
  });

  it('embeds (the SDK asks for base64 by default) in batches of the model’s batch_size', async () => {
    openaiFake.reset();
    const result = await client.embeddings.create({ model: 'team-embed', input: ['a', 'b', 'c'] });
    expect(result.data).toHaveLength(3);
    expect(result.data[0].embedding).toHaveLength(1536);
    expect(result.data[2].embedding[0]).toBeCloseTo(fakeEmbedding('c', 1536)[0], 6);
    expect(openaiFake.requests.filter((r) => r.path === '/v1/embeddings')).toHaveLength(2);
    const floats = await client.embeddings.create({ model: 'team-embed', input: 'x', encoding_format: 'float' });
    expect(floats.data[0].embedding).toHaveLength(1536);
  });

  it('lists models by display name with extra registry fields', async () => {
    const page = await client.models.list();
    const ids = page.data.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['team-gpt', 'local-llama', 'team-embed']));
    const gpt = page.data.find((m) => m.id === 'team-gpt') as unknown as Record<string, unknown>;
    expect(gpt).toMatchObject({ type: 'generation', context_window: 128000, pricing: { input_per_million: '0.15' } });
    const one = await client.models.retrieve('team-gpt');
    expect(one.id).toBe('team-gpt');
  });

  it('answers errors in OpenAI’s shape, which the SDK turns into its typed errors', async () => {
    await expect(
      client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({
      status: 404,
      code: 'model_not_found',
    });
    await expect(
      client.chat.completions.create({
        model: 'team-gpt',
        messages: [{ role: 'user', content: 'x' }],
        tools: [{ type: 'function', function: { name: 'f' } }],
      }),
    ).rejects.toMatchObject({
      status: 422,
      param: 'tools',
    });
    const anonymous = new OpenAI({ apiKey: 'sbk_not-a-real-key', baseURL: `${base}/v1`, maxRetries: 0 });
    await expect(anonymous.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    openaiFake.enqueue({ status: 500 });
    await expect(client.chat.completions.create({ model: 'team-gpt', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
      status: 502,
    });
  });

  it('sends Deprecation and Sunset headers for a deprecated model, routes to the successor after sunset, and 410s without one', async () => {
    const provider = (await t.req('get', '/api/v1/providers')).body.find((p: { kind: string }) => p.kind === 'ollama');
    const next = (await t.req('get', '/api/v1/models?search=local-llama')).body.items[0];
    const old = await aModel(t, provider.id, { display_name: 'old-llama', model_id: 'llama3.2' });
    await t
      .req('post', '/api/v1/models/bulk')
      .send({ action: 'deprecate', ids: [old.id], successor_id: next.id, sunset_at: '2099-01-01T00:00:00Z' });
    const soon = await client.chat.completions.create({ model: 'old-llama', messages: [{ role: 'user', content: 'x' }] }).withResponse();
    expect(soon.response.headers.get('deprecation')).toMatch(/^@\d+$/);
    expect(soon.response.headers.get('sunset')).toBe('Thu, 01 Jan 2099 00:00:00 GMT');
    expect(soon.data.model).toBe('old-llama');
    await t.req('patch', `/api/v1/models/${old.id}`).send({ sunset_at: '2020-01-01T00:00:00Z' });
    const after = await client.chat.completions.create({ model: 'old-llama', messages: [{ role: 'user', content: 'x' }] }).withResponse();
    expect(after.data.model).toBe('local-llama');
    expect(after.response.headers.get('x-switchboard-routed-to')).toBe('local-llama');
    await t.req('patch', `/api/v1/models/${old.id}`).send({ successor_id: null });
    await expect(client.chat.completions.create({ model: 'old-llama', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
      status: 410,
    });
  });

  it('caps max_tokens at the model’s max_output_tokens on the way upstream', async () => {
    const provider = (await t.req('get', '/api/v1/providers')).body.find((p: { kind: string }) => p.kind === 'openai_compatible');
    await aModel(t, provider.id, {
      display_name: 'capped-gpt',
      model_id: 'gpt-4o-mini',
      params: { context_window: 8000, max_output_tokens: 50 },
    });
    openaiFake.reset();
    await client.chat.completions.create({ model: 'capped-gpt', messages: [{ role: 'user', content: 'x' }], max_tokens: 10_000 });
    expect((openaiFake.requests.at(-1)!.body as { max_tokens: number }).max_tokens).toBe(50);
  });

  it('limits requests per key per minute with 429 and Retry-After (setting)', async () => {
    await t.req('put', '/api/v1/settings/gateway.requests_per_minute_per_key').send({ value: 2 });
    try {
      const ask = () =>
        client.chat.completions.create({ model: 'team-gpt', messages: [{ role: 'user', content: 'x' }] }).then(
          () => [200, null],
          (e: { status: number; headers: Headers }) => [e.status, e.headers.get('retry-after')],
        );
      const outcomes = [await ask(), await ask(), await ask()];
      expect(outcomes.slice(0, 2)).toEqual([
        [200, null],
        [200, null],
      ]);
      expect(outcomes[2]).toEqual([429, expect.stringMatching(/^\d+$/)]);
    } finally {
      await t.req('put', '/api/v1/settings/gateway.requests_per_minute_per_key').send({ value: 0 });
    }
  });

  it('records every call’s usage against the key', async () => {
    await t.app.get(UsageRecorder).flush();
    const report = await t.req('get', '/api/v1/usage?group_by=api_key');
    const row = report.body.totals.find((r: { label: string }) => r.label.startsWith('sdk test'));
    expect(row.requests).toBeGreaterThanOrEqual(8);
    expect(row.errors).toBeGreaterThanOrEqual(1);
  });
});
