import { HttpErrorResponse, provideHttpClient } from '@angular/common/http';
import { TestBed } from '@angular/core/testing';
import { aProblem } from '../../../testing/session-fixtures';
import { SessionService } from '../auth/session.service';
import { apiPath, EventStreamClient, FETCH, readEventStream, ServerSentEvent } from './event-stream';
import { problemMessage } from './problem';

/** A body that delivers these chunks one read at a time (split anywhere, like a network would). */
function body(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    pull(controller) {
      const next = chunks.shift();
      if (next === undefined) controller.close();
      else controller.enqueue(encoder.encode(next));
    },
  });
}

async function all(events: AsyncIterable<ServerSentEvent>): Promise<ServerSentEvent[]> {
  const seen: ServerSentEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

describe('readEventStream', () => {
  it('yields named events with their data, across chunk boundaries, and skips heartbeats', async () => {
    const events = await all(
      readEventStream(
        body(
          'event: user_message\ndata: {"id":"u1"}\n\n: ping\n\n',
          'event: delta\ndata: {"text":"Hel',
          'lo"}\n\nevent: delta\n',
          'data: {"text":" é"}\n\n',
        ),
      ),
    );
    expect(events).toEqual([
      { event: 'user_message', data: '{"id":"u1"}' },
      { event: 'delta', data: '{"text":"Hello"}' },
      { event: 'delta', data: '{"text":" é"}' },
    ]);
  });

  it('decodes a character split between two chunks', async () => {
    const bytes = new TextEncoder().encode('data: café\n\n');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 10)); // ends in the middle of "é"
        controller.enqueue(bytes.slice(10));
        controller.close();
      },
    });
    expect(await all(readEventStream(stream))).toEqual([{ event: 'message', data: 'café' }]);
  });

  it('yields each event as soon as its chunk arrives, before the stream ends', async () => {
    let push!: (text: string) => void;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        push = (text) => controller.enqueue(new TextEncoder().encode(text));
      },
    });
    const events = readEventStream(stream);
    push('event: delta\ndata: 1\n\n');
    expect((await events.next()).value).toEqual({ event: 'delta', data: '1' });
    push('event: delta\ndata: 2\n\n');
    expect((await events.next()).value).toEqual({ event: 'delta', data: '2' });
    await events.return(undefined);
  });

  it('cancels the body when the reader stops early', async () => {
    const cancel = vi.fn();
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode('data: x\n\n'));
      },
      cancel,
    });
    for await (const event of readEventStream(stream)) {
      expect(event.data).toBe('x');
      break;
    }
    expect(cancel).toHaveBeenCalled();
  });
});

describe('apiPath', () => {
  it('fills the placeholders of a generated PATH, encoded', () => {
    expect(apiPath('/api/v1/conversations/{id}/messages', { id: 'a b' })).toBe('/api/v1/conversations/a%20b/messages');
    expect(() => apiPath('/api/v1/conversations/{id}', {})).toThrow();
  });
});

describe('EventStreamClient', () => {
  let token: string;
  let renewal: 'renewed' | 'rejected';
  let expired: boolean;
  let calls: { url: string; init: RequestInit }[];
  let responses: Response[];

  function setUp() {
    token = 'access-1';
    renewal = 'renewed';
    expired = false;
    calls = [];
    responses = [];
    const session = {
      accessToken: () => token,
      renew: async () => {
        if (renewal === 'renewed') token = 'access-2';
        return renewal;
      },
      expire: () => (expired = true),
    };
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        { provide: SessionService, useValue: session },
        {
          provide: FETCH,
          useValue: async (url: string, init: RequestInit) => {
            calls.push({ url, init });
            return responses.shift()!;
          },
        },
      ],
    });
    return TestBed.inject(EventStreamClient);
  }

  const sse = (text: string) => new Response(body(text), { status: 200, headers: { 'content-type': 'text/event-stream' } });
  const problem = (status: number, detail: string) =>
    new Response(JSON.stringify(aProblem(status, detail)), { status, headers: { 'content-type': 'application/problem+json' } });

  it('posts JSON with the bearer token and asks for an event stream', async () => {
    const client = setUp();
    responses.push(sse('event: delta\ndata: {"text":"hi"}\n\n'));
    const events = await all(client.post('/api/v1/conversations/c1/messages', { content: 'Hello' }));

    expect(events).toEqual([{ event: 'delta', data: '{"text":"hi"}' }]);
    expect(calls[0].url).toBe('/api/v1/conversations/c1/messages');
    expect(calls[0].init.method).toBe('POST');
    expect(calls[0].init.headers).toMatchObject({
      Accept: 'text/event-stream',
      'Content-Type': 'application/json',
      Authorization: 'Bearer access-1',
    });
    expect(calls[0].init.body).toBe('{"content":"Hello"}');
  });

  it('renews an expired token once and retries with the new one', async () => {
    const client = setUp();
    responses.push(problem(401, 'Token expired'), sse('data: ok\n\n'));
    expect(await all(client.post('/p', {}))).toEqual([{ event: 'message', data: 'ok' }]);
    expect(calls.map((call) => (call.init.headers as Record<string, string>)['Authorization'])).toEqual([
      'Bearer access-1',
      'Bearer access-2',
    ]);
  });

  it('ends the session when the retry is refused too', async () => {
    const client = setUp();
    responses.push(problem(401, 'Token expired'), problem(401, 'Revoked'));
    await expect(all(client.post('/p', {}))).rejects.toBeInstanceOf(HttpErrorResponse);
    expect(expired).toBe(true);
  });

  it('rejects with the problem the API answered before streaming', async () => {
    const client = setUp();
    responses.push(problem(410, 'The conversation’s model was retired'));
    const failure = await all(client.post('/p', {})).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(HttpErrorResponse);
    expect((failure as HttpErrorResponse).status).toBe(410);
    expect(problemMessage(failure)).toBe('The conversation’s model was retired');
  });

  it('passes the abort signal to fetch', async () => {
    const client = setUp();
    responses.push(sse(''));
    const controller = new AbortController();
    await all(client.post('/p', {}, controller.signal));
    expect(calls[0].init.signal).toBe(controller.signal);
  });
});
