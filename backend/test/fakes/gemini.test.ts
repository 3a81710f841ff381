import { ApiError, FunctionCallingConfigMode, GoogleGenAI, type Model, Type } from '@google/genai';
import { estimateTokens, fakeEmbedding, fakeReply, promptTokens } from './content.js';
import { GEMINI_DEFAULT_KEY, GeminiFake } from './gemini.fake.js';
import { realmSafeFetch } from './realm-safe-fetch.js';

describe('Gemini fake, driven by the official @google/genai SDK', () => {
  let fake: GeminiFake;
  let client: GoogleGenAI;
  const question = 'Why is the sky blue?';
  const reply = fakeReply(question);
  const gemini = (apiKey: string, timeout?: number) =>
    new GoogleGenAI({ apiKey, httpOptions: { baseUrl: fake.url, timeout, fetch: realmSafeFetch } });

  beforeAll(async () => {
    fake = await new GeminiFake().start();
    client = gemini(GEMINI_DEFAULT_KEY);
  });
  afterEach(() => fake.reset());
  afterAll(() => fake.close());

  it('generates content with text and usage metadata', async () => {
    const response = await client.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: question,
      config: { systemInstruction: 'Answer in one line.' },
    });
    expect(response.text).toBe(reply);
    expect(response.candidates?.[0]?.finishReason).toBe('STOP');
    const inputTokens = promptTokens(['Answer in one line.', question]);
    expect(response.usageMetadata).toMatchObject({
      promptTokenCount: inputTokens,
      candidatesTokenCount: estimateTokens(reply),
      totalTokenCount: inputTokens + estimateTokens(reply),
    });
    // @google/genai 3.x defaults to the v1 API; the AI SDK uses v1beta. The fake serves both.
    expect(fake.requests[0]).toMatchObject({ method: 'POST', path: '/v1/models/gemini-2.5-flash:generateContent' });
    expect(fake.requests[0]?.headers['x-goog-api-key']).toBe(GEMINI_DEFAULT_KEY);
  });

  it('streams content over SSE and reports usage on the last chunk', async () => {
    const stream = await client.models.generateContentStream({ model: 'gemini-2.0-flash', contents: question });
    const pieces: string[] = [];
    let lastUsage: unknown;
    for await (const chunk of stream) {
      pieces.push(chunk.text ?? '');
      lastUsage = chunk.usageMetadata;
    }
    expect(pieces.length).toBeGreaterThanOrEqual(3);
    expect(pieces.join('')).toBe(reply);
    expect(lastUsage).toMatchObject({ candidatesTokenCount: estimateTokens(reply) });
    expect(fake.requests[0]?.query).toEqual({ alt: 'sse' });
  });

  it('answers a JSON MIME type with JSON: an instance of responseJsonSchema or of responseSchema, else an object', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' }, sunny: { type: 'boolean' } }, required: ['city', 'sunny'] };
    const ask = (config: Record<string, unknown>) =>
      client.models.generateContent({
        model: 'gemini-2.5-flash',
        contents: 'Lisbon',
        config: { responseMimeType: 'application/json', ...config },
      });
    expect(JSON.parse((await ask({ responseJsonSchema: schema })).text!)).toEqual({ city: 'Lisbon', sunny: true });
    const geminiSchema = { type: Type.OBJECT, properties: { city: { type: Type.STRING } } };
    expect(JSON.parse((await ask({ responseSchema: geminiSchema })).text!)).toEqual({ city: 'Lisbon' });
    expect(JSON.parse((await ask({})).text!)).toEqual({ answer: fakeReply('Lisbon') });
  });

  it('stops at maxOutputTokens with finishReason MAX_TOKENS', async () => {
    const response = await client.models.generateContent({ model: 'gemini-2.5-flash', contents: question, config: { maxOutputTokens: 2 } });
    expect(response.candidates?.[0]?.finishReason).toBe('MAX_TOKENS');
    expect(response.usageMetadata?.candidatesTokenCount).toBe(2);
  });

  it('calls the function the config allows, whole in one chunk when streamed, then answers its response', async () => {
    const weather = { name: 'get_weather', parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } } } };
    const config = {
      tools: [{ functionDeclarations: [{ name: 'get_time' }, weather] }],
      toolConfig: { functionCallingConfig: { mode: FunctionCallingConfigMode.ANY, allowedFunctionNames: ['get_weather'] } },
    };
    const response = await client.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Paris', config });
    expect(response.functionCalls).toEqual([{ name: 'get_weather', args: { city: 'Paris' } }]);
    expect(response.candidates?.[0]?.finishReason).toBe('STOP');

    const chunks = [];
    for await (const chunk of await client.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Paris', config })) {
      chunks.push(chunk);
    }
    expect(chunks.flatMap((c) => c.functionCalls ?? [])).toEqual([{ name: 'get_weather', args: { city: 'Paris' } }]);

    const answered = await client.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: [
        { role: 'user', parts: [{ text: 'Paris' }] },
        { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { content: 'sunny, 21 °C' } } }] },
      ],
      config,
    });
    expect(answered.text).toBe(fakeReply('sunny, 21 °C'));
  });

  it('embeds a batch (the SDK calls :batchEmbedContents) with the model dimensions or the requested ones', async () => {
    const full = await client.models.embedContent({ model: 'gemini-embedding-001', contents: ['one', 'two'] });
    expect(full.embeddings?.map((e) => e.values?.length)).toEqual([3072, 3072]);
    expect(full.embeddings?.[1]?.values).toEqual(fakeEmbedding('two', 3072));
    expect(fake.requests[0]?.path).toBe('/v1/models/gemini-embedding-001:batchEmbedContents');
    const reduced = await client.models.embedContent({
      model: 'text-embedding-004',
      contents: 'one',
      config: { outputDimensionality: 64 },
    });
    expect(reduced.embeddings?.[0]?.values).toEqual(fakeEmbedding('one', 64));
  });

  it('streams a JSON array when the request does not ask for SSE', async () => {
    const response = await fetch(`${fake.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': GEMINI_DEFAULT_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: question }] }] }),
    });
    const chunks = (await response.json()) as { candidates: { content: { parts: { text: string }[] } }[] }[];
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    expect(chunks.map((c) => c.candidates[0]?.content.parts[0]?.text).join('')).toBe(reply);
  });

  it('answers the single :embedContent call with the key in the query string', async () => {
    const response = await fetch(`${fake.url}/v1beta/models/text-embedding-004:embedContent?key=${GEMINI_DEFAULT_KEY}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ content: { parts: [{ text: 'solo' }] } }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ embedding: { values: fakeEmbedding('solo', 768) } });
  });

  it('lists models page by page with token limits and generation methods', async () => {
    const models: Model[] = [];
    const pager = await client.models.list({ config: { pageSize: 3 } });
    for await (const model of pager) models.push(model);
    expect(models.map((m) => m.name)).toEqual([
      'models/gemini-2.5-flash',
      'models/gemini-2.0-flash',
      'models/gemini-embedding-001',
      'models/text-embedding-004',
    ]);
    expect(models[0]).toMatchObject({
      inputTokenLimit: 1_048_576,
      outputTokenLimit: 65_536,
      supportedActions: expect.arrayContaining(['generateContent']),
    });
    expect(models[2]?.supportedActions).toContain('embedContent');
    expect(fake.requests.map((r) => r.query['pageToken'])).toEqual([undefined, '3']);
  });

  it('answers a wrong key the way Google does: 400 INVALID_ARGUMENT with reason API_KEY_INVALID', async () => {
    const error = await gemini('wrong-key')
      .models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    const body = JSON.parse((error as ApiError).message);
    expect(body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT', details: [{ reason: 'API_KEY_INVALID' }] });
  });

  it('answers a forced 401 with UNAUTHENTICATED and an unknown model with 404 NOT_FOUND', async () => {
    fake.enqueue({ status: 401 });
    const unauthenticated = await client.models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' }).catch((e: unknown) => e);
    expect(unauthenticated).toMatchObject({ status: 401 });
    expect(JSON.parse((unauthenticated as ApiError).message).error.status).toBe('UNAUTHENTICATED');
    const missing = await client.models.generateContent({ model: 'gemini-0', contents: 'x' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ApiError);
    expect(missing).toMatchObject({ status: 404 });
    expect((missing as ApiError).message).toContain('NOT_FOUND');
  });

  it('answers 429 RESOURCE_EXHAUSTED with a RetryInfo delay (the SDK exposes the body, not the headers) and 500 INTERNAL', async () => {
    fake.enqueue({ status: 429, retryAfter: 4 });
    fake.enqueue({ status: 500 });
    const limited = await client.models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' }).catch((e: unknown) => e);
    expect(limited).toMatchObject({ status: 429 });
    expect(JSON.parse((limited as ApiError).message).error).toMatchObject({
      status: 'RESOURCE_EXHAUSTED',
      details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '4s' }],
    });
    await expect(client.models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' })).rejects.toMatchObject({ status: 500 });
  });

  it('surfaces an in-stream error chunk as an ApiError', async () => {
    fake.enqueue({ streamErrorAfterChunks: 2, status: 503 });
    const stream = await client.models.generateContentStream({ model: 'gemini-2.5-flash', contents: question });
    const consume = async () => {
      for await (const chunk of stream) void chunk;
    };
    await expect(consume()).rejects.toMatchObject({ name: 'ApiError', status: 503 });
  });

  it('hangs until the SDK timeout aborts the call', async () => {
    fake.setBehaviour({ hang: true });
    const started = Date.now();
    await expect(
      gemini(GEMINI_DEFAULT_KEY, 300).models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('makes the SDK fail on a malformed body and on a malformed stream chunk', async () => {
    fake.enqueue({ malformed: 'body' });
    await expect(client.models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' })).rejects.toMatchObject({
      name: 'SyntaxError',
    });
    fake.enqueue({ malformed: 'chunk' });
    const stream = await client.models.generateContentStream({ model: 'gemini-2.5-flash', contents: question });
    const consume = async () => {
      for await (const chunk of stream) void chunk;
    };
    await expect(consume()).rejects.toThrow(/JSON/);
  });
});
