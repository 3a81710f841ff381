import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { DataSource } from 'typeorm';
import { DomainError } from '../common/domain-error.js';
import { poolOf } from '../database/prepared-query.js';

const MAX_FAILURES = 10;
const WINDOW_SECONDS = 60;

/**
 * Counts sign-in attempts per IP and per email in PostgreSQL (rate-limiter-flexible), so the limit
 * holds across app instances. Ten failures within a minute lock that IP or email for the rest of it.
 *
 * Every attempt takes its point *before* the password is checked (one atomic upsert per key), and a
 * successful sign-in gives it back. Reading the counters first and charging after the slow argon2
 * check let a parallel burst through: all of its requests saw the same count below the limit.
 */
@Injectable()
export class LoginThrottle implements OnModuleInit {
  private limiter!: RateLimiterPostgres;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    this.limiter = new RateLimiterPostgres({
      storeClient: poolOf(this.dataSource),
      storeType: 'pool',
      tableName: 'rate_limits',
      tableCreated: true,
      clearExpiredByTimeout: true,
      keyPrefix: 'login',
      points: MAX_FAILURES,
      duration: WINDOW_SECONDS,
    });
  }

  /**
   * Charges one attempt to the IP and to the email, or throws 429 with Retry-After when either has
   * none left. A refused attempt is refunded to the key that still had room, since no password was
   * tried for it.
   */
  async takeAttempt(ip: string, email: string): Promise<void> {
    const keys = [`ip:${ip}`, `email:${email}`];
    const results = await Promise.allSettled(keys.map((key) => this.limiter.consume(key)));
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    if (refused.length === 0) return;
    const failure = refused.find((reason) => !(reason instanceof RateLimiterRes));
    await Promise.all(keys.filter((_, i) => results[i].status === 'fulfilled').map((key) => this.limiter.reward(key, 1)));
    if (failure) throw failure;
    const waitMs = Math.max(...(refused as RateLimiterRes[]).map((r) => r.msBeforeNext));
    throw new DomainError('rate_limited', 'auth.too_many_failures', 'Too many failed sign-ins; wait before trying again', {
      retryAfterSeconds: Math.ceil(waitMs / 1000),
    });
  }

  /** A good password clears the email's failures and returns the IP's point: only failures count. */
  async recordSuccess(ip: string, email: string): Promise<void> {
    await Promise.all([this.limiter.delete(`email:${email}`), this.limiter.reward(`ip:${ip}`, 1)]);
  }
}
