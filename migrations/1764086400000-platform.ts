import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Users, API keys, refresh tokens, the append-only audit trail, system settings and the
 * login-throttle table. The runtime role `switchboard_app` may only SELECT/INSERT audit events.
 */
export class Platform1764086400000 implements MigrationInterface {
  name = 'Platform1764086400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);

    await q.query(`
      CREATE TABLE users (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        email text NOT NULL,
        display_name text NOT NULL,
        password_hash text NOT NULL,
        role text NOT NULL,
        is_active boolean NOT NULL DEFAULT true,
        last_login_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_users PRIMARY KEY (id),
        CONSTRAINT ck_users_role CHECK (role IN ('admin', 'member', 'auditor')),
        CONSTRAINT ck_users_email_lower CHECK (email = lower(email))
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_users_email ON users (lower(email))`);

    await q.query(`
      CREATE TABLE api_keys (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        owner_id uuid NOT NULL,
        name text NOT NULL,
        role text NOT NULL,
        prefix text NOT NULL,
        secret_hash text NOT NULL,
        expires_at timestamptz,
        last_used_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_api_keys PRIMARY KEY (id),
        CONSTRAINT fk_api_keys_owner FOREIGN KEY (owner_id) REFERENCES users (id) ON DELETE CASCADE,
        CONSTRAINT ck_api_keys_role CHECK (role IN ('admin', 'member', 'auditor')),
        CONSTRAINT uq_api_keys_secret_hash UNIQUE (secret_hash)
      )`);
    await q.query(`CREATE INDEX ix_api_keys_owner ON api_keys (owner_id)`);

    await q.query(`
      CREATE TABLE refresh_tokens (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL,
        family_id uuid NOT NULL,
        token_hash text NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_refresh_tokens PRIMARY KEY (id),
        CONSTRAINT fk_refresh_tokens_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
        CONSTRAINT uq_refresh_tokens_token_hash UNIQUE (token_hash)
      )`);
    await q.query(`CREATE INDEX ix_refresh_tokens_family ON refresh_tokens (family_id)`);

    await q.query(`
      CREATE TABLE audit_events (
        seq bigint NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        occurred_at timestamptz NOT NULL,
        actor_type text NOT NULL,
        actor_id uuid,
        actor_email text,
        actor_role text,
        action text NOT NULL,
        outcome text NOT NULL,
        entity_type text,
        entity_id text,
        changes jsonb,
        request_id text,
        ip text,
        user_agent text,
        prev_hash text NOT NULL,
        hash text NOT NULL,
        CONSTRAINT pk_audit_events PRIMARY KEY (seq),
        CONSTRAINT uq_audit_events_id UNIQUE (id),
        CONSTRAINT ck_audit_events_actor_type CHECK (actor_type IN ('user', 'api_key', 'system', 'anonymous')),
        CONSTRAINT ck_audit_events_outcome CHECK (outcome IN ('success', 'denied', 'failed'))
      )`);
    await q.query(`CREATE INDEX ix_audit_events_occurred_at ON audit_events (occurred_at, seq)`);
    await q.query(`CREATE INDEX ix_audit_events_entity ON audit_events (entity_type, entity_id, seq)`);
    await q.query(`CREATE INDEX ix_audit_events_actor ON audit_events (actor_id, seq)`);
    await q.query(`CREATE INDEX ix_audit_events_action ON audit_events (action, seq)`);
    await q.query(`
      CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER tr_audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`);
    await q.query(`
      CREATE TRIGGER tr_audit_events_no_truncate BEFORE TRUNCATE ON audit_events
      FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()`);

    await q.query(`
      CREATE TABLE system_settings (
        key text NOT NULL,
        value jsonb NOT NULL,
        updated_by uuid,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_system_settings PRIMARY KEY (key)
      )`);

    // Shape required by rate-limiter-flexible's RateLimiterPostgres (login throttling).
    await q.query(`
      CREATE TABLE rate_limits (
        key varchar(255) NOT NULL,
        points integer NOT NULL DEFAULT 0,
        expire bigint,
        CONSTRAINT pk_rate_limits PRIMARY KEY (key)
      )`);

    await grantRuntimeRole(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rate_limits`);
    await q.query(`DROP TABLE system_settings`);
    await q.query(`DROP TABLE audit_events`);
    await q.query(`DROP FUNCTION audit_events_append_only()`);
    await q.query(`DROP TABLE refresh_tokens`);
    await q.query(`DROP TABLE api_keys`);
    await q.query(`DROP TABLE users`);
  }
}

/**
 * The app runs its queries as `switchboard_app` (SET ROLE at connect) where the deployment lets
 * the migrating user create roles; that role can read and append audit events but never change
 * them. Without CREATEROLE the app keeps its login role and the triggers alone guard the table.
 */
async function grantRuntimeRole(q: QueryRunner): Promise<void> {
  await q.query(`
    DO $$
    BEGIN
      BEGIN
        CREATE ROLE switchboard_app NOLOGIN;
      EXCEPTION
        WHEN duplicate_object OR unique_violation THEN NULL;
        WHEN insufficient_privilege THEN
          RAISE NOTICE 'switchboard_app not created: the migrating role cannot create roles';
          RETURN;
      END;
      EXECUTE format('GRANT switchboard_app TO %I', current_user);
      EXECUTE format('GRANT USAGE ON SCHEMA %I TO switchboard_app', current_schema());
      EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO switchboard_app', current_schema());
      EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO switchboard_app', current_schema());
      REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM switchboard_app;
      EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO switchboard_app', current_schema());
      EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES TO switchboard_app', current_schema());
    END $$`);
}
