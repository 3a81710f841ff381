import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GuardedFetch } from '../guarded-fetch.js';
import type { ChatStreamEvent, UpstreamTarget } from '../upstream.types.js';
import { chatCompletion, chatCompletionStream } from './chat-completions-wire.js';

/**
 * The edges of the direct Chat Completions path that the provider fakes do not produce (their
 * answers are always well-formed): odd finish reasons, missing usage, answers without choices,
 * redirects. A plain HTTP server plays the provider, answering whatever the test queued.
 */
describe('Chat Completions over the wire', () => {
  let server: Server;
  let answer: { status?: number; headers?: Record<string, string>; body: string };
  const guarded = new GuardedFetch({ allowLoopback: true, allowedPrivateHosts: [] });
  let target: UpstreamTarget;
  const request = { model: 'm-1', messages: [{ role: 'user' as const, content: 'Hello there' }] };

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(answer.status ?? 200, answer.headers ?? { 'content-type': 'application/json' }).end(answer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    target = {
      providerId: 'p-1',
      providerName: 'local',
      kind: 'openai_compatible',
      baseUrl: `http://127.0.0.1:${port}/v1`,
      apiKey: null,
      apiVersion: null,
      config: {},
      timeoutMs: 5_000,
    };
  });
  afterAll(async () => {
    await guarded.close();
    await new Promise((resolve) => server.close(resolve));
  });

  const completion = (choice: Record<string, unknown>, usage?: Record<string, unknown>) =>
    JSON.stringify({ object: 'chat.completion', choices: [{ index: 0, ...choice }], ...(usage && { usage }) });
  const sse = (...events: unknown[]) => events.map((e) => `data: ${typeof e === 'string' ? e : JSON.stringify(e)}\n\n`).join('');
  const drain = async (events: AsyncIterable<ChatStreamEvent>) => {
    const seen: ChatStreamEvent[] = [];
    try {
      for await (const event of events) seen.push(event);
      return { seen, error: undefined };
    } catch (error) {
      return { seen, error };
    }
  };

  it('reads the reply, maps finish reasons to the SDK’s words and estimates input tokens the server did not report', async () => {
    answer = { body: completion({ message: { role: 'assistant', content: 'Hi' }, finish_reason: 'content_filter' }) };
    expect(await chatCompletion(guarded.context(target), request)).toEqual({
      text: 'Hi',
      usage: { inputTokens: 3, outputTokens: 0 },
      finishReason: 'content-filter',
    });
    answer = {
      body: completion(
        { message: { role: 'assistant', content: null }, finish_reason: 'something_new' },
        { prompt_tokens: 7, completion_tokens: 0 },
      ),
    };
    expect(await chatCompletion(guarded.context(target), request)).toEqual({
      text: '',
      usage: { inputTokens: 7, outputTokens: 0 },
      finishReason: 'other',
    });
  });

  it('refuses an answer without choices, and a redirect, as invalid_response', async () => {
    answer = { body: JSON.stringify({ object: 'chat.completion', choices: [] }) };
    await expect(chatCompletion(guarded.context(target), request)).rejects.toMatchObject({ errorClass: 'invalid_response' });
    answer = { status: 307, headers: { location: 'http://elsewhere.example/v1/chat/completions' }, body: '' };
    await expect(chatCompletion(guarded.context(target), request)).rejects.toMatchObject({
      errorClass: 'invalid_response',
      message: expect.stringMatching(/redirected the request \(307\): use the final URL as api_base/),
    });
  });

  it('streams deltas and the usage that follows the finish reason; [DONE] is optional', async () => {
    const chunk = (content: string | null, finish: string | null = null) => ({
      choices: [{ index: 0, delta: { content }, finish_reason: finish }],
    });
    answer = {
      headers: { 'content-type': 'text/event-stream' },
      body: sse(chunk('Hel'), chunk('lo'), chunk(null, 'length'), { choices: [], usage: { prompt_tokens: 4, completion_tokens: 2 } }),
    };
    const { seen, error } = await drain(chatCompletionStream(guarded.context(target), request));
    expect(error).toBeUndefined();
    expect(seen).toEqual([
      { type: 'delta', text: 'Hel' },
      { type: 'delta', text: 'lo' },
      { type: 'done', usage: { inputTokens: 4, outputTokens: 2 }, finishReason: 'length' },
    ]);
  });

  it('ends a stream that closes cleanly before any finish reason as cut short, after the deltas it had', async () => {
    answer = {
      headers: { 'content-type': 'text/event-stream' },
      body: sse({ choices: [{ index: 0, delta: { content: 'Hel' } }] }, '[DONE]'),
    };
    const { seen, error } = await drain(chatCompletionStream(guarded.context(target), request));
    expect(seen).toEqual([{ type: 'delta', text: 'Hel' }]);
    expect(error).toMatchObject({
      errorClass: 'connection_error',
      message: expect.stringMatching(/ended the stream before the reply was complete/),
    });
  });
});
