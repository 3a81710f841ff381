import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../health/metrics.service.js';
import type { Provider } from '../providers/provider.entity.js';
import { SettingsService, type SettingsSnapshot } from '../settings/settings.service.js';
import { ProviderPolicy, type CircuitStateName, type PolicySettings } from './provider-policy.js';
import { postgresLimiters, ProviderRateLimits, redisLimiters, type LimiterFactory } from './rate-limits.js';
import { poolOf } from '../database/prepared-query.js';

const GAUGE_VALUE: Record<CircuitStateName, number> = { closed: 0, half_open: 1, open: 2 };

/**
 * Each provider's policy (limits, retries, breaker), kept per instance and rebuilt when the
 * provider's limits or the upstream settings change. Breaker state and max_concurrency are per
 * instance; rpm/tpm budgets are shared through PostgreSQL, or through Redis when `REDIS_URL` is set.
 */
@Injectable()
export class UpstreamPolicies implements OnApplicationShutdown {
  private readonly logger = new Logger(UpstreamPolicies.name);
  private readonly policies = new Map<string, ProviderPolicy>();
  private readonly seen = new WeakMap<Provider, { snapshot: SettingsSnapshot; policy: ProviderPolicy }>();
  private readonly limiters: LimiterFactory;
  private readonly redis?: Redis;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    config: AppConfig,
    private readonly settings: SettingsService,
    private readonly metrics: MetricsService,
  ) {
    if (config.REDIS_URL) {
      // No offline queue: while Redis is unreachable a call fails at once and the memory limiter
      // takes over, instead of waiting for a reconnect.
      this.redis = new Redis(config.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
      this.redis.on('error', (error: Error) => this.logger.warn(`Redis (REDIS_URL): ${error.message}`));
      this.limiters = redisLimiters(this.redis);
    } else {
      this.limiters = postgresLimiters(poolOf(dataSource));
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }

  async forProvider(provider: Provider): Promise<ProviderPolicy> {
    const snapshot = await this.settings.snapshot();
    // The registry hands out one Provider object until the provider changes, and the settings one
    // snapshot until they change: while both stay the same, so does the policy.
    const seen = this.seen.get(provider);
    if (seen?.snapshot === snapshot && this.policies.get(provider.id) === seen.policy) return seen.policy;
    const settings = policySettings(snapshot);
    const signature = JSON.stringify([provider.name, provider.maxConcurrency, provider.rpm, provider.tpm, settings]);
    const existing = this.policies.get(provider.id);
    if (existing?.signature === signature) {
      this.seen.set(provider, { snapshot, policy: existing });
      return existing;
    }
    const rates = new ProviderRateLimits(provider.id, provider.name, provider, settings.queueWaitMs, this.limiters);
    const policy = new ProviderPolicy(signature, provider.name, provider.maxConcurrency, settings, rates);
    const labels = { provider_id: provider.id, provider: provider.name };
    this.metrics.upstreamCircuitState.set(labels, 0);
    policy.breaker.onStateChange(() => this.metrics.upstreamCircuitState.set(labels, GAUGE_VALUE[policy.circuitState]));
    policy.onRetry(() => this.metrics.upstreamRetries.inc({ provider: provider.name }));
    this.policies.set(provider.id, policy);
    this.seen.set(provider, { snapshot, policy });
    return policy;
  }

  /** What GET /providers shows; a provider this instance has not called yet is closed. */
  circuitState(providerId: string): CircuitStateName {
    return this.policies.get(providerId)?.circuitState ?? 'closed';
  }
}

function policySettings(settings: SettingsSnapshot): PolicySettings {
  return {
    maxRetries: settings.value('upstream.max_retries'),
    queueWaitMs: settings.value('upstream.queue_wait_ms'),
    maxRetryWaitMs: settings.value('upstream.max_retry_wait_ms'),
    breakerFailures: settings.value('upstream.breaker_failures'),
    breakerCooldownMs: settings.value('upstream.breaker_cooldown_ms'),
  };
}
