import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { LookupAddress } from 'node:dns';
import { SettingsService } from '../settings/settings.service.js';
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

  constructor(private readonly settings: SettingsService) {}

  async policy(): Promise<DestinationPolicy> {
    const [allowLoopback, allowedPrivateHosts] = await Promise.all([
      this.settings.value('security.allow_loopback_endpoints'),
      this.settings.value('security.allowed_private_hosts'),
    ]);
    return { allowLoopback, allowedPrivateHosts };
  }

  /** A fetch that refuses metadata, link-local and (unless allowed) private and loopback targets. */
  async fetch(): Promise<typeof globalThis.fetch> {
    return (await this.guarded()).fetch;
  }

  /** The guarded client itself, for its lighter `request` (the gateway's pass-through). */
  async guarded(): Promise<GuardedFetch> {
    const policy = await this.policy();
    const key = JSON.stringify(policy);
    let guarded = this.fetches.get(key);
    if (!guarded) {
      guarded = new GuardedFetch(policy, this.resolver);
      this.fetches.set(key, guarded);
    }
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
    await Promise.all(open.map((f) => f.close().catch(() => undefined)));
  }
}
