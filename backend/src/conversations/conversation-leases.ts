import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { DomainError } from '../common/domain-error.js';

export const LEASE_SECONDS = 30;
const RENEW_MS = 10_000;
const POLL_MS = 50;
const MAX_WAIT_MS = 120_000;

/** Thrown by a turn's first write when another reply holds the conversation (or took a turn since it was read). */
export class ConversationBusy extends Error {
  constructor() {
    super('conversation leased by another reply');
  }
}

/**
 * The lease on one conversation for one turn. It is taken by the turn's first write (which sets
 * `lease_until` in the same statement as the user's message, only where no other reply holds it)
 * and given back by its last (with the reply's totals), so a turn costs no extra round trips for it.
 */
export class Lease {
  private renew?: NodeJS.Timeout;
  held = false;
  released = false;

  constructor(
    private readonly dataSource: DataSource,
    readonly conversationId: string,
  ) {}

  /** The caller's statement set `lease_until`: count the lease as held, and keep it renewed. */
  taken(): void {
    this.held = true;
    this.renew = setInterval(() => void this.extend(), RENEW_MS);
  }

  /** The caller's last statement cleared `lease_until`. */
  markReleased(): void {
    this.released = true;
    clearInterval(this.renew);
  }

  /** Gives the lease back if the turn ended without doing so itself (e.g. the database failed mid-turn). */
  async close(): Promise<void> {
    clearInterval(this.renew);
    if (!this.held || this.released) return;
    this.released = true;
    await this.dataSource.query('UPDATE conversations SET lease_until = NULL WHERE id = $1', [this.conversationId]).catch(() => undefined);
  }

  private async extend(): Promise<void> {
    await this.dataSource
      .query('UPDATE conversations SET lease_until = now() + make_interval(secs => $2) WHERE id = $1', [this.conversationId, LEASE_SECONDS])
      .catch(() => undefined);
  }
}

/**
 * One reply at a time per conversation, so two sends never interleave their history. Within a
 * process sends queue in order; across instances a lease on the conversation row (renewed while
 * the reply runs, expiring if the holder dies) makes the others wait their turn: a turn that
 * finds it taken is retried every 50 ms for up to two minutes.
 */
@Injectable()
export class ConversationLeases {
  private readonly queues = new Map<string, Promise<void>>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async run<T>(conversationId: string, work: (lease: Lease) => Promise<T>): Promise<T> {
    const previous = this.queues.get(conversationId) ?? Promise.resolve();
    let done!: () => void;
    const mine = previous.then(() => new Promise<void>((resolve) => (done = resolve)));
    this.queues.set(conversationId, mine);
    await previous;
    try {
      const started = Date.now();
      for (;;) {
        const lease = new Lease(this.dataSource, conversationId);
        try {
          return await work(lease);
        } catch (error) {
          if (!(error instanceof ConversationBusy)) throw error;
          if (Date.now() - started > MAX_WAIT_MS) {
            throw new DomainError(
              'conflict',
              'conversation.busy',
              'Another reply in this conversation is still running; try again shortly',
            );
          }
          await new Promise((r) => setTimeout(r, POLL_MS));
        } finally {
          await lease.close();
        }
      }
    } finally {
      done();
      if (this.queues.get(conversationId) === mine) this.queues.delete(conversationId);
    }
  }
}
