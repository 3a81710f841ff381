import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { MetricsService } from '../health/metrics.service.js';
import type { Provider } from '../providers/provider.entity.js';
import { SettingsService } from '../settings/settings.service.js';
import { ProviderPolicy, type CircuitStateName, type PolicySettings } from './provider-policy.js';
import { postgresLimiters, ProviderRateLimits, type LimiterFactory } from './rate-limits.js';

const GAUGE_VALUE: Record<CircuitStateName, number> = { closed: 0, half_open: 1, open: 2 };

/**
 * Each provider's policy (limits, retries, breaker), kept per instance and rebuilt when the
 * provider's limits or the upstream settings change. Breaker state and max_concurrency are per
 * instance; rpm/tpm budgets are shared through PostgreSQL.
 */
@Injectable()
export class UpstreamPolicies {
  private readonly policies = new Map<string, ProviderPolicy>();
  private readonly limiters: LimiterFactory;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly settings: SettingsService,
    private readonly metrics: MetricsService,
  ) {
    this.limiters = postgresLimiters((dataSource.driver as unknown as { master: Pool }).master);
  }

  async forProvider(provider: Provider): Promise<ProviderPolicy> {
    const settings = await this.currentSettings();
    const signature = JSON.stringify([provider.name, provider.maxConcurrency, provider.rpm, provider.tpm, settings]);
    const existing = this.policies.get(provider.id);
    if (existing?.signature === signature) return existing;
    const rates = new ProviderRateLimits(provider.id, provider.name, provider, settings.queueWaitMs, this.limiters);
    const policy = new ProviderPolicy(signature, provider.name, provider.maxConcurrency, settings, rates);
    const labels = { provider_id: provider.id, provider: provider.name };
    this.metrics.upstreamCircuitState.set(labels, 0);
    policy.breaker.onStateChange(() => this.metrics.upstreamCircuitState.set(labels, GAUGE_VALUE[policy.circuitState]));
    policy.onRetry(() => this.metrics.upstreamRetries.inc({ provider: provider.name }));
    this.policies.set(provider.id, policy);
    return policy;
  }

  /** What GET /providers shows; a provider this instance has not called yet is closed. */
  circuitState(providerId: string): CircuitStateName {
    return this.policies.get(providerId)?.circuitState ?? 'closed';
  }

  private async currentSettings(): Promise<PolicySettings> {
    const [maxRetries, queueWaitMs, maxRetryWaitMs, breakerFailures, breakerCooldownMs] = await Promise.all([
      this.settings.value('upstream.max_retries'),
      this.settings.value('upstream.queue_wait_ms'),
      this.settings.value('upstream.max_retry_wait_ms'),
      this.settings.value('upstream.breaker_failures'),
      this.settings.value('upstream.breaker_cooldown_ms'),
    ]);
    return { maxRetries, queueWaitMs, maxRetryWaitMs, breakerFailures, breakerCooldownMs };
  }
}
