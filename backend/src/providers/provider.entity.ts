import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { ProviderKind } from './provider-kinds.js';

export const PROVIDER_STATUSES = ['active', 'inactive'] as const;
export type ProviderStatus = (typeof PROVIDER_STATUSES)[number];

/** Non-secret settings; credentials never go here (they belong in the encrypted key). */
export interface ProviderConfig {
  timeout_ms?: number;
  organization?: string;
  project?: string;
  extra_headers?: Record<string, string>;
}

export interface StoredTestStage {
  stage: string;
  status: 'ok' | 'skipped' | 'failed';
  latency_ms: number;
  detail?: string | null;
}

/** The latest connection test, kept on the record and shown in lists (no secrets: messages are Switchboard's own). */
export interface StoredTestResult {
  ok: boolean;
  tested_at: string;
  latency_ms: number;
  failed_stage?: string | null;
  error_class?: string | null;
  upstream_status?: number | null;
  message?: string | null;
  /** The model probed, if any (for a model test: its upstream id). */
  model_id?: string | null;
  stages?: StoredTestStage[];
}

@Entity('providers')
export class Provider {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  @Column('text')
  kind!: ProviderKind;

  @Column('text', { nullable: true })
  apiBase!: string | null;

  @Column('text', { nullable: true })
  apiVersion!: string | null;

  /** AES-256-GCM, bound to this row's id; see SecretBox. */
  @Column('text', { nullable: true })
  apiKeyCiphertext!: string | null;

  @Column('text', { nullable: true })
  apiKeyKid!: string | null;

  /** What may be shown of the key: its last four, or '' for a key under 12 characters (see visibleLast4). */
  @Column('text', { nullable: true })
  apiKeyLast4!: string | null;

  @Column('jsonb', { default: {} })
  config!: ProviderConfig;

  @Column('integer', { nullable: true })
  maxConcurrency!: number | null;

  @Column('integer', { nullable: true })
  rpm!: number | null;

  @Column('integer', { nullable: true })
  tpm!: number | null;

  @Column('text', { default: 'active' })
  status!: ProviderStatus;

  @Column('jsonb', { nullable: true })
  lastTest!: StoredTestResult | null;

  @Column('timestamptz', { default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { default: () => 'now()' })
  updatedAt!: Date;
}
