import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

const decimal = { to: (v: string) => v, from: (v: string) => v };
const bigintAsNumber = { to: (v: number) => v, from: (v: string) => Number(v) };

@Entity('conversations')
export class Conversation {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid')
  ownerId!: string;

  @Column('uuid', { nullable: true })
  knowledgeBaseId!: string | null;

  @Column('uuid')
  modelId!: string;

  @Column('text')
  title!: string;

  @Column('text', { nullable: true })
  systemPrompt!: string | null;

  @Column('integer', { default: 0 })
  messageCount!: number;

  @Column('bigint', { default: 0, transformer: bigintAsNumber })
  inputTokens!: number;

  @Column('bigint', { default: 0, transformer: bigintAsNumber })
  outputTokens!: number;

  @Column('numeric', { precision: 24, scale: 12, default: 0, transformer: decimal })
  costUsd!: string;

  /** Set while a reply is being produced, so a second send waits (across instances too). */
  @Column('timestamptz', { nullable: true })
  leaseUntil!: Date | null;

  @Column('timestamptz', { default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { default: () => 'now()' })
  updatedAt!: Date;
}
