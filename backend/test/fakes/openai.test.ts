import OpenAI from 'openai';
import { estimateTokens, fakeEmbedding, fakeReply, fakeToolCall, promptTokens } from './content.js';
import { OPENAI_DEFAULT_KEY, OpenAiFake } from './openai.fake.js';
import { realmSafeFetch } from './realm-safe-fetch.js';

describe('OpenAI fake, driven by the official openai SDK', () => {
  let fake: OpenAiFake;
  let client: OpenAI;

  beforeAll(async () => {
    fake = await new OpenAiFake().start();
    client = new OpenAI({ apiKey: OPENAI_DEFAULT_KEY, baseURL: `${fake.url}/v1`, maxRetries: 0, timeout: 5_000 });
  });
  afterEach(() => fake.reset());
  afterAll(() => fake.close());

  const messages = [
    { role: 'system' as const, content: 'You are terse.' },
    { role: 'user' as const, content: 'Name three colours of the rainbow.' },
  ];
  const expectedPromptTokens = promptTokens(messages.map((m) => m.content));

  it('answers a whole chat completion with the deterministic reply and consistent usage', async () => {
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    const reply = fakeReply('Name three colours of the rainbow.');
    expect(completion.choices[0]?.message.content).toBe(reply);
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({
      prompt_tokens: expectedPromptTokens,
      completion_tokens: estimateTokens(reply),
      total_tokens: expectedPromptTokens + estimateTokens(reply),
    });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({ method: 'POST', path: '/v1/chat/completions', body: { model: 'gpt-4o-mini' } });
    expect(fake.requests[0]?.headers['authorization']).toBe(`Bearer ${OPENAI_DEFAULT_KEY}`);
  });

  it('streams the reply in several SSE chunks and sends the usage chunk with empty choices last', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const pieces: string[] = [];
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
      const piece = chunk.choices[0]?.delta.content;
      if (piece) pieces.push(piece);
    }
    const reply = fakeReply('Name three colours of the rainbow.');
    expect(pieces.join('')).toBe(reply);
    expect(pieces.length).toBeGreaterThanOrEqual(3);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ prompt_tokens: expectedPromptTokens, completion_tokens: estimateTokens(reply) });
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
  });

  it('frames the stream as SSE data lines ending with data: [DONE] (the SDK does not insist on it)', async () => {
    const response = await fetch(`${fake.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OPENAI_DEFAULT_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages, stream: true }),
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const frames = (await response.text()).split('\n\n').filter(Boolean);
    expect(frames.every((frame) => frame.startsWith('data: '))).toBe(true);
    expect(frames.at(-1)).toBe('data: [DONE]');
  });

  it('sends no usage chunk when the stream does not ask for it', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.every((c) => c.usage === undefined && c.choices.length === 1)).toBe(true);
  });

  it('answers JSON mode with a JSON object, and structured output with an instance of the schema', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' }, sunny: { type: 'boolean' } }, required: ['city', 'sunny'] };
    const messages = [{ role: 'user' as const, content: 'Lisbon' }];
    const json = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, response_format: { type: 'json_object' } });
    expect(JSON.parse(json.choices[0]!.message.content!)).toEqual({ answer: fakeReply('Lisbon') });
    const structured = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      response_format: { type: 'json_schema', json_schema: { name: 'weather', schema, strict: true } },
    });
    expect(JSON.parse(structured.choices[0]!.message.content!)).toEqual({ city: 'Lisbon', sunny: true });
  });

  it('stops at max_tokens with finish_reason "length"', async () => {
    const completion = await client.chat.completions.create({ model: 'gpt-4o', messages, max_completion_tokens: 3 });
    expect(completion.choices[0]?.finish_reason).toBe('length');
    expect(completion.usage?.completion_tokens).toBe(3);
    expect(fakeReply('Name three colours of the rainbow.').startsWith(completion.choices[0]!.message.content!)).toBe(true);
  });

  describe('tool calls', () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } },
      {
        type: 'function',
        function: {
          name: 'get_weather',
          parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } } },
        },
      },
    ];
    const ask = [{ role: 'user' as const, content: 'Paris' }];

    it('calls the tool tool_choice names, its string parameters set to the prompt', async () => {
      const completion = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: ask,
        tools,
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
      });
      const choice = completion.choices[0]!;
      expect(choice.finish_reason).toBe('tool_calls');
      expect(choice.message.content).toBeNull();
      expect(choice.message.tool_calls).toEqual([
        { id: expect.stringMatching(/^call_/), type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      ]);
      expect(fakeToolCall(tools, undefined, 'Paris')).toEqual({ name: 'get_time', arguments: '{}' });
      expect(fakeToolCall(tools, 'none', 'Paris')).toBeUndefined();
    });

    it('streams the call as the SDK’s stream helper assembles it, then answers the tool’s result', async () => {
      const stream = client.chat.completions.stream({
        model: 'gpt-4o-mini',
        messages: ask,
        tools,
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
      });
      const final = await stream.finalChatCompletion();
      const call = final.choices[0]!.message.tool_calls![0]! as OpenAI.ChatCompletionMessageFunctionToolCall;
      expect(final.choices[0]!.finish_reason).toBe('tool_calls');
      expect(call.function).toEqual({ name: 'get_weather', arguments: '{"city":"Paris"}' });

      const answered = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [...ask, final.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: 'sunny, 21 °C' }],
        tools,
      });
      expect(answered.choices[0]!.message.content).toBe(fakeReply('sunny, 21 °C'));
      expect(answered.choices[0]!.finish_reason).toBe('stop');
    });

    it('refuses a tool result that answers no call, as OpenAI does (400)', async () => {
      await expect(
        client.chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [...ask, { role: 'tool', tool_call_id: 'call_x', content: 'x' }],
        }),
      ).rejects.toMatchObject({ status: 400 });
    });
  });

  it("decodes the SDK's default base64 embeddings into the deterministic unit vector", async () => {
    const result = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello world' });
    expect(fake.requests[0]?.body).toMatchObject({ encoding_format: 'base64' });
    const vector = Array.from(result.data[0]!.embedding);
    expect(vector).toHaveLength(1536);
    const expected = fakeEmbedding('hello world', 1536);
    vector.forEach((value, i) => expect(value).toBeCloseTo(expected[i]!, 6));
    expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
    expect(result.usage.prompt_tokens).toBe(estimateTokens('hello world'));
  });

  it('embeds a batch as float arrays and honours dimensions', async () => {
    const result = await client.embeddings.create({
      model: 'text-embedding-3-large',
      input: ['first text', 'second text'],
      encoding_format: 'float',
      dimensions: 256,
    });
    expect(result.data.map((d) => d.index)).toEqual([0, 1]);
    expect(result.data.map((d) => d.embedding.length)).toEqual([256, 256]);
    expect(result.data[0]?.embedding).toEqual(fakeEmbedding('first text', 256));
    expect(result.data[0]?.embedding).not.toEqual(result.data[1]?.embedding);
  });

  it('lists and retrieves the catalogue', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(['gpt-4o-mini', 'gpt-4o', 'text-embedding-3-small', 'text-embedding-3-large']);
    await expect(client.models.retrieve('gpt-4o')).resolves.toMatchObject({ id: 'gpt-4o', object: 'model' });
  });

  it("refuses an unknown key with the SDK's AuthenticationError and OpenAI's body", async () => {
    const stranger = new OpenAI({ apiKey: 'sk-not-a-valid-key-1234', baseURL: `${fake.url}/v1`, maxRetries: 0 });
    const error = await stranger.chat.completions.create({ model: 'gpt-4o-mini', messages }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error).toMatchObject({ status: 401, code: 'invalid_api_key', type: 'invalid_request_error' });
    expect((error as Error).message).not.toContain('sk-not-a-valid-key-1234');
  });

  it('answers an unknown model with NotFoundError (model_not_found)', async () => {
    const error = await client.chat.completions.create({ model: 'gpt-9', messages }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error).toMatchObject({ status: 404, code: 'model_not_found' });
  });

  it('answers 429 with RateLimitError whose headers carry Retry-After', async () => {
    fake.enqueue({ status: 429, retryAfter: 2 });
    const error = await client.chat.completions.create({ model: 'gpt-4o-mini', messages }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).headers?.get('retry-after')).toBe('2');
    expect(error).toMatchObject({ code: 'rate_limit_exceeded' });
  });

  it("answers 500 and 403 with the SDK's typed errors", async () => {
    fake.enqueue({ status: 500 });
    fake.enqueue({ status: 403 });
    await expect(client.chat.completions.create({ model: 'gpt-4o-mini', messages })).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    await expect(client.chat.completions.create({ model: 'gpt-4o-mini', messages })).rejects.toBeInstanceOf(OpenAI.PermissionDeniedError);
    await expect(client.chat.completions.create({ model: 'gpt-4o-mini', messages })).resolves.toBeDefined();
  });

  it('lets SDK retries recover from failures queued for the next requests', async () => {
    fake.enqueue({ status: 503, retryAfter: 0 }, 2);
    const retrying = new OpenAI({ apiKey: OPENAI_DEFAULT_KEY, baseURL: `${fake.url}/v1`, maxRetries: 2 });
    const completion = await retrying.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(completion.choices[0]?.message.content).toBe(fakeReply('Name three colours of the rainbow.'));
    expect(fake.requests.map((r) => r.headers['x-stainless-retry-count'])).toEqual(['0', '1', '2']);
  });

  it('hangs until the SDK times out', async () => {
    fake.setBehaviour({ hang: true });
    const impatient = new OpenAI({
      apiKey: OPENAI_DEFAULT_KEY,
      baseURL: `${fake.url}/v1`,
      maxRetries: 0,
      timeout: 300,
      fetch: realmSafeFetch,
    });
    const started = Date.now();
    await expect(impatient.chat.completions.create({ model: 'gpt-4o-mini', messages })).rejects.toBeInstanceOf(
      OpenAI.APIConnectionTimeoutError,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('waits the configured latency before answering', async () => {
    fake.setBehaviour({ latencyMs: 200 });
    const started = Date.now();
    await client.models.list();
    expect(Date.now() - started).toBeGreaterThanOrEqual(195);
  });

  it('makes the SDK fail to parse a malformed body', async () => {
    fake.enqueue({ malformed: 'body' });
    await expect(client.chat.completions.create({ model: 'gpt-4o-mini', messages })).rejects.toMatchObject({ name: 'SyntaxError' });
  });

  it('makes the SDK fail on a malformed stream chunk', async () => {
    fake.enqueue({ malformed: 'chunk', malformedChunkIndex: 2 });
    // The SDK logs the unparsable chunk before throwing; that is expected here.
    const quiet = new OpenAI({ apiKey: OPENAI_DEFAULT_KEY, baseURL: `${fake.url}/v1`, maxRetries: 0, logLevel: 'off' });
    const stream = await quiet.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    const pieces: string[] = [];
    const consume = async () => {
      for await (const chunk of stream) pieces.push(chunk.choices[0]?.delta.content ?? '');
    };
    await expect(consume()).rejects.toThrow(/malformed server-sent event JSON/);
    expect(pieces).toHaveLength(2);
  });

  it('drops the connection mid-stream after K chunks', async () => {
    fake.enqueue({ dropAfterChunks: 3 });
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    let received = 0;
    const consume = async () => {
      for await (const _chunk of stream) received++;
    };
    await expect(consume()).rejects.toThrow();
    expect(received).toBe(3);
  });

  it('sends an in-stream error the SDK raises as an APIError', async () => {
    fake.enqueue({ streamErrorAfterChunks: 2, status: 500 });
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    const consume = async () => {
      for await (const _chunk of stream) void _chunk;
    };
    await expect(consume()).rejects.toMatchObject({ error: { type: 'server_error' } });
  });
});

describe('OpenAI-compatible server without the /v1 prefix (LiteLLM style)', () => {
  let fake: OpenAiFake;
  beforeAll(async () => {
    fake = await new OpenAiFake({ name: 'litellm', basePaths: ['/v1', ''], apiKeys: [] }).start();
  });
  afterAll(() => fake.close());

  it('answers at both the root and /v1, without auth when no keys are configured', async () => {
    for (const baseURL of [fake.url, `${fake.url}/v1`]) {
      const client = new OpenAI({ apiKey: 'anything', baseURL, maxRetries: 0 });
      const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
      expect(completion.choices[0]?.message.content).toBe(fakeReply('hi'));
    }
    expect(fake.requests.map((r) => r.path)).toEqual(['/chat/completions', '/v1/chat/completions']);
  });
});
