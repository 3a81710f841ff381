import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('knowledge_bases')
export class KnowledgeBase {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  @Column('text', { nullable: true })
  description!: string | null;

  /** The model of the active index; changed only by a re-embed's cut-over. */
  @Column('uuid')
  embeddingModelId!: string;

  @Column('uuid')
  generationModelId!: string;

  /** Fixed at creation; only a re-embed onto a model of other dimensions changes it. */
  @Column('integer')
  dimensions!: number;

  @Column('integer', { default: 400 })
  chunkSize!: number;

  @Column('integer', { default: 50 })
  chunkOverlap!: number;

  @Column('uuid', { nullable: true })
  createdBy!: string | null;

  @Column('timestamptz', { default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { default: () => 'now()' })
  updatedAt!: Date;
}

export const INDEX_STATUSES = ['active', 'building', 'failed', 'retired'] as const;
export type IndexStatus = (typeof INDEX_STATUSES)[number];

/** The vectors of one knowledge base under one embedding model. */
@Entity('embedding_indexes')
export class EmbeddingIndex {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid')
  knowledgeBaseId!: string;

  @Column('uuid')
  embeddingModelId!: string;

  @Column('integer')
  dimensions!: number;

  @Column('text')
  status!: IndexStatus;

  @Column('jsonb', { nullable: true })
  error!: { class: string; message: string } | null;

  /** Bumped when vectors are removed, so in-memory copies know to drop them. */
  @Column('integer', { default: 0 })
  vectorEpoch!: number;

  @Column('uuid', { nullable: true })
  startedBy!: string | null;

  @Column('timestamptz', { default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { nullable: true })
  activatedAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  retiredAt!: Date | null;
}
