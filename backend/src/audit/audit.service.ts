import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { Actor } from '../common/actor.js';
import { AuditEvent, type AuditChanges, type AuditOutcome } from './audit-event.entity.js';
import { computeHash, GENESIS_HASH } from './audit-hash.js';

export interface AuditEntry {
  action: string;
  outcome?: AuditOutcome;
  entityType?: string;
  entityId?: string | null;
  changes?: AuditChanges | null;
}

/** Any constant works; it only has to be the same for every appender. */
const CHAIN_LOCK = 7_301_990_001;

@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Appends an event inside the caller's transaction, so the change and its event commit or roll
   * back together. The advisory lock is held until that commit, so the chain never forks.
   */
  async record(manager: EntityManager, actor: Actor, entry: AuditEntry): Promise<AuditEvent> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('AuditService.record must run inside a transaction');
    }
    await manager.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK]);
    const [last] = (await manager.query('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1')) as {
      seq: string;
      hash: string;
    }[];
    const event = manager.create(AuditEvent, {
      seq: String(BigInt(last?.seq ?? '0') + 1n),
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
      changes: entry.changes && Object.keys(entry.changes).length > 0 ? JSON.parse(JSON.stringify(entry.changes)) : null,
      requestId: actor.requestId,
      ip: actor.ip,
      userAgent: actor.userAgent,
      prevHash: last?.hash ?? GENESIS_HASH,
    });
    event.hash = computeHash(event);
    await manager.getRepository(AuditEvent).insert(event as never);
    return event;
  }

  /** For events with no state change of their own (failed logins, denied requests). */
  async recordAlone(actor: Actor, entry: AuditEntry): Promise<AuditEvent> {
    return this.dataSource.transaction((manager) => this.record(manager, actor, entry));
  }
}
