import pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions, RUNTIME_ROLE } from './data-source.js';

export class DatabaseUnreachableError extends Error {}

const MIGRATION_LOCK = 7_301_990_002;

/** Fails fast, with the host but never the password, when the server cannot be reached. */
export async function assertReachable(url: string, variable: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    const { hostname, port, pathname } = safeUrl(url);
    const reason = (err as { code?: string }).code ?? (err as Error).message;
    throw new DatabaseUnreachableError(`${variable}: cannot connect to PostgreSQL at ${hostname}:${port}${pathname} (${reason})`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Runs pending migrations as the login role, one instance at a time (session advisory lock), and
 * reports whether the restricted runtime role exists for the app to switch to.
 */
export async function migrate(url: string): Promise<{ applied: string[]; runtimeRole?: string }> {
  const source = new DataSource({ ...dataSourceOptions({ url, poolSize: 1, applicationName: 'switchboard-migrate' }), logging: false });
  await source.initialize();
  try {
    await source.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await source.runMigrations({ transaction: 'all' });
    const [row] = (await source.query(
      `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AND pg_has_role(current_user, (SELECT oid FROM pg_roles WHERE rolname = $1), 'MEMBER') AS ok`,
      [RUNTIME_ROLE],
    )) as { ok: boolean | null }[];
    await source.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    return { applied: applied.map((m) => m.name), runtimeRole: row?.ok ? RUNTIME_ROLE : undefined };
  } finally {
    await source.destroy();
  }
}

export function safeUrl(url: string): { hostname: string; port: string; pathname: string } {
  try {
    const u = new URL(url);
    return { hostname: u.hostname, port: u.port || '5432', pathname: u.pathname };
  } catch {
    return { hostname: '(unparseable URL)', port: '', pathname: '' };
  }
}
