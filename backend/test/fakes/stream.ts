import type { ServerResponse } from 'node:http';
import type { FakeBehaviour } from './behaviour.js';

/** SSE events, NDJSON lines, or a JSON array written element by element (Gemini without alt=sse). */
export type StreamFormat = 'sse' | 'ndjson' | 'json-array';

/** Waits `ms`, or less if the response closes first; tells whether the response is still open. */
export function waitUnlessClosed(ms: number | undefined, res: ServerResponse): Promise<boolean> {
  if (res.destroyed || res.writableEnded) return Promise.resolve(false);
  if (!ms || ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onClose = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(!res.destroyed);
    }, ms);
    res.once('close', onClose);
  });
}

/**
 * Writes a streamed reply frame by frame (SSE events or NDJSON lines) and applies the stream
 * behaviours: delay between chunks, drop after K chunks, one malformed chunk, an in-stream error.
 * Every frame counts as one chunk. Each write resolves to false once the stream has been cut,
 * so a provider's generator stops.
 */
export class FakeStream {
  private sent = 0;
  private stopped = false;
  private flushed: Promise<void> = Promise.resolve();
  private readonly res: ServerResponse;
  private readonly behaviour: FakeBehaviour;
  private readonly format: StreamFormat;
  private readonly errorFrame: () => string | undefined;

  constructor(res: ServerResponse, behaviour: FakeBehaviour, format: StreamFormat, errorFrame: () => string | undefined) {
    this.res = res;
    this.behaviour = behaviour;
    this.format = format;
    this.errorFrame = errorFrame;
  }

  /** Sends one JSON event (with an SSE event name when the provider uses them). */
  async event(data: unknown, eventName?: string): Promise<boolean> {
    const json = JSON.stringify(data);
    const broken = this.behaviour.malformed === 'chunk' && this.sent === (this.behaviour.malformedChunkIndex ?? 1);
    const payload = broken ? json.slice(0, Math.max(1, Math.floor(json.length / 2))) : json;
    return this.write(this.frame(payload, eventName));
  }

  /** Sends a frame exactly as given, e.g. OpenAI's `data: [DONE]\n\n`. */
  raw(frame: string): Promise<boolean> {
    return this.write(frame);
  }

  end(): void {
    if (!this.stopped && !this.res.destroyed) this.res.end(this.format === 'json-array' ? (this.sent === 0 ? '[]' : '\n]') : undefined);
    this.stopped = true;
  }

  get open(): boolean {
    return !this.stopped && !this.res.destroyed;
  }

  private frame(payload: string, eventName: string | undefined): string {
    if (this.format === 'ndjson') return `${payload}\n`;
    if (this.format === 'json-array') return `${this.sent === 0 ? '[' : '\n,'}${payload}`;
    return `${eventName ? `event: ${eventName}\n` : ''}data: ${payload}\n\n`;
  }

  private async write(frame: string): Promise<boolean> {
    if (!this.open) return false;
    if (this.sent > 0 && !(await waitUnlessClosed(this.behaviour.chunkDelayMs, this.res))) return false;
    if (this.sent === this.behaviour.stallAfterChunks) {
      // Silent, not closed: only the client's idle timeout ends this.
      await new Promise<void>((resolve) => this.res.once('close', () => resolve()));
      this.stopped = true;
      return false;
    }
    if (this.sent === this.behaviour.dropAfterChunks) {
      this.stopped = true;
      // Let the chunks already written reach the client before the connection goes.
      await this.flushed;
      this.res.destroy();
      return false;
    }
    if (this.sent === this.behaviour.streamErrorAfterChunks) {
      const errorFrame = this.errorFrame();
      if (errorFrame === undefined) this.res.destroy();
      else this.res.end(errorFrame);
      this.stopped = true;
      return false;
    }
    this.sent++;
    this.flushed = new Promise((resolve) => this.res.write(frame, () => resolve()));
    return true;
  }
}
