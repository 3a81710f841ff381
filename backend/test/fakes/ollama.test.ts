import { jest } from '@jest/globals';
import { Ollama, type ChatResponse } from 'ollama';
import { estimateTokens, fakeEmbedding, fakeReply, promptTokens } from './content.js';
import { OLLAMA_VERSION, OllamaFake } from './ollama.fake.js';

describe('Ollama fake, driven by the official ollama SDK', () => {
  let fake: OllamaFake;
  let client: Ollama;
  const messages = [{ role: 'user', content: 'Count to three.' }];
  const reply = fakeReply('Count to three.');

  beforeAll(async () => {
    fake = await new OllamaFake().start();
    client = new Ollama({ host: fake.url });
  });
  afterEach(() => {
    fake.reset();
    jest.restoreAllMocks();
  });
  afterAll(() => fake.close());

  it('streams NDJSON chunks and ends with done:true and the token counts', async () => {
    const parts: ChatResponse[] = [];
    for await (const part of await client.chat({ model: 'llama3.2', messages, stream: true })) parts.push(part);
    expect(parts.length).toBeGreaterThanOrEqual(4);
    expect(parts.map((p) => p.message.content).join('')).toBe(reply);
    expect(parts.slice(0, -1).every((p) => !p.done)).toBe(true);
    expect(parts.at(-1)).toMatchObject({
      done: true,
      done_reason: 'stop',
      prompt_eval_count: promptTokens(['Count to three.']),
      eval_count: estimateTokens(reply),
    });
  });

  it('streams by default on the wire when the request says nothing about streaming', async () => {
    const response = await fetch(`${fake.url}/api/chat`, { method: 'POST', body: JSON.stringify({ model: 'llama3.2:latest', messages }) });
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = (await response.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as ChatResponse);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.at(-1)?.done).toBe(true);
  });

  it('answers whole with stream:false and honours num_predict', async () => {
    const whole = await client.chat({ model: 'llama3.2', messages, stream: false });
    expect(whole).toMatchObject({ done: true, message: { role: 'assistant', content: reply }, eval_count: estimateTokens(reply) });
    const capped = await client.chat({ model: 'llama3.2', messages, options: { num_predict: 2 } });
    expect(capped).toMatchObject({ done_reason: 'length', eval_count: 2 });
  });

  it('calls the first tool offered (arguments as an object, the call in one chunk), then answers the tool’s result', async () => {
    const tools = [
      {
        type: 'function',
        function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string', description: 'City' } } } },
      },
    ];
    const whole = await client.chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'Paris' }], tools, stream: false });
    expect(whole.message.tool_calls).toEqual([{ function: { index: 0, name: 'get_weather', arguments: { city: 'Paris' } } }]);
    expect(whole.done_reason).toBe('stop');

    const parts: ChatResponse[] = [];
    for await (const part of await client.chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'Paris' }], tools, stream: true }))
      parts.push(part);
    expect(parts.flatMap((p) => p.message.tool_calls ?? [])).toEqual(whole.message.tool_calls);

    const answered = await client.chat({
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'Paris' }, whole.message, { role: 'tool', content: 'sunny, 21 °C', tool_name: 'get_weather' }],
      tools,
      stream: false,
    });
    expect(answered.message.content).toBe(fakeReply('sunny, 21 °C'));
    expect(answered.message.tool_calls).toBeUndefined();
  });

  it('answers format "json" with a JSON object, and a format schema with an instance of it', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' }, sunny: { type: 'boolean' } }, required: ['city', 'sunny'] };
    const ask = (format: string | object) =>
      client.chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'Lisbon' }], format, stream: false });
    expect(JSON.parse((await ask(schema)).message.content)).toEqual({ city: 'Lisbon', sunny: true });
    expect(JSON.parse((await ask('json')).message.content)).toEqual({ answer: fakeReply('Lisbon') });
  });

  it('embeds a batch with the model dimensions, or fewer when asked', async () => {
    const response = await client.embed({ model: 'nomic-embed-text', input: ['first', 'second'] });
    expect(response.embeddings.map((e) => e.length)).toEqual([768, 768]);
    expect(response.embeddings[0]).toEqual(fakeEmbedding('first', 768));
    expect(response.prompt_eval_count).toBe(promptTokens(['first', 'second']));
    const reduced = await client.embed({ model: 'mxbai-embed-large', input: 'x', dimensions: 256 });
    expect(reduced.embeddings[0]).toHaveLength(256);
  });

  it('lists tags, shows context and embedding length, and reports its version', async () => {
    const { models } = await client.list();
    expect(models.map((m) => m.name)).toEqual(['llama3.2:latest', 'nomic-embed-text:latest', 'mxbai-embed-large:latest']);
    expect(models[1]?.details).toMatchObject({ family: 'nomic-bert', format: 'gguf' });
    const shown = await client.show({ model: 'nomic-embed-text' });
    expect(shown.model_info).toMatchObject({
      'general.architecture': 'nomic-bert',
      'nomic-bert.context_length': 2048,
      'nomic-bert.embedding_length': 768,
    });
    expect(shown.capabilities).toEqual(['embedding']);
    const llama = await client.show({ model: 'llama3.2:latest' });
    expect(llama.model_info).toMatchObject({ 'llama.context_length': 131_072 });
    expect(await client.version()).toEqual({ version: OLLAMA_VERSION });
  });

  it('answers an unknown model with a 404 ResponseError and a forced 500 likewise', async () => {
    await expect(client.chat({ model: 'mistral', messages })).rejects.toMatchObject({
      name: 'ResponseError',
      status_code: 404,
      error: 'model "mistral" not found, try pulling it first',
    });
    fake.enqueue({ status: 500 });
    await expect(client.embed({ model: 'nomic-embed-text', input: 'x' })).rejects.toMatchObject({
      name: 'ResponseError',
      status_code: 500,
    });
  });

  it('raises an in-stream {"error"} line as an Error', async () => {
    fake.enqueue({ streamErrorAfterChunks: 2, status: 503 });
    const consume = async () => {
      for await (const part of await client.chat({ model: 'llama3.2', messages, stream: true })) void part;
    };
    await expect(consume()).rejects.toThrow(/server busy/);
  });

  it('hangs until the caller aborts (the ollama SDK has no timeout option of its own)', async () => {
    fake.setBehaviour({ hang: true });
    const impatient = new Ollama({ host: fake.url, fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(300) }) });
    const started = Date.now();
    await expect(impatient.version()).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('makes the SDK fail on a malformed whole body, and skip a malformed stream line (as it does)', async () => {
    fake.enqueue({ malformed: 'body' });
    await expect(client.chat({ model: 'llama3.2', messages, stream: false })).rejects.toMatchObject({ name: 'SyntaxError' });
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    fake.enqueue({ malformed: 'chunk', malformedChunkIndex: 1 });
    const pieces: string[] = [];
    for await (const part of await client.chat({ model: 'llama3.2', messages, stream: true })) pieces.push(part.message.content);
    expect(warn).toHaveBeenCalledWith('invalid json: ', expect.any(String));
    expect(pieces.join('')).not.toBe(reply);
    expect(pieces.join('')).toBe(reply.replace(/^(\S+\s*)(\S+\s*)/, '$1'));
  });

  it('drops the connection mid-stream', async () => {
    fake.enqueue({ dropAfterChunks: 2 });
    const pieces: string[] = [];
    const consume = async () => {
      for await (const part of await client.chat({ model: 'llama3.2', messages, stream: true })) pieces.push(part.message.content);
    };
    await expect(consume()).rejects.toThrow();
    expect(pieces).toHaveLength(2);
  });

  it('checks Bearer keys when configured with some', async () => {
    const guarded = await new OllamaFake({ apiKeys: ['proxy-key'] }).start();
    try {
      await expect(new Ollama({ host: guarded.url }).list()).rejects.toMatchObject({ status_code: 401 });
      const withKey = new Ollama({ host: guarded.url, headers: { Authorization: 'Bearer proxy-key' } });
      await expect(withKey.list()).resolves.toHaveProperty('models');
    } finally {
      await guarded.close();
    }
  });
});
