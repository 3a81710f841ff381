import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { AuditEvent } from './audit-event.entity.js';

export const GENESIS_HASH = '0'.repeat(64);

/** The fields a hash covers: everything in the event except the hash itself. */
export function hashedContent(e: Omit<AuditEvent, 'hash'>): Record<string, unknown> {
  return {
    seq: String(e.seq),
    id: e.id,
    occurred_at: new Date(e.occurredAt).toISOString(),
    actor_type: e.actorType,
    actor_id: e.actorId,
    actor_email: e.actorEmail,
    actor_role: e.actorRole,
    action: e.action,
    outcome: e.outcome,
    entity_type: e.entityType,
    entity_id: e.entityId,
    changes: e.changes,
    request_id: e.requestId,
    ip: e.ip,
    user_agent: e.userAgent,
    prev_hash: e.prevHash,
  };
}

/** SHA-256 over the RFC 8785 canonical JSON of the event, which includes the previous hash. */
export function computeHash(e: Omit<AuditEvent, 'hash'>): string {
  return createHash('sha256')
    .update(canonicalize(hashedContent(e)) ?? '')
    .digest('hex');
}
