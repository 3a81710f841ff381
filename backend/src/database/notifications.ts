import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';

export type Channel = 'sb_registry' | 'sb_settings' | 'sb_auth' | 'sb_keys';
type Handler = (payload: string) => void;

/**
 * PostgreSQL LISTEN/NOTIFY between app instances, for cache invalidation. Notifications sent
 * inside a transaction are delivered on commit, so no instance hears of a change that rolled
 * back. After a lost connection every handler is called once (notifications may have been missed).
 */
@Injectable()
export class NotificationHub implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly instanceId = randomUUID();
  private readonly logger = new Logger(NotificationHub.name);
  private readonly handlers = new Map<Channel, Set<Handler>>();
  private client?: pg.Client;
  private closed = false;
  private retryMs = 500;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  on(channel: Channel, handler: Handler): void {
    if (!this.handlers.has(channel)) this.handlers.set(channel, new Set());
    this.handlers.get(channel)!.add(handler);
  }

  /** Sends within the caller's transaction when given its manager (delivered on commit). */
  async notify(channel: Channel, payload = '', manager?: EntityManager): Promise<void> {
    await (manager ?? this.dataSource).query('SELECT pg_notify($1, $2)', [channel, `${this.instanceId}:${payload}`]);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const options = this.dataSource.options as { url?: string };
    const client = new pg.Client({ connectionString: options.url, application_name: 'switchboard-listen' });
    client.on('notification', (message) => {
      for (const handler of this.handlers.get(message.channel as Channel) ?? []) handler(message.payload ?? '');
    });
    client.on('error', (err) => this.logger.warn(`notification connection error: ${err.message}`));
    client.on('end', () => this.reconnectLater());
    try {
      await client.connect();
      for (const channel of ['sb_registry', 'sb_settings', 'sb_auth', 'sb_keys'] satisfies Channel[])
        await client.query(`LISTEN ${channel}`);
      this.client = client;
      this.retryMs = 500;
    } catch (err) {
      this.logger.warn(`could not listen for notifications: ${String(err)}`);
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      this.reconnectLater();
    }
  }

  private reconnectLater(): void {
    if (this.closed) return;
    const wait = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, 10_000);
    setTimeout(() => {
      if (this.closed) return;
      void this.connect().then(() => {
        if (!this.client) return;
        for (const set of this.handlers.values()) for (const handler of set) handler('*reconnected');
      });
    }, wait).unref();
  }
}
