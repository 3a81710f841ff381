import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import {
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRedis,
  type RateLimiterAbstract,
  type RateLimiterRes,
} from 'rate-limiter-flexible';
import { UpstreamError } from './upstream-error.js';

const WINDOW_SECONDS = 60;

/** How to build a per-minute counter: in PostgreSQL or Redis (shared by every instance) or in memory. */
export type LimiterFactory = (keyPrefix: string, points: number) => RateLimiterAbstract;

/**
 * Counters in the `rate_limits` table, so every instance draws on one budget per provider (the
 * upstream's quota is per key, not per instance). A memory limiter insures against a database
 * hiccup: calls are then limited per instance rather than refused.
 */
export function postgresLimiters(pool: Pool): LimiterFactory {
  return (keyPrefix, points) =>
    new RateLimiterPostgres({
      storeClient: pool,
      storeType: 'pool',
      tableName: 'rate_limits',
      tableCreated: true,
      clearExpiredByTimeout: false,
      keyPrefix,
      points,
      duration: WINDOW_SECONDS,
      insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration: WINDOW_SECONDS }),
    });
}

/**
 * The same counters in Redis when `REDIS_URL` is set: one round trip to an in-memory store instead
 * of an upsert per call. The memory limiter insures against Redis being unreachable.
 */
export function redisLimiters(client: Redis): LimiterFactory {
  return (keyPrefix, points) =>
    new RateLimiterRedis({
      storeClient: client,
      keyPrefix: `switchboard:${keyPrefix}`,
      points,
      duration: WINDOW_SECONDS,
      insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration: WINDOW_SECONDS }),
    });
}

const isLimiterAnswer = (value: unknown): value is RateLimiterRes =>
  typeof value === 'object' && value !== null && 'msBeforeNext' in value && !(value instanceof Error);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A provider's `rpm` and `tpm` budgets over one-minute windows. A request waits for the next
 * window when that is close (up to `maxWaitMs`), otherwise it is refused with the wait as
 * Retry-After. Tokens are counted after each call from the usage the upstream reports: the
 * output length is not known before, so tpm refuses new calls once the minute's budget is spent.
 */
export class ProviderRateLimits {
  private readonly requests: RateLimiterAbstract | null;
  private readonly tokens: RateLimiterAbstract | null;

  constructor(
    private readonly providerId: string,
    private readonly providerName: string,
    private readonly limits: { rpm: number | null; tpm: number | null },
    private readonly maxWaitMs: number,
    factory: LimiterFactory,
  ) {
    this.requests = limits.rpm ? factory('upstream_rpm', limits.rpm) : null;
    this.tokens = limits.tpm ? factory('upstream_tpm', limits.tpm) : null;
  }

  /** Takes one request from the rpm budget; refuses while the tpm budget of this minute is spent. */
  async take(): Promise<void> {
    if (this.tokens) {
      const used = await this.tokens.get(this.providerId);
      if (used && used.consumedPoints >= this.limits.tpm!) {
        throw this.refusal(`${this.limits.tpm} tokens a minute (limits.tpm)`, used.msBeforeNext);
      }
    }
    if (!this.requests) return;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.requests.consume(this.providerId, 1);
        return;
      } catch (rejection) {
        if (!isLimiterAnswer(rejection)) throw rejection;
        if (attempt > 0 || rejection.msBeforeNext > this.maxWaitMs) {
          throw this.refusal(`${this.limits.rpm} requests a minute (limits.rpm)`, rejection.msBeforeNext);
        }
        await sleep(rejection.msBeforeNext + 5);
      }
    }
  }

  /** Counts the tokens a call used against the tpm budget. */
  async record(tokens: number): Promise<void> {
    if (this.tokens && tokens > 0) await this.tokens.penalty(this.providerId, Math.ceil(tokens));
  }

  private refusal(limit: string, waitMs: number): UpstreamError {
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    return new UpstreamError(
      'rate_limited',
      `${this.providerName} allows ${limit}: retry in ${seconds} s, or raise the provider's limits`,
      { retryAfterMs: waitMs, local: true },
    );
  }
}
