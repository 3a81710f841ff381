import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { NotificationHub } from '../database/notifications.js';

const TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

interface Entry<T> {
  value: T;
  at: number;
}

/**
 * Who a token or key belongs to, remembered for a few seconds so authentication does not query
 * the database on every request. Any change to users or keys clears it here at once and on other
 * instances through NOTIFY; the TTL bounds staleness if a notification is ever missed.
 */
@Injectable()
export class PrincipalCache implements OnModuleInit {
  private readonly entries = new Map<string, Entry<unknown>>();

  constructor(private readonly notifications: NotificationHub) {}

  onModuleInit(): void {
    this.notifications.on('sb_auth', () => this.entries.clear());
  }

  async get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < TTL_MS) return hit.value as T;
    const value = await load();
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, { value, at: now });
    return value;
  }

  /** Call inside the transaction that changed a user or key; clears every instance on commit. */
  async changed(manager: EntityManager): Promise<void> {
    this.entries.clear();
    await this.notifications.notify('sb_auth', 'changed', manager);
  }

  clearLocal(): void {
    this.entries.clear();
  }
}
