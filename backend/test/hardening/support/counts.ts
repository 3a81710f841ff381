import type { DataSource } from 'typeorm';

/** Rows a request could create or change, counted in one query: used to prove errors change nothing. */
export async function stateCounts(dataSource: DataSource): Promise<string> {
  const [row] = await dataSource.query(`SELECT
      (SELECT count(*) FROM audit_events WHERE outcome = 'success') AS audited,
      (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM api_keys WHERE revoked_at IS NULL) AS keys,
      (SELECT count(*) FROM providers) AS providers, (SELECT count(*) FROM models) AS models,
      (SELECT count(*) FROM conversations) AS conversations, (SELECT count(*) FROM messages) AS messages,
      (SELECT count(*) FROM system_settings) AS settings`);
  return JSON.stringify(row);
}
