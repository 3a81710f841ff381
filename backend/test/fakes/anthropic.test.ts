import Anthropic from '@anthropic-ai/sdk';
import { ANTHROPIC_DEFAULT_KEY, AnthropicFake } from './anthropic.fake.js';
import { estimateTokens, fakeReply, promptTokens } from './content.js';
import { realmSafeFetch } from './realm-safe-fetch.js';

describe('Anthropic fake, driven by the official @anthropic-ai/sdk', () => {
  let fake: AnthropicFake;
  let client: Anthropic;
  const request = {
    model: 'claude-haiku-4-5',
    max_tokens: 1024,
    system: 'Be brief.',
    messages: [{ role: 'user' as const, content: 'What is the capital of France?' }],
  };
  const reply = fakeReply('What is the capital of France?');
  const inputTokens = promptTokens(['Be brief.', 'What is the capital of France?']);

  beforeAll(async () => {
    fake = await new AnthropicFake().start();
    client = new Anthropic({ apiKey: ANTHROPIC_DEFAULT_KEY, baseURL: fake.url, maxRetries: 0 });
  });
  afterEach(() => fake.reset());
  afterAll(() => fake.close());

  it('answers a whole message with text content and usage', async () => {
    const message = await client.messages.create(request);
    expect(message.content).toEqual([{ type: 'text', text: reply }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toMatchObject({ input_tokens: inputTokens, output_tokens: estimateTokens(reply) });
    const headers = fake.requests[0]!.headers;
    // @anthropic-ai/sdk 1.x sends the key as a Bearer token rather than x-api-key.
    expect(headers['authorization']).toBe(`Bearer ${ANTHROPIC_DEFAULT_KEY}`);
    expect(headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('streams the documented event sequence, and the SDK assembles the final message', async () => {
    const types: string[] = [];
    const stream = client.messages.stream(request);
    stream.on('streamEvent', (event) => types.push(event.type));
    const message = await stream.finalMessage();
    expect(message.content).toEqual([{ type: 'text', text: reply }]);
    expect(message.usage).toMatchObject({ input_tokens: inputTokens, output_tokens: estimateTokens(reply) });
    const deltas = types.filter((t) => t === 'content_block_delta').length;
    expect(deltas).toBeGreaterThanOrEqual(3);
    expect(types).toEqual([
      'message_start',
      'content_block_start',
      ...Array<string>(deltas).fill('content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
  });

  it('sends a ping event on the wire (the SDK filters it out)', async () => {
    const response = await fetch(`${fake.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': ANTHROPIC_DEFAULT_KEY, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ ...request, stream: true }),
    });
    const events = [...(await response.text()).matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(events.slice(0, 3)).toEqual(['message_start', 'content_block_start', 'ping']);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  });

  it('answers structured output (output_config.format) with an instance of the schema', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' }, sunny: { type: 'boolean' } }, required: ['city', 'sunny'] };
    const message = await client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 256,
      messages: [{ role: 'user', content: 'Lisbon' }],
      output_config: { format: { type: 'json_schema', schema } },
    });
    expect(message.content).toHaveLength(1);
    expect(JSON.parse((message.content[0] as Anthropic.TextBlock).text)).toEqual({ city: 'Lisbon', sunny: true });
  });

  it('stops at max_tokens with stop_reason "max_tokens"', async () => {
    const message = await client.messages.create({ ...request, max_tokens: 2 });
    expect(message.stop_reason).toBe('max_tokens');
    expect(message.usage.output_tokens).toBe(2);
  });

  describe('tool use', () => {
    const tools: Anthropic.Tool[] = [
      { name: 'get_time', input_schema: { type: 'object', properties: {} } },
      { name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } },
    ];
    const ask = { model: 'claude-haiku-4-5', max_tokens: 256, tools, messages: [{ role: 'user' as const, content: 'Paris' }] };

    it('answers with the tool tool_choice names, its string inputs set to the prompt', async () => {
      const message = await client.messages.create({ ...ask, tool_choice: { type: 'tool', name: 'get_weather' } });
      expect(message.stop_reason).toBe('tool_use');
      expect(message.content).toEqual([
        { type: 'tool_use', id: expect.stringMatching(/^toolu_/), name: 'get_weather', input: { city: 'Paris' } },
      ]);
      const auto = await client.messages.create(ask);
      expect(auto.content[0]).toMatchObject({ type: 'tool_use', name: 'get_time', input: {} });
    });

    it('streams the input as JSON pieces the SDK assembles, then answers the tool_result', async () => {
      const streamed = await client.messages.stream({ ...ask, tool_choice: { type: 'tool', name: 'get_weather' } }).finalMessage();
      const use = streamed.content[0] as Anthropic.ToolUseBlock;
      expect(use).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } });
      const answered = await client.messages.create({
        ...ask,
        messages: [
          ...ask.messages,
          { role: 'assistant', content: streamed.content },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'sunny, 21 °C' }] },
        ],
      });
      expect(answered.content).toEqual([{ type: 'text', text: fakeReply('sunny, 21 °C') }]);
      expect(answered.stop_reason).toBe('end_turn');
    });

    it('refuses a tool_result without its tool_use in the message before, as Anthropic does', async () => {
      await expect(
        client.messages.create({
          ...ask,
          messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_nobody', content: 'x' }] }],
        }),
      ).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    });
  });

  it('lists models with their context window and output limit', async () => {
    const models: Anthropic.ModelInfo[] = [];
    for await (const model of client.models.list({ limit: 2 })) models.push(model);
    expect(models.map((m) => m.id)).toEqual(['claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-opus-4-1']);
    expect(models[0]).toMatchObject({ type: 'model', max_input_tokens: 200_000, max_tokens: 64_000 });
    expect(fake.requests.map((r) => r.query['after_id'])).toEqual([undefined, 'claude-haiku-4-5']);
  });

  it('refuses an unknown key with AuthenticationError (authentication_error)', async () => {
    const stranger = new Anthropic({ apiKey: 'sk-ant-wrong', baseURL: fake.url, maxRetries: 0 });
    const error = await stranger.messages.create(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(error).toMatchObject({
      status: 401,
      type: 'authentication_error',
      error: { type: 'error', error: { type: 'authentication_error' } },
    });
  });

  it('requires the anthropic-version header', async () => {
    const response = await fetch(`${fake.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': ANTHROPIC_DEFAULT_KEY, 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' },
    });
  });

  it('answers an unknown model with NotFoundError and a missing max_tokens with BadRequestError', async () => {
    await expect(client.messages.create({ ...request, model: 'claude-0' })).rejects.toBeInstanceOf(Anthropic.NotFoundError);
    const { max_tokens: _omitted, ...withoutMaxTokens } = request;
    const error = await client.messages.create(withoutMaxTokens as typeof request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(error).toMatchObject({ type: 'invalid_request_error', apiMessage: 'max_tokens: Field required' });
  });

  it('answers 429 with RateLimitError and Retry-After, 500 with InternalServerError, 529 with OverloadedError', async () => {
    fake.enqueue({ status: 429, retryAfter: 7 });
    fake.enqueue({ status: 500 });
    fake.enqueue({ status: 529 });
    const rateLimited = await client.messages.create(request).catch((e: unknown) => e);
    expect(rateLimited).toBeInstanceOf(Anthropic.RateLimitError);
    expect((rateLimited as InstanceType<typeof Anthropic.RateLimitError>).headers?.get('retry-after')).toBe('7');
    await expect(client.messages.create(request)).rejects.toBeInstanceOf(Anthropic.InternalServerError);
    await expect(client.messages.create(request)).rejects.toMatchObject({ status: 529, type: 'overloaded_error' });
  });

  it('raises the in-stream `event: error` as an APIError of that type', async () => {
    fake.enqueue({ streamErrorAfterChunks: 4, status: 529 });
    const stream = await client.messages.create({ ...request, stream: true });
    const seen: string[] = [];
    const consume = async () => {
      for await (const event of stream) seen.push(event.type);
    };
    await expect(consume()).rejects.toMatchObject({ type: 'overloaded_error' });
    expect(seen).toEqual(['message_start', 'content_block_start', 'content_block_delta']);
  });

  it('hangs until the SDK times out', async () => {
    fake.setBehaviour({ hang: true });
    const impatient = new Anthropic({
      apiKey: ANTHROPIC_DEFAULT_KEY,
      baseURL: fake.url,
      maxRetries: 0,
      timeout: 300,
      fetch: realmSafeFetch,
    });
    await expect(impatient.messages.create(request)).rejects.toBeInstanceOf(Anthropic.APIConnectionTimeoutError);
  });

  it('makes the SDK fail on a malformed body and on a malformed stream chunk', async () => {
    fake.enqueue({ malformed: 'body' });
    await expect(client.messages.create(request)).rejects.toMatchObject({ name: 'SyntaxError' });
    fake.enqueue({ malformed: 'chunk', malformedChunkIndex: 3 });
    // The SDK logs the unparsable chunk before throwing; that is expected here.
    const quiet = new Anthropic({ apiKey: ANTHROPIC_DEFAULT_KEY, baseURL: fake.url, maxRetries: 0, logLevel: 'off' });
    const stream = await quiet.messages.create({ ...request, stream: true });
    const consume = async () => {
      for await (const event of stream) void event;
    };
    await expect(consume()).rejects.toMatchObject({ name: 'SyntaxError' });
  });

  it('drops the connection mid-stream', async () => {
    fake.enqueue({ dropAfterChunks: 4 });
    await expect(client.messages.stream(request).finalMessage()).rejects.toThrow();
  });
});
