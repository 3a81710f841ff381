import type { FastifyReply } from 'fastify';
import { ClientClosedError } from '../common/client-closed.js';

const HEARTBEAT_MS = 15_000;

/**
 * A Server-Sent Events stream on a hijacked Fastify reply: named events with JSON data, comment
 * heartbeats so proxies keep the connection, and a signal that fires when the client goes away.
 */
export class SseStream {
  private readonly controller = new AbortController();
  private readonly heartbeat: NodeJS.Timeout;
  private ended = false;

  constructor(
    private readonly reply: FastifyReply,
    headers: Record<string, string> = {},
    status = 200,
  ) {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(status, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-request-id': String(reply.request.id),
      ...headers,
    });
    res.flushHeaders();
    res.on('close', () => {
      if (!this.ended) this.controller.abort(new ClientClosedError());
      this.stop();
    });
    this.heartbeat = setInterval(() => this.write(': ping\n\n'), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Aborted when the client disconnects before the stream ended. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  send(event: string, data: unknown): void {
    this.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.stop();
    if (!this.reply.raw.writableEnded) this.reply.raw.end();
  }

  private write(chunk: string): void {
    if (!this.reply.raw.writableEnded && !this.reply.raw.destroyed) this.reply.raw.write(chunk);
  }

  private stop(): void {
    clearInterval(this.heartbeat);
  }
}
