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
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly follow = () => this.controller.abort(this.caller!.reason);
  /** Whether the timeout (not the caller) ended the call. */
  expired = false;

  constructor(
    timeoutMs: number,
    private readonly caller?: AbortSignal,
  ) {
    this.timer = setTimeout(() => {
      this.expired = true;
      this.controller.abort(new DOMException('The provider did not answer in time', 'TimeoutError'));
    }, timeoutMs);
    if (caller?.aborted) this.follow();
    else caller?.addEventListener('abort', this.follow, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  clear(): void {
    clearTimeout(this.timer);
    this.caller?.removeEventListener('abort', this.follow);
  }
}
