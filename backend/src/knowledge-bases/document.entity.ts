import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const DOCUMENT_STATUSES = ['pending', 'indexing', 'indexed', 'failed'] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

export interface DocumentError {
  class: string;
  message: string;
}

@Entity('documents')
export class KnowledgeDocument {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid')
  knowledgeBaseId!: string;

  @Column('text')
  title!: string;

  @Column('text', { nullable: true })
  filename!: string | null;

  @Column('text')
  mediaType!: string;

  @Column('integer')
  sizeBytes!: number;

  /** SHA-256 of the uploaded bytes: the same file twice is one document. */
  @Column('text')
  contentHash!: string;

  /** Progress in the knowledge base's active index. */
  @Column('text', { default: 'pending' })
  status!: DocumentStatus;

  @Column('jsonb', { nullable: true })
  error!: DocumentError | null;

  @Column('integer', { default: 0 })
  chunkCount!: number;

  @Column('uuid', { nullable: true })
  uploadedBy!: string | null;

  @Column('timestamptz', { default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { default: () => 'now()' })
  updatedAt!: Date;

  @Column('timestamptz', { nullable: true })
  indexedAt!: Date | null;
}

/** A piece of a document; its vectors live in chunk_embeddings, one per index. */
@Entity('chunks')
export class Chunk {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid')
  documentId!: string;

  @Column('uuid')
  knowledgeBaseId!: string;

  @Column('integer')
  ordinal!: number;

  @Column('text', { nullable: true })
  heading!: string | null;

  @Column('text', { nullable: true })
  anchor!: string | null;

  @Column('text')
  content!: string;

  @Column('integer')
  tokenCount!: number;

  @Column('tsvector', { select: false })
  searchVector!: string;
}
