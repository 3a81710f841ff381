import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const MESSAGE_STATUSES = ['complete', 'streaming', 'failed', 'cancelled'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export interface MessageSource {
  document_id: string;
  title: string;
  anchor: string | null;
  score: number;
  chunk_id?: string;
}

/** The model as it was when the reply was made; the registry may change later. */
export interface ModelSnapshot {
  id: string;
  display_name: string;
  model_id: string;
  provider_id: string;
  provider_name: string;
  provider_kind: string;
}

/** Prices used for this reply and what it cost, exactly (decimal strings). */
export interface CostSnapshot {
  input_per_million: string | null;
  output_per_million: string | null;
  input_usd: string;
  output_usd: string;
  total_usd: string;
  currency: 'USD';
  /** True when the tokens were counted by Switchboard (a cut reply the upstream never totalled). */
  estimated?: boolean;
}

const decimal = { to: (v: string | null) => v, from: (v: string | null) => v };

@Entity('messages')
export class Message {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid')
  conversationId!: string;

  @Column('integer')
  seq!: number;

  @Column('text')
  role!: 'user' | 'assistant';

  @Column('text')
  content!: string;

  @Column('text')
  status!: MessageStatus;

  @Column('jsonb', { default: [] })
  sources!: MessageSource[];

  @Column('jsonb', { nullable: true })
  error!: { class: string; message: string; status?: number | null } | null;

  @Column('integer', { nullable: true })
  inputTokens!: number | null;

  @Column('integer', { nullable: true })
  outputTokens!: number | null;

  @Column('jsonb', { nullable: true })
  cost!: CostSnapshot | null;

  @Column('numeric', { precision: 24, scale: 12, nullable: true, transformer: decimal })
  costUsd!: string | null;

  @Column('integer', { nullable: true })
  latencyMs!: number | null;

  @Column('integer', { nullable: true })
  ttftMs!: number | null;

  /** Tokens the message takes in a prompt (framing included); null where not counted (older rows, replies not complete). */
  @Column('integer', { nullable: true })
  historyTokens!: number | null;

  @Column('jsonb', { nullable: true })
  modelSnapshot!: ModelSnapshot | null;

  @Column('timestamptz', { default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { nullable: true })
  completedAt!: Date | null;
}
