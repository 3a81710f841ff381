import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { errors, type Dispatcher } from 'undici';

/** An upstream answer's body: a byte stream, or its whole text. Destroying it before its end aborts the request. */
export class UpstreamBody extends Readable {
  constructor(
    private readonly resumeUpstream: () => void,
    private readonly abortUpstream: (reason: Error) => void,
  ) {
    super();
  }

  override _read(): void {
    this.resumeUpstream();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.readableEnded) this.abortUpstream(error ?? new errors.RequestAbortedError());
    callback(error);
  }

  async text(): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of this) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
}

export interface UpstreamResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: UpstreamBody;
}

export interface UpstreamRequest {
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  signal?: AbortSignal;
}

/**
 * One request through a dispatcher, answered with the status, headers and a stream of the body:
 * what undici's `request()` gives, without its handler. That handler left a few kilobytes of every
 * call alive through the next young-generation collection (in a bare proxy, 11–16 % of what was
 * allocated survived a scavenge against ~1 % with this one, and the pauses grew from under 1 ms to
 * 7–9 ms; see docs/decisions.md), so the hot path speaks undici's dispatcher API itself.
 */
export function dispatchRequest(dispatcher: Dispatcher, url: URL, request: UpstreamRequest): Promise<UpstreamResponse> {
  const { signal } = request;
  return new Promise((resolve, reject) => {
    let controller: Dispatcher.DispatchController | null = null;
    let body: UpstreamBody | null = null;
    let settled = false;
    const fail = (error: Error) => {
      if (!settled) {
        settled = true;
        reject(error);
      } else body?.destroy(error);
    };
    const onAbort = () => {
      const reason = signal!.reason instanceof Error ? signal!.reason : new errors.RequestAbortedError();
      // Queued requests have no controller yet: they are aborted as they start.
      controller?.abort(reason);
      fail(reason);
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => signal?.removeEventListener('abort', onAbort);
    dispatcher.dispatch(
      {
        origin: url.origin,
        path: url.pathname + url.search,
        method: request.method,
        headers: request.headers,
        body: request.body,
        headersTimeout: 0,
        bodyTimeout: 0,
      },
      {
        onRequestStart(started) {
          controller = started;
          if (signal?.aborted) started.abort(signal.reason instanceof Error ? signal.reason : new errors.RequestAbortedError());
        },
        onResponseStart(started, statusCode, headers) {
          body = new UpstreamBody(
            () => started.resume(),
            (reason) => started.abort(reason),
          );
          settled = true;
          resolve({ statusCode, headers: headers as IncomingHttpHeaders, body });
        },
        onResponseData(started, chunk) {
          if (!body!.push(chunk)) started.pause();
        },
        onResponseEnd() {
          done();
          body!.push(null);
        },
        onResponseError(_controller, error) {
          done();
          fail(error);
        },
      },
    );
  });
}
