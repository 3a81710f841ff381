import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';

/** The pg pool under TypeORM's DataSource, for what TypeORM has no call for. */
export const poolOf = (dataSource: DataSource): Pool => (dataSource.driver as unknown as { master: Pool }).master;

/**
 * Runs a hot-path statement as a named prepared statement: each pooled connection parses and plans
 * it once, instead of on every call (planning was a third of PostgreSQL's time in a conversation
 * turn). `name` must stand for one fixed `text`. Outside a transaction only.
 */
export async function preparedQuery<T>(dataSource: DataSource, name: string, text: string, values: unknown[]): Promise<T[]> {
  return (await poolOf(dataSource).query({ name, text, values })).rows as T[];
}
