import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Knowledge bases, their documents and chunks, one vector index per embedding model (two while a
 * re-embed builds the next one), and the embedding queue that workers claim with SKIP LOCKED.
 * Vectors are float32 bytea (exact scan in the app); where the server has pgvector, a `vector`
 * column is added beside them and searched in SQL.
 */
export class KnowledgeBases1764345600000 implements MigrationInterface {
  name = 'KnowledgeBases1764345600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE knowledge_bases (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        name text NOT NULL,
        description text,
        embedding_model_id uuid NOT NULL,
        generation_model_id uuid NOT NULL,
        dimensions integer NOT NULL,
        chunk_size integer NOT NULL DEFAULT 400,
        chunk_overlap integer NOT NULL DEFAULT 50,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_knowledge_bases PRIMARY KEY (id),
        CONSTRAINT fk_knowledge_bases_embedding_model FOREIGN KEY (embedding_model_id) REFERENCES models (id) ON DELETE RESTRICT,
        CONSTRAINT fk_knowledge_bases_generation_model FOREIGN KEY (generation_model_id) REFERENCES models (id) ON DELETE RESTRICT,
        CONSTRAINT fk_knowledge_bases_created_by FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE SET NULL,
        CONSTRAINT ck_knowledge_bases_dimensions CHECK (dimensions > 0),
        CONSTRAINT ck_knowledge_bases_chunking CHECK (chunk_size BETWEEN 64 AND 4096 AND chunk_overlap >= 0 AND chunk_overlap * 2 <= chunk_size)
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_knowledge_bases_name ON knowledge_bases (lower(name))`);
    await q.query(`CREATE INDEX ix_knowledge_bases_embedding_model ON knowledge_bases (embedding_model_id)`);
    await q.query(`CREATE INDEX ix_knowledge_bases_generation_model ON knowledge_bases (generation_model_id)`);

    await q.query(`
      CREATE TABLE embedding_indexes (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        knowledge_base_id uuid NOT NULL,
        embedding_model_id uuid NOT NULL,
        dimensions integer NOT NULL,
        status text NOT NULL,
        error jsonb,
        vector_epoch integer NOT NULL DEFAULT 0,
        started_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        activated_at timestamptz,
        retired_at timestamptz,
        CONSTRAINT pk_embedding_indexes PRIMARY KEY (id),
        CONSTRAINT fk_embedding_indexes_knowledge_base FOREIGN KEY (knowledge_base_id) REFERENCES knowledge_bases (id) ON DELETE CASCADE,
        CONSTRAINT fk_embedding_indexes_model FOREIGN KEY (embedding_model_id) REFERENCES models (id) ON DELETE RESTRICT,
        CONSTRAINT fk_embedding_indexes_started_by FOREIGN KEY (started_by) REFERENCES users (id) ON DELETE SET NULL,
        CONSTRAINT ck_embedding_indexes_dimensions CHECK (dimensions > 0),
        CONSTRAINT ck_embedding_indexes_status CHECK (status IN ('active', 'building', 'failed', 'retired'))
      )`);
    // One index answers searches; at most one more is being built (or has failed building).
    await q.query(`CREATE UNIQUE INDEX uq_embedding_indexes_active ON embedding_indexes (knowledge_base_id) WHERE status = 'active'`);
    await q.query(
      `CREATE UNIQUE INDEX uq_embedding_indexes_next ON embedding_indexes (knowledge_base_id) WHERE status IN ('building', 'failed')`,
    );
    await q.query(`CREATE INDEX ix_embedding_indexes_model ON embedding_indexes (embedding_model_id)`);

    await q.query(`
      CREATE TABLE documents (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        knowledge_base_id uuid NOT NULL,
        title text NOT NULL,
        filename text,
        media_type text NOT NULL,
        size_bytes integer NOT NULL,
        content_hash text NOT NULL,
        status text NOT NULL DEFAULT 'pending',
        error jsonb,
        chunk_count integer NOT NULL DEFAULT 0,
        uploaded_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        indexed_at timestamptz,
        CONSTRAINT pk_documents PRIMARY KEY (id),
        CONSTRAINT fk_documents_knowledge_base FOREIGN KEY (knowledge_base_id) REFERENCES knowledge_bases (id) ON DELETE CASCADE,
        CONSTRAINT fk_documents_uploaded_by FOREIGN KEY (uploaded_by) REFERENCES users (id) ON DELETE SET NULL,
        CONSTRAINT uq_documents_content UNIQUE (knowledge_base_id, content_hash),
        CONSTRAINT ck_documents_status CHECK (status IN ('pending', 'indexing', 'indexed', 'failed'))
      )`);
    await q.query(`CREATE INDEX ix_documents_knowledge_base ON documents (knowledge_base_id, created_at DESC, id)`);

    await q.query(`
      CREATE TABLE chunks (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        document_id uuid NOT NULL,
        knowledge_base_id uuid NOT NULL,
        ordinal integer NOT NULL,
        heading text,
        anchor text,
        content text NOT NULL,
        token_count integer NOT NULL,
        search_vector tsvector NOT NULL,
        CONSTRAINT pk_chunks PRIMARY KEY (id),
        CONSTRAINT fk_chunks_document FOREIGN KEY (document_id) REFERENCES documents (id) ON DELETE CASCADE,
        CONSTRAINT fk_chunks_knowledge_base FOREIGN KEY (knowledge_base_id) REFERENCES knowledge_bases (id) ON DELETE CASCADE,
        CONSTRAINT uq_chunks_ordinal UNIQUE (document_id, ordinal)
      )`);
    await q.query(`CREATE INDEX ix_chunks_knowledge_base ON chunks (knowledge_base_id)`);
    await q.query(`CREATE INDEX ix_chunks_search ON chunks USING gin (search_vector)`);

    await q.query(`
      CREATE TABLE chunk_embeddings (
        index_id uuid NOT NULL,
        chunk_id uuid NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        norm real NOT NULL,
        embedding bytea NOT NULL,
        CONSTRAINT pk_chunk_embeddings PRIMARY KEY (index_id, chunk_id),
        CONSTRAINT fk_chunk_embeddings_index FOREIGN KEY (index_id) REFERENCES embedding_indexes (id) ON DELETE CASCADE,
        CONSTRAINT fk_chunk_embeddings_chunk FOREIGN KEY (chunk_id) REFERENCES chunks (id) ON DELETE CASCADE
      )`);
    // Float32 bytes do not compress; EXTERNAL skips the attempt on every write.
    await q.query(`ALTER TABLE chunk_embeddings ALTER COLUMN embedding SET STORAGE EXTERNAL`);
    await q.query(`CREATE INDEX ix_chunk_embeddings_seq ON chunk_embeddings (index_id, seq)`);
    await q.query(`CREATE INDEX ix_chunk_embeddings_chunk ON chunk_embeddings (chunk_id)`);

    await q.query(`
      CREATE TABLE embedding_jobs (
        id bigint GENERATED ALWAYS AS IDENTITY,
        index_id uuid NOT NULL,
        chunk_id uuid NOT NULL,
        document_id uuid NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        run_after timestamptz NOT NULL DEFAULT now(),
        last_error text,
        CONSTRAINT pk_embedding_jobs PRIMARY KEY (id),
        CONSTRAINT fk_embedding_jobs_index FOREIGN KEY (index_id) REFERENCES embedding_indexes (id) ON DELETE CASCADE,
        CONSTRAINT fk_embedding_jobs_chunk FOREIGN KEY (chunk_id) REFERENCES chunks (id) ON DELETE CASCADE,
        CONSTRAINT fk_embedding_jobs_document FOREIGN KEY (document_id) REFERENCES documents (id) ON DELETE CASCADE,
        CONSTRAINT uq_embedding_jobs_chunk UNIQUE (index_id, chunk_id)
      )`);
    await q.query(`CREATE INDEX ix_embedding_jobs_ready ON embedding_jobs (run_after, id)`);
    await q.query(`CREATE INDEX ix_embedding_jobs_document ON embedding_jobs (document_id)`);
    await q.query(`CREATE INDEX ix_embedding_jobs_chunk ON embedding_jobs (chunk_id)`);

    // Conversations named a knowledge base before the table existed; none could have been valid.
    await q.query(`UPDATE conversations SET knowledge_base_id = NULL WHERE knowledge_base_id IS NOT NULL`);
    await q.query(`
      ALTER TABLE conversations ADD CONSTRAINT fk_conversations_knowledge_base
        FOREIGN KEY (knowledge_base_id) REFERENCES knowledge_bases (id) ON DELETE SET NULL`);

    // pgvector where the server has it; a role that may not create extensions keeps the exact scan.
    await q.query(`
      DO $$
      BEGIN
        IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') THEN
          BEGIN
            CREATE EXTENSION IF NOT EXISTS vector;
          EXCEPTION WHEN OTHERS THEN
            RAISE NOTICE 'pgvector is available but could not be created (%): using the exact scan', SQLERRM;
          END;
        END IF;
        IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector') THEN
          ALTER TABLE chunk_embeddings ADD COLUMN embedding_vector vector;
        END IF;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE conversations DROP CONSTRAINT fk_conversations_knowledge_base`);
    await q.query(`DROP TABLE embedding_jobs`);
    await q.query(`DROP TABLE chunk_embeddings`);
    await q.query(`DROP TABLE chunks`);
    await q.query(`DROP TABLE documents`);
    await q.query(`DROP TABLE embedding_indexes`);
    await q.query(`DROP TABLE knowledge_bases`);
  }
}
