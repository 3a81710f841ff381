import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Providers and models. Invariant 1 lives here: one default per type, only on an active model. */
export class Registry1764172800000 implements MigrationInterface {
  name = 'Registry1764172800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE providers (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        name text NOT NULL,
        kind text NOT NULL,
        api_base text,
        api_version text,
        api_key_ciphertext text,
        api_key_kid text,
        api_key_last4 text,
        config jsonb NOT NULL DEFAULT '{}',
        max_concurrency integer,
        rpm integer,
        tpm integer,
        status text NOT NULL DEFAULT 'active',
        last_test jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_providers PRIMARY KEY (id),
        CONSTRAINT ck_providers_kind CHECK (kind IN ('openai', 'azure', 'anthropic', 'gemini', 'cohere', 'ollama', 'litellm', 'openai_compatible')),
        CONSTRAINT ck_providers_status CHECK (status IN ('active', 'inactive')),
        CONSTRAINT ck_providers_key_parts CHECK (
          (api_key_ciphertext IS NULL) = (api_key_kid IS NULL) AND (api_key_ciphertext IS NULL) = (api_key_last4 IS NULL)),
        CONSTRAINT ck_providers_limits CHECK (
          (max_concurrency IS NULL OR max_concurrency > 0) AND (rpm IS NULL OR rpm > 0) AND (tpm IS NULL OR tpm > 0))
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_providers_name ON providers (lower(name))`);

    await q.query(`
      CREATE TABLE models (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        provider_id uuid NOT NULL,
        display_name text NOT NULL,
        model_id text NOT NULL,
        type text NOT NULL,
        status text NOT NULL DEFAULT 'active',
        is_default boolean NOT NULL DEFAULT false,
        params jsonb NOT NULL DEFAULT '{}',
        input_price_per_million numeric(14, 6),
        output_price_per_million numeric(14, 6),
        capabilities text[] NOT NULL DEFAULT '{}',
        description text,
        sunset_at timestamptz,
        successor_id uuid,
        last_test jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_models PRIMARY KEY (id),
        CONSTRAINT fk_models_provider FOREIGN KEY (provider_id) REFERENCES providers (id) ON DELETE RESTRICT,
        CONSTRAINT fk_models_successor FOREIGN KEY (successor_id) REFERENCES models (id) ON DELETE RESTRICT,
        CONSTRAINT ck_models_type CHECK (type IN ('generation', 'embedding', 'ner')),
        CONSTRAINT ck_models_status CHECK (status IN ('active', 'inactive', 'deprecated')),
        CONSTRAINT ck_models_default_is_active CHECK (NOT is_default OR status = 'active'),
        CONSTRAINT ck_models_successor_not_self CHECK (successor_id IS NULL OR successor_id <> id),
        CONSTRAINT ck_models_prices CHECK (
          (input_price_per_million IS NULL OR input_price_per_million >= 0) AND (output_price_per_million IS NULL OR output_price_per_million >= 0))
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_models_display_name ON models (lower(display_name))`);
    await q.query(`CREATE UNIQUE INDEX uq_models_default_per_type ON models (type) WHERE is_default`);
    await q.query(`CREATE INDEX ix_models_provider ON models (provider_id)`);
    await q.query(`CREATE INDEX ix_models_type_status ON models (type, status)`);
    await q.query(`CREATE INDEX ix_models_successor ON models (successor_id) WHERE successor_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE models`);
    await q.query(`DROP TABLE providers`);
  }
}
