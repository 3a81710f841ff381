import { Column, Entity, PrimaryColumn } from 'typeorm';

export const ACTOR_TYPES = ['user', 'api_key', 'system', 'anonymous'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];
export const OUTCOMES = ['success', 'denied', 'failed'] as const;
export type AuditOutcome = (typeof OUTCOMES)[number];

/** Before/after of the fields that changed; secrets already masked. */
export type AuditChanges = Record<string, { before?: unknown; after?: unknown }>;

const bigintAsString = { to: (v: string) => v, from: (v: string) => v };

@Entity('audit_events')
export class AuditEvent {
  /** Position in the hash chain; assigned under an advisory lock so there are no gaps. */
  @PrimaryColumn('bigint', { transformer: bigintAsString })
  seq!: string;

  @Column('uuid')
  id!: string;

  @Column('timestamptz')
  occurredAt!: Date;

  @Column('text')
  actorType!: ActorType;

  @Column('uuid', { nullable: true })
  actorId!: string | null;

  @Column('text', { nullable: true })
  actorEmail!: string | null;

  @Column('text', { nullable: true })
  actorRole!: string | null;

  @Column('text')
  action!: string;

  @Column('text')
  outcome!: AuditOutcome;

  @Column('text', { nullable: true })
  entityType!: string | null;

  @Column('text', { nullable: true })
  entityId!: string | null;

  @Column('jsonb', { nullable: true })
  changes!: AuditChanges | null;

  @Column('text', { nullable: true })
  requestId!: string | null;

  @Column('text', { nullable: true })
  ip!: string | null;

  @Column('text', { nullable: true })
  userAgent!: string | null;

  @Column('text')
  prevHash!: string;

  @Column('text')
  hash!: string;
}
