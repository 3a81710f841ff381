import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

const SWEEP_MS = 10_000;

/**
 * Replies left `streaming` by a process that died (SIGKILL, power loss) are finished as `failed`
 * with their partial content, once their conversation's lease has lapsed (a live reply renews it
 * every 10 s; it lapses 30 s after the last renewal): at start and every 10 s, so no reply stays
 * `streaming` for more than about 40 s after its process died.
 */
@Injectable()
export class StaleReplySweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(StaleReplySweeper.name);
  private timer?: NodeJS.Timeout;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.sweep().catch((err: unknown) => this.logger.warn(`stale reply sweep failed: ${String(err)}`));
    this.timer = setInterval(() => void this.sweep().catch(() => undefined), SWEEP_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async sweep(): Promise<number> {
    const [, count] = (await this.dataSource.query(
      `UPDATE messages m SET status = 'failed', completed_at = now(),
              error = jsonb_build_object('class', 'interrupted', 'message', 'The server stopped before this reply finished; what arrived is kept')
         FROM conversations c
        WHERE m.conversation_id = c.id AND m.status = 'streaming'
          AND (c.lease_until IS NULL OR c.lease_until < now())`,
    )) as [unknown, number];
    if (count > 0) this.logger.warn(`finished ${count} interrupted repl${count === 1 ? 'y' : 'ies'} as failed`);
    return count;
  }
}
