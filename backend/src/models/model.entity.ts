import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { ModelType } from '../providers/provider-kinds.js';
import { Provider, type StoredTestResult } from '../providers/provider.entity.js';

export const MODEL_STATUSES = ['active', 'inactive', 'deprecated'] as const;
export type ModelStatus = (typeof MODEL_STATUSES)[number];

/** Numeric columns arrive from pg as strings; keep them as strings so no price becomes a float. */
const decimal = { to: (v: string | null) => v, from: (v: string | null) => v };

@Entity('models')
export class Model {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid')
  providerId!: string;

  @ManyToOne(() => Provider, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'provider_id' })
  provider?: Provider;

  @Column('text')
  displayName!: string;

  /** The name the upstream knows the model by (for Azure: the deployment). */
  @Column('text')
  modelId!: string;

  @Column('text')
  type!: ModelType;

  @Column('text', { default: 'active' })
  status!: ModelStatus;

  @Column('boolean', { default: false })
  isDefault!: boolean;

  @Column('jsonb', { default: {} })
  params!: Record<string, unknown>;

  @Column('numeric', { precision: 14, scale: 6, nullable: true, transformer: decimal })
  inputPricePerMillion!: string | null;

  @Column('numeric', { precision: 14, scale: 6, nullable: true, transformer: decimal })
  outputPricePerMillion!: string | null;

  @Column('text', { array: true, default: () => "'{}'" })
  capabilities!: string[];

  @Column('text', { nullable: true })
  description!: string | null;

  @Column('timestamptz', { nullable: true })
  sunsetAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  deprecatedAt!: Date | null;

  @Column('uuid', { nullable: true })
  successorId!: string | null;

  @Column('jsonb', { nullable: true })
  lastTest!: StoredTestResult | null;

  @Column('timestamptz', { default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { default: () => 'now()' })
  updatedAt!: Date;
}
