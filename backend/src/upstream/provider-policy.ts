import {
  bulkhead,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  DelegateBackoff,
  ExponentialBackoff,
  halfJitterGenerator,
  handleWhen,
  isBrokenCircuitError,
  retry,
  type BulkheadPolicy,
  type CircuitBreakerPolicy,
  type IBackoff,
  type IRetryBackoffContext,
  type RetryPolicy,
} from 'cockatiel';
import type { ProviderRateLimits } from './rate-limits.js';
import { isUpstreamError, UpstreamError } from './upstream-error.js';

/** The settings every provider's policy is built from (see settings.registry.ts). */
export interface PolicySettings {
  maxRetries: number;
  queueWaitMs: number;
  maxRetryWaitMs: number;
  breakerFailures: number;
  breakerCooldownMs: number;
}

export type CircuitStateName = 'closed' | 'open' | 'half_open';

/** Calls waiting for a slot beyond this are refused at once: a queue that long never drains in time. */
const MAX_QUEUED = 1000;
const FIRST_BACKOFF_MS = 250;

const retryable = (settings: PolicySettings) => (error: unknown) =>
  isUpstreamError(error) &&
  error.retryable &&
  !error.local &&
  (error.retryAfterMs === undefined || error.retryAfterMs <= settings.maxRetryWaitMs);

/**
 * One provider's resilience, from cockatiel: retries with exponential backoff and jitter that
 * honour Retry-After, a consecutive-failure circuit breaker, and a bulkhead for max_concurrency
 * with a bounded wait. Order per attempt: breaker → rpm/tpm → slot → call. A slot is held only
 * while calling (not while backing off), and for a stream until it ends.
 */
export class ProviderPolicy {
  readonly breaker: CircuitBreakerPolicy;
  private readonly retry: RetryPolicy;
  private readonly slots: BulkheadPolicy | null;
  private openedAt = 0;

  constructor(
    readonly signature: string,
    private readonly providerName: string,
    maxConcurrency: number | null,
    private readonly settings: PolicySettings,
    private readonly rates: ProviderRateLimits,
  ) {
    this.slots = maxConcurrency ? bulkhead(maxConcurrency, MAX_QUEUED) : null;
    this.breaker = circuitBreaker(
      handleWhen((error) => isUpstreamError(error) && error.countsAsOutage && !error.local),
      { halfOpenAfter: settings.breakerCooldownMs, breaker: new ConsecutiveBreaker(settings.breakerFailures) },
    );
    this.breaker.onBreak(() => (this.openedAt = Date.now()));
    // Half jitter: attempt n waits between ½ and 1 × 250 ms × 2^n, so retries spread out but always back off.
    const exponential = new ExponentialBackoff({
      generator: halfJitterGenerator,
      initialDelay: FIRST_BACKOFF_MS,
      maxDelay: Math.max(FIRST_BACKOFF_MS, settings.maxRetryWaitMs),
    });
    const backoff = new DelegateBackoff<IRetryBackoffContext<unknown>, IBackoff<unknown>>((context, previous) => {
      const next = previous ? previous.next(context) : exponential.next();
      const failure = 'error' in context.result ? context.result.error : undefined;
      const asked = isUpstreamError(failure) ? (failure.retryAfterMs ?? 0) : 0;
      return { delay: Math.min(settings.maxRetryWaitMs, Math.max(next.duration, asked)), state: next };
    });
    this.retry = retry(handleWhen(retryable(settings)), { maxAttempts: settings.maxRetries, backoff });
  }

  get circuitState(): CircuitStateName {
    const state = this.breaker.state;
    return state === CircuitState.Open ? 'open' : state === CircuitState.HalfOpen ? 'half_open' : 'closed';
  }

  readonly onRetry = (listener: () => void) => this.retry.onRetry(listener);

  /** Runs a call under every limit; the slot is released when it settles. */
  async run<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return (await this.execute(call, signal, false)).value;
  }

  /** Like run, but the slot stays taken until `release` is called (a stream that goes on after its first event). */
  open<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<{ value: T; release: () => void }> {
    return this.execute(call, signal, true);
  }

  record(tokens: number): Promise<void> {
    return this.rates.record(tokens);
  }

  private async execute<T>(call: () => Promise<T>, signal: AbortSignal | undefined, keepSlot: boolean) {
    try {
      return await this.retry.execute(async () => {
        if (signal?.aborted) throw signal.reason;
        // Callers do not queue behind the half-open trial call; they fail fast like an open circuit.
        if (this.breaker.state === CircuitState.HalfOpen) throw this.circuitOpen();
        return this.breaker.execute(async () => {
          await this.rates.take();
          const release = await this.slot(signal);
          try {
            const value = await call();
            if (!keepSlot) release();
            return { value, release: keepSlot ? release : () => undefined };
          } catch (error) {
            release();
            throw error;
          }
        });
      }, signal);
    } catch (error) {
      throw isBrokenCircuitError(error) ? this.circuitOpen() : error;
    }
  }

  /**
   * Takes a concurrency slot, waiting at most queueWaitMs. The bulkhead's task is a promise that
   * settles on release, so the slot is held exactly as long as the caller needs it.
   */
  private slot(signal: AbortSignal | undefined): Promise<() => void> {
    const slots = this.slots;
    if (!slots) return Promise.resolve(() => undefined);
    return new Promise((resolve, reject) => {
      const gaveUp = new AbortController();
      let started = false;
      const timer = setTimeout(() => {
        if (started) return;
        signal?.removeEventListener('abort', onAbort);
        gaveUp.abort();
        reject(this.queueFull());
      }, this.settings.queueWaitMs);
      const onAbort = () => {
        if (started) return;
        clearTimeout(timer);
        gaveUp.abort();
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      slots
        .execute(
          () =>
            new Promise<void>((release) => {
              started = true;
              clearTimeout(timer);
              signal?.removeEventListener('abort', onAbort);
              resolve(() => release());
            }),
          gaveUp.signal,
        )
        .catch((error: unknown) => {
          clearTimeout(timer);
          // A rejection after giving up is the bulkhead dropping our cancelled place in the queue.
          if (!gaveUp.signal.aborted) reject(slotsFull(error) ? this.queueFull() : error);
        });
    });
  }

  private queueFull(): UpstreamError {
    const seconds = Math.max(1, Math.ceil(this.settings.queueWaitMs / 1000));
    return new UpstreamError(
      'rate_limited',
      `${this.providerName} is at its max_concurrency and no slot freed up within ${seconds} s: retry shortly, or raise limits.max_concurrency`,
      { retryAfterMs: Math.min(seconds, 5) * 1000, local: true },
    );
  }

  private circuitOpen(): UpstreamError {
    const remaining = Math.max(1000, this.settings.breakerCooldownMs - (Date.now() - this.openedAt));
    return new UpstreamError(
      'circuit_open',
      `${this.providerName} failed ${this.settings.breakerFailures} times in a row, so calls fail fast for now: retry in ${Math.ceil(remaining / 1000)} s, or check the provider`,
      { retryAfterMs: remaining, local: true },
    );
  }
}

const slotsFull = (error: unknown) => (error as { name?: string })?.name === 'BulkheadRejectedError';
