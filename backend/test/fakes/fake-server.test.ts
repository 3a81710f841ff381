import { behaviourFromModelName, stripMagicTokens } from './behaviour.js';
import { embeddingToBase64, estimateTokens, fakeEmbedding, fakeReply, limitReply, replyChunks } from './content.js';
import { OPENAI_DEFAULT_KEY, OpenAiFake } from './openai.fake.js';

describe('fake server behaviours (shared by every provider fake)', () => {
  let fake: OpenAiFake;
  beforeAll(async () => {
    fake = await new OpenAiFake({ maxLoggedRequests: 5 }).start();
  });
  afterEach(() => fake.reset());
  afterAll(() => fake.close());

  const chat = (model = 'gpt-4o-mini', headers: Record<string, string> = {}, extra: Record<string, unknown> = {}) =>
    fetch(`${fake.url}/v1/chat/completions?trace=1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OPENAI_DEFAULT_KEY}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'ping' }], ...extra }),
    });
  const statuses = async (count: number, model?: string) => {
    const result: number[] = [];
    for (let i = 0; i < count; i++) result.push((await chat(model)).status);
    return result;
  };

  it('applies an enqueued behaviour to the next request only, or to the next N', async () => {
    fake.enqueue({ status: 500 });
    expect(await statuses(2)).toEqual([500, 200]);
    fake.enqueue({ status: 503 }, 2);
    expect(await statuses(3)).toEqual([503, 503, 200]);
  });

  it('keeps a default behaviour until reset, which also empties the request log', async () => {
    fake.setBehaviour({ status: 429, retryAfter: 9 });
    const responses = [await chat(), await chat()];
    expect(responses.map((r) => r.status)).toEqual([429, 429]);
    expect(responses[0]?.headers.get('retry-after')).toBe('9');
    fake.reset();
    expect(fake.requests).toEqual([]);
    expect((await chat()).status).toBe(200);
  });

  it('sends Retry-After: 1 with a 429 by default, and none when retryAfter is null', async () => {
    fake.enqueue({ status: 429 });
    fake.enqueue({ status: 429, retryAfter: null });
    expect((await chat()).headers.get('retry-after')).toBe('1');
    expect((await chat()).headers.get('retry-after')).toBeNull();
  });

  it('takes a per-request behaviour from the x-fake-behaviour header, and rejects a bad one', async () => {
    const limited = await chat('gpt-4o-mini', { 'x-fake-behaviour': '{"status":429,"retryAfter":2}' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(await limited.json()).toMatchObject({ error: { type: 'requests', code: 'rate_limit_exceeded' } });
    const bad = await chat('gpt-4o-mini', { 'x-fake-behaviour': '{"stauts":500}' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('unknown fake behaviour keys: stauts');
  });

  it('reads behaviours from magic model names, resolving them to the catalogue model', async () => {
    const failed = await chat('gpt-4o-mini-fail-429-retry-after-3');
    expect(failed.status).toBe(429);
    expect(failed.headers.get('retry-after')).toBe('3');
    expect(await statuses(3, 'gpt-4o-mini-flaky-2')).toEqual([503, 503, 200]);
    expect(await statuses(1, 'gpt-4o-mini-flaky-2')).toEqual([200]);
    const started = Date.now();
    const slow = await chat('fake-slow-150');
    expect(slow.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(145);
    expect(await slow.json()).toMatchObject({ model: 'fake-slow-150', choices: [{ message: { content: fakeReply('ping') } }] });
    expect((await chat('gpt-5-unknown')).status).toBe(404);
  });

  it('spaces stream chunks by chunkDelayMs', async () => {
    fake.enqueue({ chunkDelayMs: 40 });
    const started = Date.now();
    const response = await chat('gpt-4o-mini', {}, { stream: true });
    const text = await response.text();
    const frames = text.split('\n\n').filter(Boolean).length;
    expect(frames).toBeGreaterThanOrEqual(4);
    expect(Date.now() - started).toBeGreaterThanOrEqual(40 * (frames - 1) - 5);
  });

  it('goes silent after K stream chunks, keeping the connection open', async () => {
    fake.enqueue({ stallAfterChunks: 2 });
    const response = await chat('gpt-4o-mini', {}, { stream: true });
    const reader = response.body!.getReader();
    let text = '';
    const deadline = Date.now() + 400;
    while (Date.now() < deadline) {
      const next = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), deadline - Date.now()))]);
      if (next === null || next.done) break;
      text += new TextDecoder().decode(next.value);
    }
    expect(text.split('\n\n').filter(Boolean)).toHaveLength(2);
    expect(text).not.toContain('[DONE]');
    await reader.cancel();
  });

  it('drops a whole (non-stream) response half-way', async () => {
    fake.enqueue({ dropAfterChunks: 0 });
    const response = await chat();
    await expect(response.text()).rejects.toThrow();
  });

  it('logs method, path, query, headers and parsed body, keeping only the most recent requests', async () => {
    await chat('gpt-4o-mini', { 'x-trace': 'abc' });
    expect(fake.requests[0]).toMatchObject({
      method: 'POST',
      path: '/v1/chat/completions',
      query: { trace: '1' },
      body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'ping' }] },
    });
    expect(fake.requests[0]?.headers).toMatchObject({ authorization: `Bearer ${OPENAI_DEFAULT_KEY}`, 'x-trace': 'abc' });
    await statuses(6);
    expect(fake.requests).toHaveLength(5);
  });

  it('answers an unknown path with the provider 404 body', async () => {
    const response = await fetch(`${fake.url}/v1/nothing-here`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { message: 'Invalid URL (GET /v1/nothing-here)' } });
  });

  it('offers control endpoints for callers in another process, which are not logged', async () => {
    const control = (method: string, path: string, body?: unknown) =>
      fetch(`${fake.url}/__fake/${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
    expect((await control('PUT', 'behaviour', { status: 500 })).status).toBe(200);
    expect(await statuses(1)).toEqual([500]);
    await control('POST', 'reset');
    expect((await control('POST', 'enqueue', { behaviour: { status: 503 }, times: 2 })).status).toBe(200);
    expect(await statuses(3)).toEqual([503, 503, 200]);
    const { requests } = (await (await control('GET', 'requests')).json()) as { requests: { path: string }[] };
    expect(requests.map((r) => r.path)).toEqual(['/v1/chat/completions', '/v1/chat/completions', '/v1/chat/completions']);
    expect((await control('PUT', 'behaviour', { malformed: 'sometimes' })).status).toBe(400);
  });
});

