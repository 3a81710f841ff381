import OpenAI from 'openai';
import { DataSource } from 'typeorm';
import { fakeEmbedding, fakeReply, type OpenAiFake } from '../fakes/index.js';
import { UsageRecorder } from '../../src/usage/usage-recorder.service.js';
import { aModel } from '../support/registry.js';
import type { TestApp } from '../support/test-app.js';
import { gatewayClient, type GatewayFixture, startGatewayFixture } from './gateway-fixture.js';

describe('OpenAI-compatible gateway, driven by the official openai SDK', () => {
  let fixture: GatewayFixture;
  let t: TestApp;
  let openaiFake: OpenAiFake;
  let member: { id: string; token: string };
  let client: OpenAI;
  let base: string;

  beforeAll(async () => {
    fixture = await startGatewayFixture('openai_compatible');
    const { providers } = fixture;
    t = fixture.t;
    openaiFake = fixture.fakes.openai;
    await aModel(t, providers.openai.id, {
      display_name: 'team-gpt',
      model_id: 'gpt-4o-mini',
      capabilities: ['tools'],
      params: { context_window: 128000 },
      pricing: { input_per_million: '0.15', output_per_million: '0.6' },
    });
    await aModel(t, providers.ollama.id, { display_name: 'local-llama', model_id: 'llama3.2' });
    await aModel(t, providers.openai.id, {
      display_name: 'team-embed',
      model_id: 'text-embedding-3-small',
      type: 'embedding',
      params: { dimensions: 1536, batch_size: 2 },
    });
    await aModel(t, providers.anthropic.id, {
      display_name: 'team-claude',
      model_id: 'claude-haiku-4-5',
      params: { max_output_tokens: 1024 },
    });
    await aModel(t, providers.gemini.id, { display_name: 'team-gemini', model_id: 'gemini-2.5-flash' });
    await aModel(t, providers.gemini.id, {
      display_name: 'gemini-embed',
      model_id: 'text-embedding-004',
      type: 'embedding',
      params: { dimensions: 768 },
    });
    await aModel(t, providers.cohere.id, { display_name: 'team-command', model_id: 'command-r-08-2024' });
    await aModel(t, providers.cohere.id, {
      display_name: 'cohere-embed',
      model_id: 'embed-english-v3.0',
      type: 'embedding',
      params: { dimensions: 1024 },
    });
    ({ client, base, member } = await gatewayClient(t, 'sdk test'));
  });
  afterAll(() => fixture.close());

  /** Reads a streamed completion to its end: the text, every chunk's model name, and the usage chunks. */
  const drain = async (stream: AsyncIterable<OpenAI.ChatCompletionChunk>) => {
    let text = '';
    const models = new Set<string>();
    const usages: OpenAI.CompletionUsage[] = [];
    let finish: string | null = null;
    for await (const chunk of stream) {
      models.add(chunk.model);
      text += chunk.choices[0]?.delta?.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usages.push(chunk.usage);
    }
    return { text, models: [...models], usages, finish };
  };

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

  describe('streams through the byte pass-through relay (an OpenAI-format upstream)', () => {
    it('renames the model to its display name and forwards the usage chunk the client asked for', async () => {
      const stream = await client.chat.completions.create({
        model: 'team-gpt',
        messages: [{ role: 'user', content: 'relay this reply please' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      const { text, models, usages, finish } = await drain(stream);
      expect(text).toBe(fakeReply('relay this reply please'));
      expect(models).toEqual(['team-gpt']);
      expect(finish).toBe('stop');
      expect(usages).toHaveLength(1);
      expect(usages[0].completion_tokens).toBeGreaterThan(0);
      expect(usages[0].total_tokens).toBe(usages[0].prompt_tokens + usages[0].completion_tokens);
    });

    it('withholds the usage chunk Switchboard asked upstream for when the client did not', async () => {
      openaiFake.reset();
      const stream = await client.chat.completions.create({
        model: 'team-gpt',
        messages: [{ role: 'user', content: 'no usage for me' }],
        stream: true,
      });
      const { text, models, usages } = await drain(stream);
      expect(text).toBe(fakeReply('no usage for me'));
      expect(models).toEqual(['team-gpt']);
      expect(usages).toEqual([]);
      expect(openaiFake.requests.at(-1)!.body).toMatchObject({
        model: 'gpt-4o-mini',
        stream: true,
        stream_options: { include_usage: true },
      });
    });
  });

  describe.each([
    ['Anthropic', 'team-claude'],
    ['Gemini', 'team-gemini'],
    ['Cohere', 'team-command'],
  ])('translates to %s', (_kind, model) => {
    it('completes a chat whole', async () => {
      const completion = await client.chat.completions.create({
        model,
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: `Hello ${model}` },
        ],
      });
      expect(completion.model).toBe(model);
      expect(completion.choices[0].message).toMatchObject({ role: 'assistant', content: fakeReply(`Hello ${model}`) });
      expect(completion.choices[0].finish_reason).toBe('stop');
      expect(completion.usage!.prompt_tokens).toBeGreaterThan(0);
      expect(completion.usage!.completion_tokens).toBeGreaterThan(0);
    });

    it('streams a chat with a final usage chunk', async () => {
      const stream = await client.chat.completions.create({
        model,
        messages: [{ role: 'user', content: `Stream from ${model}` }],
        stream: true,
        stream_options: { include_usage: true },
      });
      const { text, models, usages, finish } = await drain(stream);
      expect(text).toBe(fakeReply(`Stream from ${model}`));
      expect(models).toEqual([model]);
      expect(finish).toBe('stop');
      expect(usages).toHaveLength(1);
      expect(usages[0].completion_tokens).toBeGreaterThan(0);
    });
  });

  it.each([
    ['Gemini', 'gemini-embed', 768],
    ['Cohere', 'cohere-embed', 1024],
  ])('embeds through %s', async (_kind, model, dimensions) => {
    const result = await client.embeddings.create({ model, input: ['one', 'two'], encoding_format: 'float' });
    expect(result.model).toBe(model);
    expect(result.data.map((d) => d.embedding.length)).toEqual([dimensions, dimensions]);
    expect(result.data[1].embedding[0]).toBeCloseTo(fakeEmbedding('two', dimensions)[0], 6);
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
    expect(gpt).toMatchObject({
      type: 'generation',
      context_window: 128000,
      capabilities: ['tools'],
      pricing: { input_per_million: '0.15' },
    });
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
        model: 'team-command',
        messages: [{ role: 'user', content: 'x' }],
        logprobs: true,
      }),
    ).rejects.toMatchObject({
      status: 422,
      param: 'logprobs',
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

  it('records refused calls (invalid body, unknown, wrong type, sunset, over budget) against the key, with no model', async () => {
    const secret = (await t.req('post', '/api/v1/api-keys', member.token).send({ name: 'refusals' })).body;
    const refused = new OpenAI({ apiKey: secret.secret, baseURL: `${base}/v1`, maxRetries: 0 });
    const statusOf = (call: Promise<unknown>) =>
      call.then(
        () => 200,
        (e: { status: number }) => e.status,
      );
    const chat = (model: string, extra: Record<string, unknown> = {}) =>
      statusOf(refused.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }], ...extra }));
    const ollama = (await t.req('get', '/api/v1/providers')).body.find((p: { kind: string }) => p.kind === 'ollama');
    const gone = await aModel(t, ollama.id, { display_name: 'gone-llama', model_id: 'llama3.2' });
    await t.req('post', '/api/v1/models/bulk').send({ action: 'deprecate', ids: [gone.id], sunset_at: '2099-01-01T00:00:00Z' });
    await t.req('patch', `/api/v1/models/${gone.id}`).send({ sunset_at: '2020-01-01T00:00:00Z' });

    const statuses = [
      await chat('team-command', { logprobs: true }),
      await statusOf(refused.embeddings.create({ model: 'team-embed', input: [] })),
      await chat('no-such-model'),
      await chat('team-embed'),
      await statusOf(refused.embeddings.create({ model: 'team-gpt', input: 'x' })),
      await chat('gone-llama'),
    ];
    await t.req('put', '/api/v1/settings/gateway.requests_per_minute_per_key').send({ value: 1 });
    try {
      statuses.push(await chat('team-gpt'), await chat('team-gpt'));
    } finally {
      await t.req('put', '/api/v1/settings/gateway.requests_per_minute_per_key').send({ value: 0 });
    }
    expect(statuses).toEqual([422, 422, 404, 400, 400, 410, 200, 429]);

    await t.app.get(UsageRecorder).flush();
    const report = await t.req('get', '/api/v1/usage?group_by=api_key');
    const row = report.body.totals.find((r: { key: string }) => r.key === secret.id);
    expect(row).toMatchObject({ requests: 8, errors: 7 });
    const events: { status_code: number; model_name: string; model_id: string | null; error_class: string; cost_usd: string }[] =
      await t.app
        .get(DataSource)
        .query(
          'SELECT status_code, model_name, model_id, error_class, cost_usd::text FROM usage_events WHERE api_key_id = $1 AND status_code <> 200 ORDER BY id',
          [secret.id],
        );
    expect(events.map((e) => [e.status_code, e.model_name, e.error_class])).toEqual([
      [422, 'team-command', 'validation_failed'],
      [422, 'team-embed', 'validation_failed'],
      [404, 'no-such-model', 'model_not_found'],
      [400, 'team-embed', 'model_wrong_type'],
      [400, 'team-gpt', 'model_wrong_type'],
      [410, 'gone-llama', 'model.sunset'],
      [429, 'team-gpt', 'rate_limit_exceeded'],
    ]);
    expect(events.every((e) => e.model_id === null && Number(e.cost_usd) === 0)).toBe(true);
  });

  it('records every call’s usage against the key', async () => {
    await t.app.get(UsageRecorder).flush();
    const report = await t.req('get', '/api/v1/usage?group_by=api_key');
    const row = report.body.totals.find((r: { label: string }) => r.label.startsWith('sdk test'));
    expect(row.requests).toBeGreaterThanOrEqual(8);
    expect(row.errors).toBeGreaterThanOrEqual(1);
  });
});
