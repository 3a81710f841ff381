import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { Actor } from '../common/actor.js';
import { AuditEvent, type AuditChanges, type AuditOutcome } from './audit-event.entity.js';
import { eventColumns, hashTemplate } from './audit-hash.js';

export interface AuditEntry {
  action: string;
  outcome?: AuditOutcome;
  entityType?: string;
  entityId?: string | null;
  changes?: AuditChanges | null;
}

/** What `audit_append` returns. */
export interface AppendedRow {
  appended_seq: string;
  appended_prev_hash: string;
  appended_hash: string;
}

/** Any constant works; it only has to be the same for every appender. */
export const CHAIN_LOCK = 7_301_990_001;

@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Appends an event inside the caller's transaction, so the change and its event commit or roll
   * back together. The chain lock `audit_append` takes is held until that commit, so the chain
   * never forks: call this last before the commit.
   */
  async record(manager: EntityManager, actor: Actor, entry: AuditEntry): Promise<AuditEvent> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('AuditService.record must run inside a transaction');
    }
    const append = this.append(actor, entry, 1);
    const [appended] = (await manager.query(`SELECT * FROM ${append.sql}`, append.params)) as AppendedRow[];
    return append.event(appended!);
  }

  /**
   * The append as a call to splice into a caller's own single statement, for hot paths where the
   * change and its event are one statement committed on its own: the chain lock is then held only
   * while the database runs it, with no round trip in between. The caller must make the call
   * depend on the change having happened (e.g. `FROM changed CROSS JOIN LATERAL <sql>` in a
   * MATERIALIZED CTE), so no event is appended without its change.
   */
  append(actor: Actor, entry: AuditEntry, firstParam: number) {
    const content = {
      id: randomUUID(),
      // Millisecond precision survives the round trip through timestamptz, so hashes re-verify.
      occurredAt: new Date(Date.now()),
      actorType: actor.type,
      actorId: actor.id,
      actorEmail: actor.email,
      actorRole: actor.role,
      action: entry.action,
      outcome: entry.outcome ?? 'success',
      entityType: entry.entityType ?? null,
      entityId: entry.entityId ?? null,
      changes: entry.changes && Object.keys(entry.changes).length > 0 ? (JSON.parse(JSON.stringify(entry.changes)) as AuditChanges) : null,
      requestId: actor.requestId,
      ip: actor.ip,
      userAgent: actor.userAgent,
    } satisfies Omit<AuditEvent, 'seq' | 'prevHash' | 'hash'>;
    const { head, middle, tail } = hashTemplate(content);
    const columns = eventColumns(content);
    const p = (i: number) => `$${firstParam + i}`;
    return {
      sql: `audit_append(${p(0)}, ${p(1)}::jsonb, ${p(2)}, ${p(3)}, ${p(4)})`,
      params: [CHAIN_LOCK, JSON.stringify(columns), head, middle, tail] as unknown[],
      /** `audit_append`'s arguments after the lock: an item of `audit_append_many`'s array, for a statement that appends several events. */
      args: { event: columns, head, middle, tail },
      /** The stored event, from the row `audit_append` returned. */
      event: (row: AppendedRow): AuditEvent =>
        Object.assign(new AuditEvent(), content, { seq: row.appended_seq, prevHash: row.appended_prev_hash, hash: row.appended_hash }),
    };
  }

  /** For events with no state change of their own (failed logins, denied requests). */
  async recordAlone(actor: Actor, entry: AuditEntry): Promise<AuditEvent> {
    return this.dataSource.transaction((manager) => this.record(manager, actor, entry));
  }
}
