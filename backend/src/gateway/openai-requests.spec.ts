import { DomainError } from '../common/domain-error.js';
import { parseChatCompletion } from './openai-requests.js';

const fieldsOf = (body: unknown): string[] => {
  try {
    parseChatCompletion(body);
  } catch (error) {
    return ((error as DomainError).options.errors ?? []).map((e) => e.field);
  }
  return [];
};

describe('parseChatCompletion', () => {
  it('takes a plain text request the same for every provider: nothing to pass on, nothing only OpenAI’s format takes', () => {
    const input = parseChatCompletion({
      model: 'm',
      messages: [
        { role: 'developer', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Hi ' },
            { type: 'text', text: 'there' },
          ],
        },
      ],
      n: 1,
      user: 'u-1',
    });
    expect(input.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi there' },
    ]);
    expect(input.wireMessages).toEqual(input.messages);
    expect(input.passThrough).toEqual({ n: 1, user: 'u-1' });
    expect(input.openAiOnly).toEqual([]);
  });

  it('treats null members as not given, as OpenAI does', () => {
    const input = parseChatCompletion({ model: 'm', messages: [{ role: 'user', content: 'x' }], tools: null, seed: null, n: null });
    expect(input.passThrough).toEqual({});
    expect(input.openAiOnly).toEqual([]);
  });

  it('ignores what an SDK’s own reply message carries back (refusal null, annotations), and keeps a real tool call', () => {
    const call = { id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } };
    const input = parseChatCompletion({
      model: 'm',
      messages: [
        { role: 'user', content: 'x' },
        { role: 'assistant', content: 'y', refusal: null, annotations: [], audio: null, tool_calls: null },
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: 'call_1', content: 'z' },
      ],
    });
    expect(input.wireMessages.slice(1)).toEqual([
      { role: 'assistant', content: 'y' },
      { role: 'assistant', content: null, tool_calls: [call] },
      { role: 'tool', tool_call_id: 'call_1', content: 'z' },
    ]);
    expect(input.openAiOnly).toEqual([]);
    // The form translating adapters get: the call and its result, as a provider-neutral message each.
    expect(input.messages.slice(2)).toEqual([
      { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'f', arguments: '{}' }] },
      { role: 'tool', content: 'z', toolCallId: 'call_1' },
    ]);
  });

  it('passes unknown members on, unchecked, and lists them as OpenAI-format only', () => {
    const input = parseChatCompletion({ model: 'm', messages: [{ role: 'user', content: 'x' }], reasoning_effort: 'low', n: 2 });
    expect(input.passThrough).toEqual({ reasoning_effort: 'low', n: 2 });
    expect(input.openAiOnly.map((f) => f.field)).toEqual(['reasoning_effort', 'n']);
  });

  it('reads function tools and tool_choice for translating adapters; other kinds of tool need OpenAI’s format', () => {
    const weather = { type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object' } } };
    const input = parseChatCompletion({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      tools: [weather, { type: 'function', function: { name: 'now' } }],
      tool_choice: { type: 'function', function: { name: 'now' } },
    });
    expect(input.tools).toEqual([
      { name: 'get_weather', description: 'Weather', parameters: { type: 'object' } },
      { name: 'now', parameters: { type: 'object', properties: {} } },
    ]);
    expect(input.toolChoice).toEqual({ name: 'now' });
    expect(input.openAiOnly).toEqual([]);
    const custom = parseChatCompletion({ model: 'm', messages: [{ role: 'user', content: 'x' }], tools: [weather, { type: 'custom' }] });
    expect(custom.openAiOnly.map((f) => f.field)).toEqual(['tools']);
    expect(custom.tools).toHaveLength(1);
  });

  it('keeps an image given as data in order with the text for translating adapters; one given by URL needs OpenAI’s format', () => {
    const input = parseChatCompletion({
      model: 'm',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare ' },
            { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } },
            { type: 'text', text: 'with' },
            { type: 'image_url', image_url: { url: 'https://example.com/b.png' } },
          ],
        },
      ],
    });
    expect(input.messages[0]).toEqual({
      role: 'user',
      content: 'Compare with',
      parts: [
        { type: 'text', text: 'Compare ' },
        { type: 'image', mediaType: 'image/jpeg', data: '/9j/4AAQ' },
        { type: 'text', text: 'with' },
      ],
    });
    expect(input.openAiOnly).toEqual([{ field: 'messages[0].content[3]', message: 'images by URL (not data: URLs)' }]);
  });

  it('lets members that only spell out OpenAI’s defaults reach every provider; other values need OpenAI’s format', () => {
    const messages = [{ role: 'user', content: 'x' }];
    const defaults = { n: 1, frequency_penalty: 0, presence_penalty: 0, logprobs: false, top_logprobs: 0, parallel_tool_calls: true };
    expect(
      parseChatCompletion({ model: 'm', messages, ...defaults, response_format: { type: 'text' }, logit_bias: {} }).openAiOnly,
    ).toEqual([]);
    const asked = parseChatCompletion({
      model: 'm',
      messages,
      n: 2,
      frequency_penalty: 0.5,
      logprobs: true,
      parallel_tool_calls: false,
      response_format: { type: 'json_object' },
      logit_bias: { '50256': -100 },
    });
    expect(asked.openAiOnly.map((f) => f.field)).toEqual(['n', 'logprobs', 'parallel_tool_calls', 'logit_bias']);
    // JSON mode and the penalties are translated for the other kinds, not refused here.
    expect(asked).toMatchObject({ responseFormat: { type: 'json' }, frequencyPenalty: 0.5 });
    expect(asked.passThrough).toMatchObject({ frequency_penalty: 0.5, response_format: { type: 'json_object' } });
  });

  it('reads JSON mode, structured output, the seed and the penalties for translating adapters; defaults ask for nothing', () => {
    const messages = [{ role: 'user', content: 'x' }];
    const schema = { type: 'object', properties: { city: { type: 'string' } } };
    const structured = parseChatCompletion({
      model: 'm',
      messages,
      response_format: { type: 'json_schema', json_schema: { name: 'place', description: 'A place', schema, strict: true } },
      seed: 7,
      presence_penalty: -0.5,
    });
    expect(structured).toMatchObject({
      responseFormat: { type: 'json', name: 'place', description: 'A place', schema },
      seed: 7,
      presencePenalty: -0.5,
      openAiOnly: [],
    });
    expect(structured.frequencyPenalty).toBeUndefined();
    const plain = parseChatCompletion({ model: 'm', messages, response_format: { type: 'text' }, frequency_penalty: 0, seed: 0 });
    expect(plain.responseFormat).toBeUndefined();
    expect(plain.frequencyPenalty).toBeUndefined();
    expect(plain.seed).toBe(0);
    // A format this gateway does not know goes only where it is passed on as it came.
    const other = parseChatCompletion({ model: 'm', messages, response_format: { type: 'grammar', grammar: 'root ::= "x"' } });
    expect(other.responseFormat).toBeUndefined();
    expect(other.openAiOnly).toEqual([{ field: 'response_format', message: 'response_format of type grammar' }]);
    for (const json_schema of [undefined, { schema }, { name: 'has space' }, { name: 'ok', schema: 'object' }]) {
      expect(fieldsOf({ model: 'm', messages, response_format: { type: 'json_schema', json_schema } })).toEqual(['response_format']);
    }
  });

  it('names every malformed member', () => {
    expect(
      fieldsOf({
        model: 'm',
        messages: [
          { role: 'user', content: [{ type: 'image_url' }, { type: 'text' }] },
          { role: 'assistant', content: null },
          { role: 'assistant', content: 'x', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f' } }] },
          { role: 'system', content: 'x', tool_call_id: 'c' },
          { role: 'narrator', content: 'x' },
        ],
        tools: [],
        tool_choice: 'sometimes',
        response_format: 'json',
        seed: 1.5,
        frequency_penalty: 3,
      }),
    ).toEqual([
      'tools',
      'tool_choice',
      'response_format',
      'seed',
      'frequency_penalty',
      'messages[0].content[0].image_url',
      'messages[0].content[1].text',
      'messages[1].content',
      'messages[2].tool_calls',
      'messages[3].tool_call_id',
      'messages[4].role',
    ]);
  });
});
