import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { DomainError, notFound } from '../common/domain-error.js';

const LEASE_SECONDS = 60;
const RENEW_MS = 20_000;
const POLL_MS = 50;
const MAX_WAIT_MS = 120_000;

/**
 * One reply at a time per conversation, so two sends never interleave their history. Within a
 * process sends queue in order; across instances a lease on the conversation row (renewed while
 * the reply runs, expiring if the holder dies) makes the others wait their turn.
 */
@Injectable()
export class ConversationLeases {
  private readonly queues = new Map<string, Promise<void>>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async run<T>(conversationId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(conversationId) ?? Promise.resolve();
    let done!: () => void;
    const mine = previous.then(() => new Promise<void>((resolve) => (done = resolve)));
    this.queues.set(conversationId, mine);
    await previous;
    try {
      await this.acquire(conversationId);
      const renew = setInterval(() => void this.extend(conversationId), RENEW_MS);
      try {
        return await work();
      } finally {
        clearInterval(renew);
        await this.dataSource.query('UPDATE conversations SET lease_until = NULL WHERE id = $1', [conversationId]).catch(() => undefined);
      }
    } finally {
      done();
      if (this.queues.get(conversationId) === mine) this.queues.delete(conversationId);
    }
  }

  private async acquire(id: string): Promise<void> {
    const started = Date.now();
    for (;;) {
      const taken = (await this.dataSource.query(
        `UPDATE conversations SET lease_until = now() + make_interval(secs => $2)
          WHERE id = $1 AND (lease_until IS NULL OR lease_until < now()) RETURNING id`,
        [id, LEASE_SECONDS],
      )) as [unknown[], number];
      if (taken[1] > 0) return;
      const [exists] = (await this.dataSource.query('SELECT 1 FROM conversations WHERE id = $1', [id])) as unknown[];
      if (!exists) throw notFound('conversation', id);
      if (Date.now() - started > MAX_WAIT_MS) {
        throw new DomainError('conflict', 'conversation.busy', 'Another reply in this conversation is still running; try again shortly');
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  private async extend(id: string): Promise<void> {
    await this.dataSource
      .query('UPDATE conversations SET lease_until = now() + make_interval(secs => $2) WHERE id = $1', [id, LEASE_SECONDS])
      .catch(() => undefined);
  }
}
