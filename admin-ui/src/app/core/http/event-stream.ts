import { HttpErrorResponse } from '@angular/common/http';
import { inject, Injectable, InjectionToken } from '@angular/core';
import { createParser } from 'eventsource-parser';
import { Api } from '../../api/api';
import { SessionService } from '../auth/session.service';

/** One Server-Sent Event: its name (`message` when the server gave none) and its raw data. */
export interface ServerSentEvent {
  event: string;
  data: string;
}

/** The fetch the stream client uses; tests provide their own. */
export const FETCH = new InjectionToken<typeof fetch>('fetch', { factory: () => (input, init) => fetch(input, init) });

/**
 * Fills the `{name}` placeholders of a generated function's PATH (`sendMessage$EventStream.PATH`),
 * so the URL comes from the contract and is not written by hand.
 */
export function apiPath(template: string, params: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${template} needs ${name}`);
    return encodeURIComponent(value);
  });
}

/**
 * The events of an SSE body, as they arrive. Comments (`: ping`) are skipped. Stopping early (a
 * `break`, or `return()` on the generator) cancels the body, which closes the connection.
 */
export async function* readEventStream(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  const parsed: ServerSentEvent[] = [];
  const parser = createParser({ onEvent: (message) => parsed.push({ event: message.event ?? 'message', data: message.data }) });
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      // As in EventSource, an event the body ends before its blank line is dropped.
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
      while (parsed.length) yield parsed.shift()!;
    }
    finished = true;
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/**
 * POSTs JSON to the API and reads the Server-Sent Events it answers with: the one place the console
 * calls the API without the generated client, which cannot read a stream. Like the auth
 * interceptor, it sends the access token, renews it once on a 401 and retries once.
 */
@Injectable({ providedIn: 'root' })
export class EventStreamClient {
  private readonly api = inject(Api);
  private readonly session = inject(SessionService);
  private readonly fetch = inject(FETCH);

  /**
   * Rejects with an HttpErrorResponse (problem+json body parsed) when the API refuses before
   * streaming, so `problemMessage()` reads it like any other failed call. Aborting `signal` ends it.
   */
  async *post(path: string, body: unknown, signal?: AbortSignal): AsyncGenerator<ServerSentEvent> {
    let response = await this.send(path, body, signal);
    if (response.status === 401) {
      if ((await this.session.renew()) !== 'renewed') throw await httpError(response);
      response = await this.send(path, body, signal);
      if (response.status === 401) this.session.expire();
    }
    if (!response.ok || !response.body) throw await httpError(response);
    yield* readEventStream(response.body);
  }

  private send(path: string, body: unknown, signal?: AbortSignal): Promise<Response> {
    const token = this.session.accessToken();
    return this.fetch(this.api.rootUrl + path, {
      method: 'POST',
      headers: {
        Accept: 'text/event-stream',
        'Content-Type': 'application/json',
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
      signal,
    });
  }
}

async function httpError(response: Response): Promise<HttpErrorResponse> {
  const text = await response.text().catch(() => '');
  let error: unknown = text;
  try {
    error = JSON.parse(text);
  } catch {
    // Not JSON: keep the text.
  }
  return new HttpErrorResponse({ status: response.status, statusText: response.statusText, url: response.url, error });
}
