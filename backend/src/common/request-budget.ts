import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { DomainError } from './domain-error.js';

/**
 * Requests per minute per caller (an API key, a user), counted in memory with rate-limiter-flexible:
 * a guard against one caller flooding this instance. The limit comes from a setting read per call,
 * so a change applies at once; 0 means unlimited.
 */
export class RequestBudget {
  private limiter: { points: number; limiter: RateLimiterMemory } | undefined;

  constructor(
    private readonly name: string,
    private readonly describe: (points: number) => string,
  ) {}

  async take(callerId: string, points: number): Promise<void> {
    if (!points) return;
    if (this.limiter?.points !== points)
      this.limiter = { points, limiter: new RateLimiterMemory({ points, duration: 60, keyPrefix: this.name }) };
    try {
      await this.limiter.limiter.consume(callerId);
    } catch (rejection) {
      const wait = rejection instanceof RateLimiterRes ? rejection.msBeforeNext : 60_000;
      throw new DomainError('rate_limited', 'rate_limit_exceeded', this.describe(points), { retryAfterSeconds: Math.ceil(wait / 1000) });
    }
  }
}
