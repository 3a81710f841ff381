/**
 * Bulk data for the history bench, straight into the tables through the embedded database's URL:
 * 200 providers and 10,000 models, 100 members, 100,000 conversations with ~1,000,000 messages
 * (one of them with 200), and 1,000,000 audit events (valid columns, placeholder hashes: the chain
 * does not verify, and does not need to for reads and exports), and a month of 1,000,000 gateway calls
 * (usage_events, and the daily rollup built from them as the recorder would).
 */
import pg from 'pg';
import { LATENCY_BOUNDS_MS } from '../backend/src/usage/latency-buckets.js';

export const PROVIDERS = 200;
export const MODELS = 10_000;
export const MEMBERS = 100;
export const CONVERSATIONS = 100_000;
export const MESSAGES_PER_CONVERSATION = 10;
export const LONG_CONVERSATION = 200;
export const AUDIT_EVENTS = 1_000_000;
export const MEMBER_EMAIL = 'bench-member-1@example.com';
export const USAGE_CALLS = 1_000_000;
export const USAGE_DAYS = 30;
export const USAGE_KEYS = 20;
export const USAGE_MODELS = 40;

export interface Seeded {
  modelIds: string[];
  auditModelIds: string[];
  longConversationId: string;
  counts: Record<string, number>;
  seconds: Record<string, number>;
}

