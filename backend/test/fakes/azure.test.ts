import OpenAI, { AzureOpenAI } from 'openai';
import { AZURE_DEFAULT_KEY, AzureOpenAiFake } from './azure.fake.js';
import { estimateTokens, fakeEmbedding, fakeReply } from './content.js';

describe('Azure OpenAI fake, driven by the official AzureOpenAI client', () => {
  let fake: AzureOpenAiFake;
  const apiVersion = '2024-10-21';
  const azure = (options: { apiKey?: string; deployment?: string } = {}) =>
    new AzureOpenAI({
      endpoint: fake.url,
      apiKey: options.apiKey ?? AZURE_DEFAULT_KEY,
      apiVersion,
      deployment: options.deployment,
      maxRetries: 0,
    });

  beforeAll(async () => {
    fake = await new AzureOpenAiFake({ deployments: { 'chat-prod': 'gpt-4o-mini', 'embed-prod': 'text-embedding-3-small' } }).start();
  });
  afterEach(() => fake.reset());
  afterAll(() => fake.close());

  it('chats through a deployment path with api-version and the api-key header', async () => {
    const completion = await azure({ deployment: 'chat-prod' }).chat.completions.create({
      model: '',
      messages: [{ role: 'user', content: 'Hello Azure' }],
    });
    expect(completion.choices[0]?.message.content).toBe(fakeReply('Hello Azure'));
    const [request] = fake.requests;
    expect(request).toMatchObject({ path: '/openai/deployments/chat-prod/chat/completions', query: { 'api-version': apiVersion } });
    expect(request?.headers['api-key']).toBe(AZURE_DEFAULT_KEY);
    expect(request?.headers['authorization']).toBeUndefined();
    expect(completion).toMatchObject({ prompt_filter_results: [{ prompt_index: 0 }] });
  });

  it('streams with a leading prompt-filter chunk that has no choices, then text and usage', async () => {
    const stream = await azure({ deployment: 'chat-prod' }).chat.completions.create({
      model: '',
      messages: [{ role: 'user', content: 'Stream please' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]?.choices).toEqual([]);
    expect(chunks[0]).toHaveProperty('prompt_filter_results');
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(fakeReply('Stream please'));
    expect(chunks.at(-1)?.usage?.completion_tokens).toBe(estimateTokens(fakeReply('Stream please')));
  });

  it('embeds through a deployment', async () => {
    const result = await azure({ deployment: 'embed-prod' }).embeddings.create({ model: '', input: ['a', 'b'], encoding_format: 'float' });
    expect(result.data.map((d) => d.embedding.length)).toEqual([1536, 1536]);
    expect(result.data[1]?.embedding).toEqual(fakeEmbedding('b', 1536));
    expect(fake.requests[0]?.path).toBe('/openai/deployments/embed-prod/embeddings');
  });

  it('serves the v1 API to the plain OpenAI client (Bearer key, no api-version)', async () => {
    const client = new OpenAI({ apiKey: AZURE_DEFAULT_KEY, baseURL: `${fake.url}/openai/v1`, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'chat-prod', messages: [{ role: 'user', content: 'v1' }] });
    expect(completion.choices[0]?.message.content).toBe(fakeReply('v1'));
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toContain('text-embedding-3-small');
  });

  it('answers 404 "Resource not found" without api-version, and 400 for an unsupported one', async () => {
    const url = `${fake.url}/openai/deployments/chat-prod/chat/completions`;
    const init = {
      method: 'POST',
      headers: { 'api-key': AZURE_DEFAULT_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'x' }] }),
    };
    const missing = await fetch(url, init);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: '404', message: 'Resource not found' } });
    const unsupported = await fetch(`${url}?api-version=banana`, init);
    expect(unsupported.status).toBe(400);
    expect(await unsupported.json()).toMatchObject({ error: { code: 'BadRequest' } });
  });

  it("refuses a wrong key with AuthenticationError and Azure's error body", async () => {
    const error = await azure({ apiKey: 'wrong', deployment: 'chat-prod' })
      .chat.completions.create({ model: '', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error).toMatchObject({ status: 401, code: '401' });
  });

  it('answers an unknown deployment with NotFoundError (DeploymentNotFound)', async () => {
    const error = await azure({ deployment: 'nope' })
      .chat.completions.create({ model: '', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error).toMatchObject({ code: 'DeploymentNotFound' });
  });

  it('answers 429 with both retry-after and retry-after-ms', async () => {
    fake.enqueue({ status: 429, retryAfter: 3 });
    const error = await azure({ deployment: 'chat-prod' })
      .chat.completions.create({ model: '', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const headers = (error as InstanceType<typeof OpenAI.RateLimitError>).headers;
    expect(headers?.get('retry-after')).toBe('3');
    expect(headers?.get('retry-after-ms')).toBe('3000');
    expect((error as Error).message).toContain('retry after 3 seconds');
  });

  it('fails a deployment whose name carries a magic token', async () => {
    const error = await azure({ deployment: 'chat-fail-500' })
      .chat.completions.create({ model: '', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
  });
});