describe('magic model names', () => {
  it('parse into behaviours, and strip back to the base model', () => {
    expect(behaviourFromModelName('gpt-4o-mini-fail-429-retry-after-2')).toEqual({ status: 429, retryAfter: 2 });
    expect(behaviourFromModelName('llama3.2-drop-3:latest')).toEqual({ dropAfterChunks: 3 });
    expect(behaviourFromModelName('gpt-4o-mini-stall-3')).toEqual({ stallAfterChunks: 3 });
    expect(behaviourFromModelName('fake-hang')).toEqual({ hang: true });
    expect(behaviourFromModelName('x-malformed-chunk-chunk-delay-20')).toEqual({ malformed: 'chunk', chunkDelayMs: 20 });
    expect(behaviourFromModelName('m-flaky-2')).toEqual({ flaky: 2, status: 503 });
    expect(behaviourFromModelName('m-stream-error-4-fail-529')).toEqual({ streamErrorAfterChunks: 4, status: 529 });
    expect(behaviourFromModelName('shanghai-model')).toBeUndefined();
    expect(stripMagicTokens('llama3.2-slow-100:latest')).toBe('llama3.2:latest');
  });
});

describe('deterministic content', () => {
  it('derives unit vectors from the text alone', () => {
    const a = fakeEmbedding('same text', 64);
    expect(fakeEmbedding('same text', 64)).toEqual(a);
    expect(fakeEmbedding('other text', 64)).not.toEqual(a);
    expect(Math.hypot(...a)).toBeCloseTo(1, 10);
    expect(Buffer.from(embeddingToBase64(a), 'base64')).toHaveLength(64 * 4);
  });

  it('counts, splits and caps replies consistently', () => {
    const reply = fakeReply('  hello   there ');
    expect(reply).toBe('This is a fake reply to: hello there');
    expect(replyChunks(reply).join('')).toBe(reply);
    expect(estimateTokens('abcd')).toBe(1);
    expect(estimateTokens('abcde')).toBe(2);
    expect(limitReply(reply, 2)).toEqual({ text: reply.slice(0, 8), truncated: true });
    expect(limitReply(reply, 1000)).toEqual({ text: reply, truncated: false });
  });
});
