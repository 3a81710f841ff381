import type { DataSource } from 'typeorm';

/**
 * The tables a request could create or change, with the order that makes a checksum stable and the
 * columns left out of it because they move without any change of state (a key's last use).
 *
 * Left out on purpose: `usage_events` and `usage_daily` (a refused gateway call is recorded as usage,
 * with its status, by design), `rate_limits` (counting refused requests is its job), and audit events
 * other than successes (failed logins and denied requests are audited, by design).
 */
const TABLES: { table: string; orderBy: string; where?: string; volatile?: string[] }[] = [
  { table: 'audit_events', orderBy: 'seq', where: `outcome = 'success'` },
  { table: 'users', orderBy: 'id', volatile: ['last_login_at'] },
  { table: 'api_keys', orderBy: 'id', volatile: ['last_used_at'] },
  { table: 'refresh_tokens', orderBy: 'id' },
  { table: 'providers', orderBy: 'id' },
  { table: 'models', orderBy: 'id' },
  { table: 'system_settings', orderBy: 'key' },
  { table: 'conversations', orderBy: 'id' },
  { table: 'messages', orderBy: 'id' },
  { table: 'knowledge_bases', orderBy: 'id' },
  { table: 'embedding_indexes', orderBy: 'id' },
  { table: 'documents', orderBy: 'id' },
  { table: 'chunks', orderBy: 'id' },
  { table: 'chunk_embeddings', orderBy: 'index_id, chunk_id' },
  { table: 'embedding_jobs', orderBy: 'id' },
];

const SQL =
  'SELECT ' +
  TABLES.map(({ table, orderBy, where, volatile = [] }) => {
    const row = volatile.length ? `(to_jsonb(t) - ARRAY[${volatile.map((c) => `'${c}'`).join(', ')}])` : 'to_jsonb(t)';
    const order = orderBy
      .split(',')
      .map((c) => `t.${c.trim()}`)
      .join(', ');
    return `(SELECT count(*) || ':' || md5(coalesce(string_agg(${row}::text, '|' ORDER BY ${order}), '')) FROM ${table} t${
      where ? ` WHERE ${where}` : ''
    }) AS ${table}`;
  }).join(',\n  ');

/**
 * Every table a request could create or change, as `rows:md5-of-the-rows` in one query: two equal
 * results mean nothing was created, deleted or changed in between (used to prove errors change nothing).
 */
export async function stateCounts(dataSource: DataSource): Promise<string> {
  const [row] = await dataSource.query(SQL);
  return JSON.stringify(row);
}

/** The tables that differ between two `stateCounts` results, for the failure message. */
export function stateDiff(before: string, after: string): string {
  const a = JSON.parse(before) as Record<string, string>;
  const b = JSON.parse(after) as Record<string, string>;
  return Object.keys(a)
    .filter((k) => a[k] !== b[k])
    .map((k) => `${k} ${a[k]} → ${b[k]}`)
    .join(', ');
}
