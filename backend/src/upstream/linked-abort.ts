/**
 * An AbortController that also aborts, with the caller's reason, when the caller's signal does —
 * until `unlink()`, which the owner calls once its work is over.
 *
 * Not `AbortSignal.any([caller, own])`: Node links the combined signal to its sources through
 * WeakRefs and a FinalizationRegistry, which only a full garbage collection clears, so every call's
 * signal and what its listeners captured outlive the call. A plain listener, removed when done,
 * lets them die young.
 */
export class LinkedAbortController extends AbortController {
  private readonly follow = () => this.abort(this.caller!.reason);

  constructor(private readonly caller?: AbortSignal) {
    super();
    if (caller?.aborted) this.follow();
    else caller?.addEventListener('abort', this.follow, { once: true });
  }

  unlink(): void {
    this.caller?.removeEventListener('abort', this.follow);
  }
}
