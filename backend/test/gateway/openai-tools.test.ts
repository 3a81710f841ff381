import OpenAI from 'openai';
import { DataSource } from 'typeorm';
import { type AnthropicFake, type CohereFake, fakeReply, type GeminiFake, type OllamaFake, type OpenAiFake } from '../fakes/index.js';
import { UsageRecorder } from '../../src/usage/usage-recorder.service.js';
import { aModel } from '../support/registry.js';
import type { TestApp } from '../support/test-app.js';
import { gatewayClient, type GatewayFixture, startGatewayFixture } from './gateway-fixture.js';

describe('Gateway: tools, images and other members beyond text', () => {
  let fixture: GatewayFixture;
  let t: TestApp;
  let providers: GatewayFixture['providers'];
  let openaiFake: OpenAiFake;
  let anthropicFake: AnthropicFake;
  let ollamaFake: OllamaFake;
  let geminiFake: GeminiFake;
  let cohereFake: CohereFake;
  let client: OpenAI;
  let keyId: string;

  const tools: OpenAI.ChatCompletionTool[] = [
    {
      type: 'function',
      function: {
        name: 'get_weather',
        description: 'The weather in a city',
        parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
    },
  ];
  const lastUpstreamBody = () => openaiFake.requests.at(-1)!.body as Record<string, unknown>;

  beforeAll(async () => {
    fixture = await startGatewayFixture('openai');
    ({ t, providers } = fixture);
    ({ openai: openaiFake, anthropic: anthropicFake, ollama: ollamaFake, gemini: geminiFake, cohere: cohereFake } = fixture.fakes);
    await aModel(t, providers.openai.id, {
      display_name: 'tools-gpt',
      model_id: 'gpt-4o-mini',
      pricing: { input_per_million: '0.15', output_per_million: '0.6' },
    });
    await aModel(t, providers.anthropic.id, {
      display_name: 'tools-claude',
      model_id: 'claude-haiku-4-5',
      params: { max_output_tokens: 1024 },
    });
    await aModel(t, providers.ollama.id, { display_name: 'tools-llama', model_id: 'llama3.2' });
    await aModel(t, providers.gemini.id, { display_name: 'tools-gemini', model_id: 'gemini-2.5-flash' });
    await aModel(t, providers.cohere.id, { display_name: 'tools-command', model_id: 'command-r-08-2024' });
    let key: { id: string };
    ({ client, key } = await gatewayClient(t, 'tools test'));
    keyId = key.id;
  });
  afterAll(() => fixture.close());

  it('runs a tool call round trip (whole): the call comes back, the SDK’s message and the tool’s result go on', async () => {
    const ask: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Paris' }];
    const first = await client.chat.completions.create({ model: 'tools-gpt', messages: ask, tools, tool_choice: 'required' });
    expect(first.model).toBe('tools-gpt');
    expect(first.choices[0]!.finish_reason).toBe('tool_calls');
    const call = first.choices[0]!.message.tool_calls![0]! as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(call.function).toEqual({ name: 'get_weather', arguments: '{"city":"Paris"}' });
    expect(lastUpstreamBody()).toMatchObject({ tools, tool_choice: 'required', model: 'gpt-4o-mini' });

    // The assistant message as the SDK returned it (content null, refusal null, annotations []) goes back in the history.
    const second = await client.chat.completions.create({
      model: 'tools-gpt',
      messages: [...ask, first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: 'sunny, 21 °C' }],
      tools,
    });
    expect(second.choices[0]!.message.content).toBe(fakeReply('sunny, 21 °C'));
    expect((lastUpstreamBody().messages as unknown[]).slice(1)).toEqual([
      { role: 'assistant', content: null, tool_calls: [call] },
      { role: 'tool', tool_call_id: call.id, content: 'sunny, 21 °C' },
    ]);
  });

  it('streams a tool call that the SDK’s stream helper assembles, with the usage chunk', async () => {
    const stream = client.chat.completions.stream({
      model: 'tools-gpt',
      messages: [{ role: 'user', content: 'Oslo' }],
      tools,
      stream_options: { include_usage: true },
    });
    const final = await stream.finalChatCompletion();
    expect(final.model).toBe('tools-gpt');
    expect(final.choices[0]!.finish_reason).toBe('tool_calls');
    expect((final.choices[0]!.message.tool_calls![0]! as OpenAI.ChatCompletionMessageFunctionToolCall).function).toEqual({
      name: 'get_weather',
      arguments: '{"city":"Oslo"}',
    });
    expect(final.usage!.completion_tokens).toBeGreaterThan(0);
  });

  it('passes image parts and the members it does not act on as they came; developer goes as system, text parts joined', async () => {
    const passed = {
      response_format: { type: 'json_object' as const },
      seed: 7,
      presence_penalty: 0.5,
      parallel_tool_calls: false,
      user: 'end-user-1',
      logprobs: true,
    };
    const image = { type: 'image_url' as const, image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' as const } };
    const completion = await client.chat.completions.create({
      model: 'tools-gpt',
      messages: [
        {
          role: 'developer',
          content: [
            { type: 'text', text: 'Be ' },
            { type: 'text', text: 'brief.' },
          ],
        },
        { role: 'user', name: 'ada', content: [{ type: 'text', text: 'What is this?' }, image] },
      ],
      ...passed,
    });
    // The OpenAI fake honours JSON mode as OpenAI does.
    expect(JSON.parse(completion.choices[0]!.message.content!)).toEqual({ answer: fakeReply('What is this?') });
    expect(lastUpstreamBody()).toMatchObject({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', name: 'ada', content: [{ type: 'text', text: 'What is this?' }, image] },
      ],
      ...passed,
    });
  });

  it('translates a tool call round trip to Anthropic’s tool_use and tool_result, whole and streamed', async () => {
    anthropicFake.reset();
    const ask: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Rome' }];
    const first = await client.chat.completions.create({
      model: 'tools-claude',
      messages: ask,
      tools,
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    expect(first.choices[0]!.finish_reason).toBe('tool_calls');
    expect(first.choices[0]!.message.content).toBeNull();
    const call = first.choices[0]!.message.tool_calls![0]! as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(call).toEqual({
      id: expect.stringMatching(/^toolu_/),
      type: 'function',
      function: { name: 'get_weather', arguments: '{"city":"Rome"}' },
    });
    expect(anthropicFake.requests.at(-1)!.body).toMatchObject({
      tools: [
        {
          name: 'get_weather',
          description: 'The weather in a city',
          input_schema: (tools[0] as OpenAI.ChatCompletionFunctionTool).function.parameters,
        },
      ],
      tool_choice: { type: 'tool', name: 'get_weather' },
    });

    const streamed = await client.chat.completions
      .stream({ model: 'tools-claude', messages: ask, tools, tool_choice: { type: 'function', function: { name: 'get_weather' } } })
      .finalChatCompletion();
    expect(streamed.choices[0]!.finish_reason).toBe('tool_calls');
    expect(streamed.choices[0]!.message.tool_calls).toEqual([{ ...call, id: expect.stringMatching(/^toolu_/) }]);

    const answered = await client.chat.completions.create({
      model: 'tools-claude',
      messages: [...ask, first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: 'cloudy, 17 °C' }],
      tools,
    });
    expect(answered.choices[0]!.message.content).toBe(fakeReply('cloudy, 17 °C'));
    expect(answered.choices[0]!.finish_reason).toBe('stop');
    expect((anthropicFake.requests.at(-1)!.body as { messages: unknown[] }).messages.slice(1)).toEqual([
      { role: 'assistant', content: [{ type: 'tool_use', id: call.id, name: 'get_weather', input: { city: 'Rome' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: 'cloudy, 17 °C' }] },
    ]);
  });

  it('translates a tool call round trip to Gemini’s functionCall and functionResponse, whole and streamed', async () => {
    const ask: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Oslo' }];
    const first = await client.chat.completions.create({ model: 'tools-gemini', messages: ask, tools, tool_choice: 'required' });
    expect(first.choices[0]!.finish_reason).toBe('tool_calls');
    const call = first.choices[0]!.message.tool_calls![0]! as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(call.function).toEqual({ name: 'get_weather', arguments: '{"city":"Oslo"}' });
    expect(geminiFake.requests.at(-1)!.body).toMatchObject({
      tools: [{ functionDeclarations: [{ name: 'get_weather', description: 'The weather in a city' }] }],
      toolConfig: { functionCallingConfig: { mode: 'ANY' } },
    });

    // Gemini sends a call whole: one delta carries its id, name and all of its arguments.
    const streamed = await client.chat.completions.stream({ model: 'tools-gemini', messages: ask, tools }).finalChatCompletion();
    expect(streamed.choices[0]!.finish_reason).toBe('tool_calls');
    expect((streamed.choices[0]!.message.tool_calls![0]! as OpenAI.ChatCompletionMessageFunctionToolCall).function).toEqual(call.function);

    const answered = await client.chat.completions.create({
      model: 'tools-gemini',
      messages: [...ask, first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: 'snow, -3 °C' }],
      tools,
    });
    expect(answered.choices[0]!.message.content).toBe(fakeReply('snow, -3 °C'));
    expect(answered.choices[0]!.finish_reason).toBe('stop');
  });

  it('translates a tool call round trip to Cohere’s tool_calls, whole and streamed', async () => {
    const ask: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Cairo' }];
    const first = await client.chat.completions.create({
      model: 'tools-command',
      messages: ask,
      tools,
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    expect(first.choices[0]!.finish_reason).toBe('tool_calls');
    const call = first.choices[0]!.message.tool_calls![0]! as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(call.function).toEqual({ name: 'get_weather', arguments: '{"city":"Cairo"}' });
    // Cohere's tool_plan ("I will call …") is the model thinking aloud; the AI SDK does not pass it on.
    expect(first.choices[0]!.message.content).toBeNull();
    expect(cohereFake.requests.at(-1)!.body).toMatchObject({ tool_choice: 'REQUIRED', tools: [{ function: { name: 'get_weather' } }] });

    const streamed = await client.chat.completions.stream({ model: 'tools-command', messages: ask, tools }).finalChatCompletion();
    expect(streamed.choices[0]!.finish_reason).toBe('tool_calls');
    expect((streamed.choices[0]!.message.tool_calls![0]! as OpenAI.ChatCompletionMessageFunctionToolCall).function).toEqual(call.function);

    const answered = await client.chat.completions.create({
      model: 'tools-command',
      messages: [...ask, first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: 'hot, 35 °C' }],
      tools,
    });
    expect(answered.choices[0]!.message.content).toBe(fakeReply('hot, 35 °C'));
  });

  it('translates tools for Ollama, which cannot be made to call one: tool_choice none offers it none', async () => {
    const ask: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Lima' }];
    const first = await client.chat.completions.create({ model: 'tools-llama', messages: ask, tools, tool_choice: 'auto' });
    expect(first.choices[0]!.finish_reason).toBe('tool_calls');
    const call = first.choices[0]!.message.tool_calls![0]! as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(call.function).toEqual({ name: 'get_weather', arguments: '{"city":"Lima"}' });
    expect(ollamaFake.requests.at(-1)!.body).toMatchObject({ tools: [{ type: 'function', function: { name: 'get_weather' } }] });

    const streamed = await client.chat.completions.stream({ model: 'tools-llama', messages: ask, tools }).finalChatCompletion();
    expect((streamed.choices[0]!.message.tool_calls![0]! as OpenAI.ChatCompletionMessageFunctionToolCall).function).toEqual(call.function);

    const answered = await client.chat.completions.create({
      model: 'tools-llama',
      messages: [...ask, first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: 'mild, 19 °C' }],
      tools,
    });
    expect(answered.choices[0]!.message.content).toBe(fakeReply('mild, 19 °C'));

    const none = await client.chat.completions.create({ model: 'tools-llama', messages: ask, tools, tool_choice: 'none' });
    expect(none.choices[0]!.message.content).toBe(fakeReply('Lima'));
    expect((ollamaFake.requests.at(-1)!.body as { tools?: unknown }).tools).toBeUndefined();
  });

  it('sends an image given as a data: URL to every translated kind, in its provider’s own shape', async () => {
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
    const content: OpenAI.ChatCompletionContentPart[] = [
      { type: 'text', text: 'What is this?' },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } },
    ];
    const sent = async (model: string, fake: { requests: { body: unknown }[] }) => {
      const completion = await client.chat.completions.create({ model, messages: [{ role: 'user', content }] });
      expect(completion.choices[0]!.message.content).toBe(fakeReply('What is this?'));
      return (fake.requests.at(-1)!.body as { messages?: unknown[]; contents?: unknown[] }) ?? {};
    };
    expect((await sent('tools-claude', anthropicFake)).messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } },
        ],
      },
    ]);
    expect((await sent('tools-gemini', geminiFake)).contents).toEqual([
      { role: 'user', parts: [{ text: 'What is this?' }, { inlineData: { mimeType: 'image/png', data: png } }] },
    ]);
    expect((await sent('tools-llama', ollamaFake)).messages).toEqual([expect.objectContaining({ role: 'user', images: [png] })]);
    expect(JSON.stringify((await sent('tools-command', cohereFake)).messages)).toContain(png);
  });

  it('refuses, by name and naming the provider, what a translated provider cannot take; plain text still goes', async () => {
    const refusal = (request: Promise<unknown>) =>
      request.then(
        () => null,
        (e: { status: number; param: string; message: string }) => ({ status: e.status, param: e.param, message: e.message }),
      );
    anthropicFake.reset();
    ollamaFake.reset();
    const forced = await refusal(
      client.chat.completions.create({
        model: 'tools-llama',
        messages: [{ role: 'user', content: 'Paris' }],
        tools,
        tool_choice: 'required',
      }),
    );
    expect(forced).toMatchObject({ status: 422, param: 'tool_choice' });
    expect(forced!.message).toContain(
      'tool_choice that forces a call: sent only to providers other than Ollama; tools-llama is served by Ollama',
    );
    const withImage = await refusal(
      client.chat.completions.create({
        model: 'tools-claude',
        messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }],
      }),
    );
    expect(withImage).toMatchObject({ status: 422, param: 'messages[0].content[0]' });
    expect(withImage!.message).toContain('tools-claude is served by Anthropic');
    const withFormat = await refusal(
      client.chat.completions.create({
        model: 'tools-claude',
        messages: [{ role: 'user', content: 'x' }],
        response_format: { type: 'json_object' },
      }),
    );
    expect(withFormat).toMatchObject({ status: 422, param: 'response_format' });
    expect(anthropicFake.requests).toHaveLength(0);
    expect(ollamaFake.requests).toHaveLength(0);

    // OpenAI's defaults spelled out, as some frameworks send them, ask for nothing and go anywhere.
    const plain = await client.chat.completions.create({
      model: 'tools-claude',
      messages: [{ role: 'user', content: 'Paris' }],
      n: 1,
      presence_penalty: 0,
      frequency_penalty: 0,
      logprobs: false,
      response_format: { type: 'text' },
    });
    expect(plain.choices[0]!.message.content).toBe(fakeReply('Paris'));
  });

  it('refuses malformed tools and messages with field errors before any upstream call', async () => {
    openaiFake.reset();
    const status = (body: Record<string, unknown>) =>
      client.chat.completions.create({ model: 'tools-gpt', ...body } as never).then(
        () => 200,
        (e: { status: number; param: string }) => `${e.status} ${e.param}`,
      );
    expect(await status({ messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: {} }] })).toBe('422 tools');
    expect(await status({ messages: [{ role: 'tool', content: 'x' }] })).toBe('422 messages[0].tool_call_id');
    expect(await status({ messages: [{ role: 'user', content: 'x', colour: 'blue' }] })).toBe('422 messages[0].colour');
    expect(await status({ messages: [{ role: 'assistant', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] })).toBe(
      '422 messages[0].content[0]',
    );
    expect(await status({ messages: [{ role: 'user', content: 'x' }], top_logprobs: 99 })).toBe('422 top_logprobs');
    expect(openaiFake.requests).toHaveLength(0);
  });

  it('answers an upstream’s refusal of the request as a 400 the SDK does not retry, and records it so', async () => {
    await t.app.get(UsageRecorder).flush();
    const before = (await t.app.get(DataSource).query('SELECT count(*)::int AS n FROM usage_events WHERE api_key_id = $1', [keyId]))[0].n;
    // A tool result that answers no call: passed on (its shape is valid), refused by the upstream.
    await expect(
      client.chat.completions.create({
        model: 'tools-gpt',
        messages: [
          { role: 'user', content: 'x' },
          { role: 'tool', tool_call_id: 'call_nobody_made', content: 'x' },
        ],
      }),
    ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await t.app.get(UsageRecorder).flush();
    const rows: { status_code: number; error_class: string }[] = await t.app
      .get(DataSource)
      .query('SELECT status_code, error_class FROM usage_events WHERE api_key_id = $1 ORDER BY id OFFSET $2', [keyId, before]);
    expect(rows).toEqual([{ status_code: 400, error_class: 'invalid_request' }]);
  });
});
