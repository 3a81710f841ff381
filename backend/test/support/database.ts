import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server the suite runs on (embedded, or TEST_DATABASE_URL), as set by the global setup. */
export function serverUrl(): string {
  const url = process.env.SB_TEST_SERVER_URL;
  if (!url) throw new Error('SB_TEST_SERVER_URL is not set: run the tests through `npm test`');
  return url;
}

export function databaseUrl(name: string): string {
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/** A new, empty database for one test file. */
export async function createDatabase(prefix = 'sbtest'): Promise<{ name: string; url: string }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  return { name, url: databaseUrl(name) };
}

export async function dropDatabase(name: string): Promise<void> {
  await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A connection as the login (owner) role, bypassing the app: for tampering and inspection. */
export async function ownerClient(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

/**
 * Waits, at most 20 s, until `count` other sessions wait on a lock (only those running a statement
 * that starts with `statementPrefix`, when given), or until `done()`; returns how many it saw.
 * Works inside a transaction too, where pg_stat_activity is otherwise read once.
 */
export async function waitForLockWaiters(
  client: pg.Client,
  { count = 1, statementPrefix, done = () => false }: { count?: number; statementPrefix?: string; done?: () => boolean } = {},
): Promise<number> {
  let waiting = 0;
  for (const until = Date.now() + 20_000; waiting < count && !done() && Date.now() < until;) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    await client.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid() AND ($1::text IS NULL OR starts_with(query, $1))`,
      [statementPrefix ?? null],
    );
    waiting = rows[0].n;
  }
  return waiting;
}
