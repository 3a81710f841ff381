import { LinkedAbortController } from './linked-abort.js';
import { UpstreamError } from './upstream-error.js';
import type { ChatStreamEvent } from './upstream.types.js';

/**
 * One attempt at a stream: its own cancel signal (following the caller's) and an idle timer
 * re-armed for every event.
 */
export class StreamAttempt {
  private readonly controller: LinkedAbortController;
  events: AsyncIterator<ChatStreamEvent> | undefined;
  timedOut = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly idleMs: number,
    callerSignal: AbortSignal | undefined,
  ) {
    this.controller = new LinkedAbortController(callerSignal);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  async next(events: AsyncIterator<ChatStreamEvent>, failure: (error: unknown) => unknown): Promise<ChatStreamEvent> {
    this.events = events;
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, this.idleMs);
    try {
      const step = await events.next();
      if (step.done) throw new UpstreamError('invalid_response', 'the stream ended without its final usage', { retryable: true });
      return step.value;
    } catch (error) {
      throw failure(error);
    } finally {
      clearTimeout(this.timer);
    }
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.controller.unlink();
    if (!this.controller.signal.aborted) this.controller.abort();
    void this.events?.return?.(undefined).catch(() => undefined);
  }
}