export async function seed(databaseUrl: string, adminEmail: string): Promise<Seeded> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const seconds: Record<string, number> = {};
  const timed = async (name: string, sql: string, params: unknown[] = []) => {
    const started = performance.now();
    await db.query(sql, params);
    seconds[name] = (seconds[name] ?? 0) + (performance.now() - started) / 1000;
  };
  try {
    await timed(
      'registry',
      `INSERT INTO providers (name, kind, api_base) SELECT 'Bench provider ' || i, 'openai_compatible', 'http://10.0.' || (i / 250) || '.' || (i % 250) || ':8000/v1' FROM generate_series(1, $1) i`,
      [PROVIDERS],
    );
    await timed(
      'registry',
      `INSERT INTO models (provider_id, display_name, model_id, type, status, params, input_price_per_million, output_price_per_million)
       SELECT p.id, 'bench-model-' || lpad(i::text, 5, '0'), 'upstream-' || i,
              (ARRAY['generation', 'embedding', 'ner'])[1 + i % 3], CASE WHEN i % 10 = 0 THEN 'inactive' ELSE 'active' END,
              CASE WHEN i % 3 = 1 THEN '{"dimensions": 768}'::jsonb ELSE '{"context_window": 128000, "max_output_tokens": 4096}'::jsonb END,
              0.15, 0.6
         FROM generate_series(1, $1) i JOIN LATERAL (SELECT id FROM providers ORDER BY id OFFSET (i % $2) LIMIT 1) p ON true`,
      [MODELS, PROVIDERS],
    );
    const [admin] = (
      await db.query<{ id: string; password_hash: string }>('SELECT id, password_hash FROM users WHERE email = $1', [adminEmail])
    ).rows;
    // Members share the admin's password hash, so the bench can sign in as one of them.
    await timed(
      'users',
      `INSERT INTO users (email, display_name, password_hash, role)
       SELECT 'bench-member-' || i || '@example.com', 'Bench member ' || i, $2, 'member' FROM generate_series(1, $1) i`,
      [MEMBERS, admin.password_hash],
    );
    const members = (
      await db.query<{ id: string }>(`SELECT id FROM users WHERE email LIKE 'bench-member-%' ORDER BY created_at, email`)
    ).rows.map((r) => r.id);
    const [generation] = (await db.query<{ id: string }>(`SELECT id FROM models WHERE type = 'generation' AND status = 'active' LIMIT 1`))
      .rows;
    // Conversation 1 (the admin's) has 200 messages; every 50th belongs to the admin, the rest spread over the members.
    await timed(
      'conversations',
      `INSERT INTO conversations (owner_id, model_id, title, message_count, input_tokens, output_tokens, cost_usd, created_at, updated_at)
       SELECT CASE WHEN i = 1 OR i % 50 = 0 THEN $2::uuid ELSE ($3::uuid[])[1 + (i + 1) % $4] END, $5,
              'Bench conversation ' || i, CASE WHEN i = 1 THEN $6::int ELSE $7::int END, 1200, 800, 0.000661,
              now() - make_interval(secs => i * 30), now() - make_interval(secs => i * 3)
         FROM generate_series(1, $1) i`,
      [CONVERSATIONS, admin.id, members, members.length, generation.id, LONG_CONVERSATION, MESSAGES_PER_CONVERSATION],
    );
    await timed(
      'messages',
      `INSERT INTO messages (conversation_id, seq, role, content, status, input_tokens, output_tokens, cost_usd, latency_ms, created_at, completed_at)
       SELECT c.id, s, CASE WHEN s % 2 = 1 THEN 'user' ELSE 'assistant' END,
              CASE WHEN s % 2 = 1 THEN 'Question ' || s || ': how does the gateway route a model name to its provider, and what happens when the model is deprecated?'
                   ELSE 'Answer ' || s || ': the registry resolves the display name to a model and its provider; a deprecated model still answers, with lifecycle headers naming its successor until the sunset date.' END,
              'complete', CASE WHEN s % 2 = 0 THEN 120 END, CASE WHEN s % 2 = 0 THEN 80 END, CASE WHEN s % 2 = 0 THEN 0.000066 END,
              CASE WHEN s % 2 = 0 THEN 900 END, c.created_at + make_interval(secs => s), c.created_at + make_interval(secs => s)
         FROM conversations c CROSS JOIN LATERAL generate_series(1, c.message_count) s`,
    );
    const modelIds = (await db.query<{ id: string }>('SELECT id FROM models ORDER BY display_name')).rows.map((r) => r.id);
    const [{ max }] = (await db.query<{ max: string | null }>('SELECT max(seq)::text AS max FROM audit_events')).rows;
    // In slices, so no single statement holds a million rows' worth of WAL.
    const slice = 250_000;
    for (let from = 0; from < AUDIT_EVENTS; from += slice) {
      await timed(
        'audit events',
        `INSERT INTO audit_events (seq, occurred_at, actor_type, actor_id, actor_email, actor_role, action, outcome, entity_type, entity_id, changes, request_id, ip, user_agent, prev_hash, hash)
         SELECT $1::bigint + i, now() - make_interval(secs => ($2 - i) * 2), 'user', $3, $4, 'admin',
                (ARRAY['model.updated', 'provider.updated', 'conversation.message_sent', 'api_key.created'])[1 + i % 4], 'success',
                (ARRAY['model', 'provider', 'conversation', 'api_key'])[1 + i % 4],
                CASE WHEN i % 4 = 0 THEN ($5::text[])[1 + (i / 4) % $6] ELSE 'bench-entity-' || (i % 997) END,
                jsonb_build_object('status', jsonb_build_object('before', 'active', 'after', 'deprecated')),
                'req-' || i, '127.0.0.1', 'bench', md5((i - 1)::text), md5(i::text)
           FROM generate_series($7::bigint, $8::bigint) i`,
        [max ?? '0', AUDIT_EVENTS, admin.id, adminEmail, modelIds, modelIds.length, from + 1, Math.min(from + slice, AUDIT_EVENTS)],
      );
    }
    // A month of gateway calls from 20 API keys (each a member's) over 40 models; 2 % errors.
    await timed(
      'usage',
      `INSERT INTO api_keys (owner_id, name, role, prefix, secret_hash)
       SELECT ($1::uuid[])[i], 'bench key ' || i, 'member', 'sbk_bench' || i, md5('bench key ' || i) FROM generate_series(1, $2) i`,
      [members, USAGE_KEYS],
    );
    const keys = (
      await db.query<{ id: string; owner_id: string }>(`SELECT id, owner_id FROM api_keys WHERE name LIKE 'bench key %' ORDER BY name`)
    ).rows;
    const usageModels = (
      await db.query<{ id: string; provider_id: string; display_name: string }>(
        `SELECT id, provider_id, display_name FROM models WHERE type = 'generation' AND status = 'active' ORDER BY display_name LIMIT $1`,
        [USAGE_MODELS],
      )
    ).rows;
    await timed(
      'usage',
      `INSERT INTO usage_events (occurred_at, source, endpoint, user_id, api_key_id, model_id, provider_id, model_name, status_code, error_class,
                                 input_tokens, output_tokens, cost_usd, latency_ms)
       SELECT now() - make_interval(secs => (i::bigint * 2591) % ($8 * 86400)), 'gateway', 'v1',
              ($2::uuid[])[1 + i % $3], ($1::uuid[])[1 + i % $3], ($4::uuid[])[1 + (i / 7) % $7], ($5::uuid[])[1 + (i / 7) % $7],
              ($6::text[])[1 + (i / 7) % $7], CASE WHEN i % 50 = 0 THEN 502 ELSE 200 END, CASE WHEN i % 50 = 0 THEN 'upstream_error' END,
              100 + i % 400, 20 + i % 300, 0.000066, 40 + (i * 37) % 2000
         FROM generate_series(1, $9) i`,
      [
        keys.map((k) => k.id),
        keys.map((k) => k.owner_id),
        keys.length,
        usageModels.map((m) => m.id),
        usageModels.map((m) => m.provider_id),
        usageModels.map((m) => m.display_name),
        usageModels.length,
        USAGE_DAYS,
        USAGE_CALLS,
      ],
    );
    const bucketCounts = LATENCY_BOUNDS_MS.map((upper, i) => {
      const lower = i === 0 ? null : LATENCY_BOUNDS_MS[i - 1];
      const conditions = [lower === null ? null : `latency_ms > ${lower}`, Number.isFinite(upper) ? `latency_ms <= ${upper}` : null];
      return `count(*) FILTER (WHERE ${conditions.filter(Boolean).join(' AND ')})`;
    });
    const none = '00000000-0000-0000-0000-000000000000';
    await timed(
      'usage',
      `INSERT INTO usage_daily (day, model_id, provider_id, api_key_id, user_id, model_name, requests, errors, input_tokens, output_tokens,
                                cost_usd, latency_ms_sum, latency_buckets, latency_ms_min, latency_ms_max)
       SELECT (occurred_at AT TIME ZONE 'UTC')::date, coalesce(model_id, '${none}'), coalesce(provider_id, '${none}'),
              coalesce(api_key_id, '${none}'), coalesce(user_id, '${none}'), min(model_name), count(*),
              count(*) FILTER (WHERE status_code >= 400 AND status_code <> 499), sum(input_tokens), sum(output_tokens), sum(cost_usd),
              sum(latency_ms), ARRAY[${bucketCounts.join(', ')}]::int[], min(latency_ms), max(latency_ms)
         FROM usage_events GROUP BY 1, 2, 3, 4, 5`,
    );
    const started = performance.now();
    // As a database in steady state would be: otherwise autovacuum works through the new rows on
    // the server's core while the reads are measured.
    await db.query('VACUUM (ANALYZE)');
    seconds['vacuum and analyze'] = (performance.now() - started) / 1000;
    const count = async (table: string) => Number((await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`)).rows[0].n);
    const counts: Record<string, number> = {};
    for (const table of ['providers', 'models', 'users', 'conversations', 'messages', 'audit_events', 'usage_events', 'usage_daily'])
      counts[table] = await count(table);
    const [long] = (await db.query<{ id: string }>(`SELECT id FROM conversations WHERE title = 'Bench conversation 1'`)).rows;
    // Entities with audit history: the models that events i % 4 = 0 point at.
    return { modelIds, auditModelIds: modelIds.slice(0, 1000), longConversationId: long.id, counts, seconds };
  } finally {
    await db.end();
  }
}
