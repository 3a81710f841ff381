import { LinkedAbortController } from './linked-abort.js';

/**
 * One upstream call's cancel signal: aborted by the caller's signal or when the provider's timeout
 * runs out, whichever comes first. `clear()` once the answer is read (or has failed) drops the timer
 * and the link to the caller's signal.
 *
 * Not `AbortSignal.any([caller, AbortSignal.timeout(ms)])`: that timer lives for the whole timeout
 * whatever happens to the call, and keeps what it captured (the request's async context, its logger)
 * alive with it. Under load that is kilobytes per request surviving into the old generation, and the
 * young-generation pauses grow with it.
 */
export class Deadline {
  private readonly controller: LinkedAbortController;
  private readonly timer: NodeJS.Timeout;
  /** Whether the timeout (not the caller) ended the call. */
  expired = false;

  constructor(timeoutMs: number, caller?: AbortSignal) {
    this.controller = new LinkedAbortController(caller);
    this.timer = setTimeout(() => {
      this.expired = true;
      this.controller.abort(new DOMException('The provider did not answer in time', 'TimeoutError'));
    }, timeoutMs);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  clear(): void {
    clearTimeout(this.timer);
    this.controller.unlink();
  }
}
