import { Cohere, CohereClientV2, CohereError, CohereTimeoutError } from 'cohere-ai';
import { COHERE_DEFAULT_KEY, CohereFake } from './cohere.fake.js';
import { estimateTokens, fakeEmbedding, fakeReply, promptTokens } from './content.js';

describe('Cohere fake, driven by the official cohere-ai SDK (v2 client)', () => {
  let fake: CohereFake;
  let client: CohereClientV2;
  const cohere = (token: string, timeoutInSeconds?: number) =>
    new CohereClientV2({ token, baseUrl: fake.url, maxRetries: 0, timeoutInSeconds });
  const messages = [
    { role: 'system' as const, content: 'Reply briefly.' },
    { role: 'user' as const, content: 'Tell me about whales.' },
  ];
  const reply = fakeReply('Tell me about whales.');
  const inputTokens = promptTokens(['Reply briefly.', 'Tell me about whales.']);

  beforeAll(async () => {
    fake = await new CohereFake().start();
    client = cohere(COHERE_DEFAULT_KEY);
  });
  afterEach(() => fake.reset());
  afterAll(() => fake.close());

  it('answers a whole chat with text content and token usage', async () => {
    const response = await client.chat({ model: 'command-a-03-2025', messages });
    expect(response.message.content).toEqual([{ type: 'text', text: reply }]);
    expect(response.finishReason).toBe('COMPLETE');
    expect(response.usage?.tokens).toEqual({ inputTokens, outputTokens: estimateTokens(reply) });
    expect(response.usage?.billedUnits).toMatchObject({ inputTokens, outputTokens: estimateTokens(reply) });
    expect(fake.requests[0]?.headers['authorization']).toBe(`Bearer ${COHERE_DEFAULT_KEY}`);
  });

  it('plans and calls a tool (whole and streamed in pieces), then answers the tool’s result', async () => {
    const tools = [
      {
        type: 'function' as const,
        function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
      },
    ];
    const ask = [{ role: 'user' as const, content: 'Paris' }];
    const whole = await client.chat({ model: 'command-r-08-2024', messages: ask, tools });
    expect(whole.finishReason).toBe('TOOL_CALL');
    expect(whole.message.toolPlan).toBe('I will call get_weather.');
    const call = whole.message.toolCalls![0]!;
    expect(call).toMatchObject({ type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } });

    let streamedArguments = '';
    const types = new Set<string>();
    for await (const event of await client.chatStream({ model: 'command-r-08-2024', messages: ask, tools })) {
      types.add(event.type);
      if (event.type === 'tool-call-delta') streamedArguments += event.delta?.message?.toolCalls?.function?.arguments ?? '';
    }
    expect([...types]).toEqual(expect.arrayContaining(['tool-plan-delta', 'tool-call-start', 'tool-call-delta', 'tool-call-end']));
    expect(streamedArguments).toBe('{"city":"Paris"}');

    const answered = await client.chat({
      model: 'command-r-08-2024',
      messages: [
        ...ask,
        { role: 'assistant', toolCalls: [call], toolPlan: whole.message.toolPlan },
        { role: 'tool', toolCallId: call.id!, content: 'sunny, 21 °C' },
      ],
      tools,
    });
    expect(answered.message.content).toEqual([{ type: 'text', text: fakeReply('sunny, 21 °C') }]);
    await expect(
      client.chat({ model: 'command-r-08-2024', messages: [...ask, { role: 'tool', toolCallId: 'nobody', content: 'x' }] }),
    ).rejects.toBeInstanceOf(CohereError);
  });

  it('streams message-start, content-start, content-deltas, content-end and message-end with usage', async () => {
    const stream = await client.chatStream({ model: 'command-r-08-2024', messages });
    const types: string[] = [];
    let text = '';
    let usage: Cohere.Usage | undefined;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'content-delta') text += event.delta?.message?.content?.text ?? '';
      if (event.type === 'message-end') usage = event.delta?.usage;
    }
    expect(text).toBe(reply);
    const deltas = types.filter((t) => t === 'content-delta').length;
    expect(deltas).toBeGreaterThanOrEqual(3);
    expect(types).toEqual(['message-start', 'content-start', ...Array<string>(deltas).fill('content-delta'), 'content-end', 'message-end']);
    expect(usage?.tokens).toEqual({ inputTokens, outputTokens: estimateTokens(reply) });
  });

  it('names each SSE event and ends the stream with data: [DONE]', async () => {
    const response = await fetch(`${fake.url}/v2/chat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${COHERE_DEFAULT_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'command-a-03-2025', messages, stream: true }),
    });
    const frames = (await response.text()).split('\n\n').filter(Boolean);
    expect(frames[0]).toMatch(/^event: message-start\ndata: \{/);
    expect(frames.at(-2)).toMatch(/^event: message-end\n/);
    expect(frames.at(-1)).toBe('data: [DONE]');
  });

  it('answers response_format json_object with JSON, an instance of its json_schema when it has one', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' }, sunny: { type: 'boolean' } }, required: ['city', 'sunny'] };
    const ask = (responseFormat: Cohere.ResponseFormatV2) =>
      client.chat({ model: 'command-a-03-2025', messages: [{ role: 'user', content: 'Lisbon' }], responseFormat });
    const structured = await ask({ type: 'json_object', jsonSchema: schema });
    expect(JSON.parse((structured.message.content![0] as { text: string }).text)).toEqual({ city: 'Lisbon', sunny: true });
    const json = await ask({ type: 'json_object' });
    expect(JSON.parse((json.message.content![0] as { text: string }).text)).toEqual({ answer: fakeReply('Lisbon') });
  });

  it('stops at max_tokens with finish_reason MAX_TOKENS', async () => {
    const response = await client.chat({ model: 'command-a-03-2025', messages, maxTokens: 3 });
    expect(response.finishReason).toBe('MAX_TOKENS');
    expect(response.usage?.tokens?.outputTokens).toBe(3);
  });

  it('embeds a batch of texts as float vectors of the model dimensions', async () => {
    const response = await client.embed({
      model: 'embed-english-v3.0',
      texts: ['alpha', 'beta', 'gamma'],
      inputType: 'search_document',
      embeddingTypes: ['float'],
    });
    expect(response.embeddings.float?.map((v) => v.length)).toEqual([1024, 1024, 1024]);
    expect(response.embeddings.float?.[2]).toEqual(fakeEmbedding('gamma', 1024));
    expect(response.meta?.billedUnits?.inputTokens).toBe(promptTokens(['alpha', 'beta', 'gamma']));
  });

  it('lists models with context length, filtered by endpoint', async () => {
    const all = await client.models.list();
    expect(all.models.map((m) => m.name)).toEqual(['command-a-03-2025', 'command-r-08-2024', 'embed-english-v3.0', 'embed-v4.0']);
    expect(all.models[0]).toMatchObject({ contextLength: 256_000, endpoints: expect.arrayContaining(['chat']) });
    const embedders = await client.models.list({ endpoint: 'embed' });
    expect(embedders.models.map((m) => m.name)).toEqual(['embed-english-v3.0', 'embed-v4.0']);
  });

  it('answers a wrong key with UnauthorizedError and an unknown model with NotFoundError', async () => {
    const unauthorized = await cohere('wrong-key')
      .chat({ model: 'command-a-03-2025', messages })
      .catch((e: unknown) => e);
    expect(unauthorized).toBeInstanceOf(Cohere.UnauthorizedError);
    expect(unauthorized).toMatchObject({ statusCode: 401, body: { message: 'invalid api token' } });
    const missing = await client.chat({ model: 'command-z', messages }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(Cohere.NotFoundError);
  });

  it('answers 429 with TooManyRequestsError whose raw response carries Retry-After, and 500 with InternalServerError', async () => {
    fake.enqueue({ status: 429, retryAfter: 5 });
    fake.enqueue({ status: 500 });
    const limited = await client.chat({ model: 'command-a-03-2025', messages }).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(Cohere.TooManyRequestsError);
    expect((limited as CohereError).rawResponse?.headers.get('retry-after')).toBe('5');
    await expect(client.chat({ model: 'command-a-03-2025', messages })).rejects.toBeInstanceOf(Cohere.InternalServerError);
  });

  // cohere-ai 8.1.0 aborts a timed-out fetch with the string reason "timeout" but then looks for an
  // AbortError, so a timeout surfaces as a plain CohereError("timeout"), never CohereTimeoutError.
  it('hangs until the SDK times out (reported by cohere-ai 8.1 as CohereError "timeout")', async () => {
    fake.setBehaviour({ hang: true });
    const started = Date.now();
    const error = await cohere(COHERE_DEFAULT_KEY, 0.3)
      .chat({ model: 'command-a-03-2025', messages })
      .catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(error).toBeInstanceOf(CohereError);
    expect(error).not.toBeInstanceOf(CohereTimeoutError);
    expect(error).toMatchObject({ cause: 'timeout' });
    expect((error as CohereError).message).toContain('timeout');
  });

  // cohere-ai 8.1.0 does not throw on a 200 response whose JSON is broken: chat() resolves with its
  // internal {ok: false, error: {reason: 'non-json'}} record in place of the response.
  it('sends a malformed body the SDK detects as non-JSON, and a malformed stream chunk it fails on', async () => {
    fake.enqueue({ malformed: 'body' });
    const result: unknown = await client.chat({ model: 'command-a-03-2025', messages });
    expect(result).toMatchObject({ ok: false, error: { reason: 'non-json', statusCode: 200 } });
    expect(result).not.toHaveProperty('message');
    fake.enqueue({ malformed: 'chunk', malformedChunkIndex: 2 });
    const stream = await client.chatStream({ model: 'command-a-03-2025', messages });
    const consume = async () => {
      for await (const event of stream) void event;
    };
    await expect(consume()).rejects.toMatchObject({ name: 'SyntaxError' });
  });

  it('drops the connection mid-stream', async () => {
    fake.enqueue({ dropAfterChunks: 3 });
    const stream = await client.chatStream({ model: 'command-a-03-2025', messages });
    const types: string[] = [];
    const consume = async () => {
      for await (const event of stream) types.push(event.type);
    };
    await expect(consume()).rejects.toThrow();
    expect(types).toEqual(['message-start', 'content-start', 'content-delta']);
  });
});
