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
