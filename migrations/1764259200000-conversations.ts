import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Conversations and their messages, and the usage log (raw calls + a daily rollup for reports). */
export class Conversations1764259200000 implements MigrationInterface {
  name = 'Conversations1764259200000';

  async up(q: QueryRunner): Promise<void> {
    // When a model became deprecated: the date of its RFC 9745 Deprecation header.
    await q.query(`ALTER TABLE models ADD COLUMN deprecated_at timestamptz`);
    await q.query(`UPDATE models SET deprecated_at = updated_at WHERE status = 'deprecated'`);
    await q.query(`
      CREATE TABLE conversations (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        owner_id uuid NOT NULL,
        knowledge_base_id uuid,
        model_id uuid NOT NULL,
        title text NOT NULL,
        system_prompt text,
        message_count integer NOT NULL DEFAULT 0,
        input_tokens bigint NOT NULL DEFAULT 0,
        output_tokens bigint NOT NULL DEFAULT 0,
        cost_usd numeric(24, 12) NOT NULL DEFAULT 0,
        lease_until timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_conversations PRIMARY KEY (id),
        CONSTRAINT fk_conversations_owner FOREIGN KEY (owner_id) REFERENCES users (id) ON DELETE CASCADE,
        CONSTRAINT fk_conversations_model FOREIGN KEY (model_id) REFERENCES models (id) ON DELETE RESTRICT
      )`);
    await q.query(`CREATE INDEX ix_conversations_owner_recent ON conversations (owner_id, updated_at DESC, id DESC)`);
    await q.query(`CREATE INDEX ix_conversations_recent ON conversations (updated_at DESC, id DESC)`);
    await q.query(`CREATE INDEX ix_conversations_model ON conversations (model_id)`);
    await q.query(`CREATE INDEX ix_conversations_knowledge_base ON conversations (knowledge_base_id) WHERE knowledge_base_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE messages (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        conversation_id uuid NOT NULL,
        seq integer NOT NULL,
        role text NOT NULL,
        content text NOT NULL,
        status text NOT NULL,
        sources jsonb NOT NULL DEFAULT '[]',
        error jsonb,
        input_tokens integer,
        output_tokens integer,
        cost jsonb,
        cost_usd numeric(24, 12),
        latency_ms integer,
        ttft_ms integer,
        model_snapshot jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        CONSTRAINT pk_messages PRIMARY KEY (id),
        CONSTRAINT fk_messages_conversation FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE,
        CONSTRAINT uq_messages_seq UNIQUE (conversation_id, seq),
        CONSTRAINT ck_messages_role CHECK (role IN ('user', 'assistant')),
        CONSTRAINT ck_messages_status CHECK (status IN ('complete', 'streaming', 'failed', 'cancelled'))
      )`);
    await q.query(`CREATE INDEX ix_messages_streaming ON messages (created_at) WHERE status = 'streaming'`);

    await q.query(`
      CREATE TABLE usage_events (
        id bigint GENERATED ALWAYS AS IDENTITY,
        occurred_at timestamptz NOT NULL,
        source text NOT NULL,
        endpoint text NOT NULL,
        user_id uuid,
        api_key_id uuid,
        model_id uuid,
        provider_id uuid,
        model_name text NOT NULL,
        status_code integer NOT NULL,
        error_class text,
        input_tokens integer NOT NULL DEFAULT 0,
        output_tokens integer NOT NULL DEFAULT 0,
        cost_usd numeric(24, 12) NOT NULL DEFAULT 0,
        latency_ms integer NOT NULL,
        ttft_ms integer,
        CONSTRAINT pk_usage_events PRIMARY KEY (id),
        CONSTRAINT ck_usage_events_source CHECK (source IN ('gateway', 'conversation'))
      )`);
    await q.query(`CREATE INDEX ix_usage_events_time ON usage_events (occurred_at)`);

    // One row per day × model × provider × key × user; nulls stored as the zero UUID so they group.
    await q.query(`
      CREATE TABLE usage_daily (
        day date NOT NULL,
        model_id uuid NOT NULL,
        provider_id uuid NOT NULL,
        api_key_id uuid NOT NULL,
        user_id uuid NOT NULL,
        model_name text NOT NULL,
        requests integer NOT NULL DEFAULT 0,
        errors integer NOT NULL DEFAULT 0,
        input_tokens bigint NOT NULL DEFAULT 0,
        output_tokens bigint NOT NULL DEFAULT 0,
        cost_usd numeric(24, 12) NOT NULL DEFAULT 0,
        latency_ms_sum bigint NOT NULL DEFAULT 0,
        latency_buckets integer[] NOT NULL,
        CONSTRAINT pk_usage_daily PRIMARY KEY (day, model_id, provider_id, api_key_id, user_id)
      )`);
    await q.query(`
      CREATE FUNCTION int_array_add(a integer[], b integer[]) RETURNS integer[] LANGUAGE sql IMMUTABLE AS $$
        SELECT array_agg(coalesce(x, 0) + coalesce(y, 0) ORDER BY i) FROM unnest(a, b) WITH ORDINALITY AS t(x, y, i)
      $$`);
    await q.query(`CREATE AGGREGATE int_array_sum(integer[]) (SFUNC = int_array_add, STYPE = integer[])`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP AGGREGATE int_array_sum(integer[])`);
    await q.query(`DROP FUNCTION int_array_add(integer[], integer[])`);
    await q.query(`DROP TABLE usage_daily`);
    await q.query(`DROP TABLE usage_events`);
    await q.query(`DROP TABLE messages`);
    await q.query(`DROP TABLE conversations`);
    await q.query(`ALTER TABLE models DROP COLUMN deprecated_at`);
  }
}
