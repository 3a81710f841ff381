import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { RateLimiterPostgres } from 'rate-limiter-flexible';
import type { DataSource } from 'typeorm';
import { DomainError } from '../common/domain-error.js';

const MAX_FAILURES = 10;
const WINDOW_SECONDS = 60;

/**
 * Counts failed sign-ins per IP and per email in PostgreSQL (rate-limiter-flexible), so the limit
 * holds across app instances. Ten failures within a minute lock that IP or email for the rest of it.
 */
@Injectable()
export class LoginThrottle implements OnModuleInit {
  private limiter!: RateLimiterPostgres;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    this.limiter = new RateLimiterPostgres({
      storeClient: (this.dataSource.driver as unknown as { master: Pool }).master,
      storeType: 'pool',
      tableName: 'rate_limits',
      tableCreated: true,
      clearExpiredByTimeout: true,
      keyPrefix: 'login',
      points: MAX_FAILURES,
      duration: WINDOW_SECONDS,
    });
  }

  /** Throws 429 with Retry-After when either key has used up its failures. */
  async assertAllowed(ip: string, email: string): Promise<void> {
    const results = await Promise.all([this.limiter.get(`ip:${ip}`), this.limiter.get(`email:${email}`)]);
    const blocked = results.filter((r) => r !== null && r.consumedPoints >= MAX_FAILURES);
    if (blocked.length === 0) return;
    const waitMs = Math.max(...blocked.map((r) => r!.msBeforeNext));
    throw new DomainError('rate_limited', 'auth.too_many_failures', 'Too many failed sign-ins; wait before trying again', {
      retryAfterSeconds: Math.ceil(waitMs / 1000),
    });
  }

  async recordFailure(ip: string, email: string): Promise<void> {
    await Promise.all([this.limiter.penalty(`ip:${ip}`, 1), this.limiter.penalty(`email:${email}`, 1)]);
  }

  async recordSuccess(email: string): Promise<void> {
    await this.limiter.delete(`email:${email}`);
  }
}
