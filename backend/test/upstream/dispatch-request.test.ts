import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { dispatchRequest } from '../../src/upstream/dispatch-request.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** A server whose answer each test decides, recording what it was sent and whether the client went away. */
class Upstream {
  readonly server: Server;
  received: { method?: string; url?: string; headers: IncomingMessage['headers']; body: string }[] = [];
  clientGone = deferred();
  answer: (res: ServerResponse) => void = (res) => res.end('{}');

  constructor() {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        this.received.push({ method: req.method, url: req.url, headers: req.headers, body });
        res.on('close', () => {
          if (!res.writableFinished) this.clientGone.resolve();
        });
        this.answer(res);
      });
    });
  }

  get url(): URL {
    return new URL(`http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1/chat/completions?api-version=1`);
  }
}

describe('dispatchRequest', () => {
  const upstream = new Upstream();
  const agent = new Agent({ keepAliveTimeout: 1_000 });
  const post = (signal?: AbortSignal) =>
    dispatchRequest(agent, upstream.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"q":1}', signal });

  beforeAll(async () => {
    upstream.server.listen(0, '127.0.0.1');
    await once(upstream.server, 'listening');
  });
  beforeEach(() => {
    upstream.received = [];
    upstream.clientGone = deferred();
  });
  afterAll(async () => {
    await agent.close();
    upstream.server.closeAllConnections();
    upstream.server.close();
  });

  it('sends method, path with query, headers and body, and answers status, headers and the whole body', async () => {
    upstream.answer = (res) => res.writeHead(201, { 'x-answer': 'yes' }).end('{"answer":"ok"}');
    const response = await post();
    expect(response.statusCode).toBe(201);
    expect(response.headers['x-answer']).toBe('yes');
    expect(await response.body.text()).toBe('{"answer":"ok"}');
    expect(upstream.received).toEqual([
      expect.objectContaining({ method: 'POST', url: '/v1/chat/completions?api-version=1', body: '{"q":1}' }),
    ]);
    expect(upstream.received[0]!.headers['content-type']).toBe('application/json');
  });

  it('passes the body on chunk by chunk, as it arrives, and ends when the upstream does', async () => {
    let answering!: ServerResponse;
    upstream.answer = (res) => {
      answering = res;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: 1\n\n');
    };
    const response = await post();
    const chunks = response.body[Symbol.asyncIterator]();
    // The second part is only sent once the first has come through.
    expect(String((await chunks.next()).value)).toBe('data: 1\n\n');
    answering.end('data: 2\n\n');
    expect(String((await chunks.next()).value)).toBe('data: 2\n\n');
    expect((await chunks.next()).done).toBe(true);
  });

  it('holds the upstream back while nobody reads (backpressure), then reads it all', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const cap = 16 * 1024 * 1024;
    const blocked = deferred();
    const sentAll = deferred();
    upstream.answer = (res) => {
      res.writeHead(200);
      let written = 0;
      const pump = () => {
        while (written < cap) {
          written += chunk.length;
          if (!res.write(chunk)) {
            blocked.resolve();
            res.once('drain', pump);
            return;
          }
        }
        res.end();
        blocked.resolve();
        sentAll.resolve();
      };
      pump();
    };
    const response = await post();
    // Unread, the answer stops flowing: the server stalls long before its 16 MiB are sent and little
    // is buffered on this side. (Without backpressure this side reads on, and loopback moves 16 MiB
    // well inside the grace period.)
    await blocked.promise;
    const outcome = await Promise.race([
      sentAll.promise.then(() => 'sent all'),
      new Promise((resolve) => setTimeout(resolve, 500, 'stalled')),
    ]);
    expect(outcome).toBe('stalled');
    expect(response.body.readableLength).toBeLessThan(1024 * 1024);
    expect((await response.body.text()).length).toBe(cap);
  });

  it('refuses with the signal’s reason when aborted before the answer, and the upstream sees the client go', async () => {
    upstream.answer = () => undefined; // never answers
    const controller = new AbortController();
    const pending = post(controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await upstream.clientGone.promise;
  });

  it('refuses at once for a signal already aborted, sending nothing', async () => {
    const reason = new Error('already over');
    await expect(post(AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(upstream.received).toEqual([]);
  });

  it('ends the body with the signal’s reason when aborted mid-answer', async () => {
    upstream.answer = (res) => {
      res.writeHead(200);
      res.write('first part');
    };
    const controller = new AbortController();
    const response = await post(controller.signal);
    const reason = new Error('client hung up');
    setTimeout(() => controller.abort(reason), 20);
    await expect(response.body.text()).rejects.toBe(reason);
    await upstream.clientGone.promise;
  });

  it('aborts the upstream request when the reader destroys the body before its end', async () => {
    upstream.answer = (res) => {
      res.writeHead(200);
      res.write('more to come');
    };
    const response = await post();
    response.body.destroy();
    await upstream.clientGone.promise;
  });

  it('refuses with the connection error when nothing listens', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const url = new URL(`http://127.0.0.1:${(closed.address() as AddressInfo).port}/`);
    closed.close();
    await once(closed, 'close');
    await expect(dispatchRequest(agent, url, { method: 'POST', headers: {}, body: '' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
