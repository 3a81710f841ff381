import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { LookupAddress } from 'node:dns';
import { SettingsService, type SettingsSnapshot } from '../settings/settings.service.js';
import type { DestinationPolicy } from './destination-policy.js';
import { GuardedFetch, resolveChecked, systemResolver, type Resolver } from './guarded-fetch.js';

/**
 * The SSRF guard every upstream call goes through, configured from the `security.*` settings.
 * One guarded fetch (with its connection pool) per distinct policy.
 */
@Injectable()
export class DestinationGuard implements OnModuleDestroy {
  private resolver: Resolver = systemResolver;
  private readonly fetches = new Map<string, GuardedFetch>();
  /** The answer for the settings last seen (every upstream call asks). */
  private last: { settings: SettingsSnapshot; guarded: GuardedFetch } | undefined;

  constructor(private readonly settings: SettingsService) {}

  async policy(): Promise<DestinationPolicy> {
    return policyOf(await this.settings.snapshot());
  }

  /** A fetch that refuses metadata, link-local and (unless allowed) private and loopback targets. */
  async fetch(): Promise<typeof globalThis.fetch> {
    return (await this.guarded()).fetch;
  }

  /** The guarded client itself, for its lighter `request` (the gateway's pass-through). */
  async guarded(): Promise<GuardedFetch> {
    const settings = await this.settings.snapshot();
    if (this.last?.settings === settings) return this.last.guarded;
    const policy = policyOf(settings);
    const key = JSON.stringify(policy);
    let guarded = this.fetches.get(key);
    if (!guarded) {
      guarded = new GuardedFetch(policy, this.resolver);
      this.fetches.set(key, guarded);
    }
    this.last = { settings, guarded };
    return guarded;
  }

  /** Resolves a host name and checks every address (the connection test's dns stage). */
  async resolve(hostname: string): Promise<LookupAddress[]> {
    return resolveChecked(hostname, await this.policy(), this.resolver);
  }

  /** Replaces name resolution (split-horizon DNS, tests); pooled connections made with the old one are closed. */
  useResolver(resolver: Resolver): void {
    this.resolver = resolver;
    void this.closeAll();
  }

  async onModuleDestroy(): Promise<void> {
    await this.closeAll();
  }

  private async closeAll(): Promise<void> {
    const open = [...this.fetches.values()];
    this.fetches.clear();
    this.last = undefined;
    await Promise.all(open.map((f) => f.close().catch(() => undefined)));
  }
}

function policyOf(settings: SettingsSnapshot): DestinationPolicy {
  return {
    allowLoopback: settings.value('security.allow_loopback_endpoints'),
    allowedPrivateHosts: settings.value('security.allowed_private_hosts'),
  };
}
