import { randomUUID } from 'node:crypto';
import canonicalize from 'canonicalize';
import { sha256Hex } from '../common/digest.js';
import type { AuditChanges, AuditEvent } from './audit-event.entity.js';

// The offline verifier states the chain's rules without app code; the app takes them from it.
export { GENESIS_HASH } from '../cli/verify-export.js';

/** An event as the API, the exports and the hash see it: every field but the hash itself. */
export interface HashedContent {
  seq: string;
  id: string;
  occurred_at: string;
  actor_type: AuditEvent['actorType'];
  actor_id: string | null;
  actor_email: string | null;
  actor_role: string | null;
  action: string;
  outcome: AuditEvent['outcome'];
  entity_type: string | null;
  entity_id: string | null;
  changes: AuditChanges | null;
  request_id: string | null;
  ip: string | null;
  user_agent: string | null;
  prev_hash: string;
}

/** The fields a hash covers: everything in the event except the hash itself. */
export function hashedContent(e: Omit<AuditEvent, 'hash'>): HashedContent {
  return { seq: String(e.seq), ...eventColumns(e), prev_hash: e.prevHash };
}

/** The event's own content as `audit_events` columns: all but `seq`, `prev_hash` and `hash`, which the chain decides. */
export function eventColumns(e: Omit<AuditEvent, 'seq' | 'prevHash' | 'hash'>): Omit<HashedContent, 'seq' | 'prev_hash'> {
  return {
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
  };
}

/** SHA-256 over the RFC 8785 canonical JSON of the event, which includes the previous hash. */
export function computeHash(e: Omit<AuditEvent, 'hash'>): string {
  return sha256Hex(canonicalize(hashedContent(e)) ?? '');
}

/** An event's canonical JSON cut around the two values the chain's head decides. */
export interface HashTemplate {
  head: string;
  middle: string;
  tail: string;
}

/**
 * The canonical JSON of an event whose `prev_hash` and `seq` are not known yet, cut around them
 * (canonical key order puts `prev_hash` before `seq`). `completeHash` — and the database's
 * `audit_append`, which does the same in SQL — fills them in and hashes, giving `computeHash`.
 */
export function hashTemplate(e: Omit<AuditEvent, 'hash' | 'seq' | 'prevHash'>): HashTemplate {
  const prev = `prev-${randomUUID()}`;
  const seq = `seq-${randomUUID()}`;
  const canonical = canonicalize(hashedContent({ ...e, prevHash: prev, seq })) ?? '';
  const [head, rest, ...extraPrev] = canonical.split(JSON.stringify(prev));
  const [middle, tail, ...extraSeq] = (rest ?? '').split(JSON.stringify(seq));
  if (rest === undefined || tail === undefined || extraPrev.length > 0 || extraSeq.length > 0) {
    throw new Error('audit hash template: placeholders not found exactly once');
  }
  return { head: head!, middle: middle!, tail };
}

export function completeHash(template: HashTemplate, prevHash: string, seq: string): string {
  return sha256Hex(`${template.head}"${prevHash}"${template.middle}"${seq}"${template.tail}`);
}
