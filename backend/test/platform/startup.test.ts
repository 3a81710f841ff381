import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ConfigError, loadConfig } from '../../src/config/app-config.js';
import { describeStartupFailure, startServer } from '../../src/server.js';
import { createDatabase, dropDatabase } from '../support/database.js';
import { TEST_SECRET_KEY } from '../support/test-app.js';

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/** A server on `port` of 127.0.0.1 and the given database, logging nothing and seeding no registry. */
const quietConfig = (databaseUrl: string, port: number) =>
  loadConfig({
    DATABASE_URL: databaseUrl,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'sb-quiet-')),
    SWITCHBOARD_SECRET_KEY: TEST_SECRET_KEY,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    SEED_REGISTRY: 'false',
  });

const postgresProcessesFor = (dir: string) => {
  try {
    return execFileSync('pgrep', ['-f', dir], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
};

/** How the app's own connections reach its embedded PostgreSQL (a socket's have no client address). */
async function appConnectionsByTransport(dataDir: string, pgPort: number): Promise<{ socket: number; tcp: number }> {
  const password = readFileSync(join(dataDir, 'pg-password'), 'utf8').trim();
  const client = new pg.Client({ host: '127.0.0.1', port: pgPort, user: 'postgres', password, database: 'switchboard' });
  await client.connect();
  try {
    const { rows } = await client.query<{ socket: number; tcp: number }>(
      `SELECT count(*) FILTER (WHERE client_addr IS NULL)::int AS socket, count(*) FILTER (WHERE client_addr IS NOT NULL)::int AS tcp
         FROM pg_stat_activity WHERE application_name LIKE 'switchboard%' AND backend_type = 'client backend'`,
    );
    return rows[0];
  } finally {
    await client.end();
  }
}

describe('start-up on the embedded database', () => {
  it('initialises, migrates and seeds on an empty data dir, then reuses it on the next start', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sb-fresh-'));
    if (userInfo().uid === 0) chmodSync(dataDir, 0o711);
    const env = {
      DATA_DIR: dataDir,
      PORT: String(await freePort()),
      EMBEDDED_PG_PORT: String(await freePort()),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
    };
    const printed: string[] = [];
    const first = await startServer(loadConfig(env), { print: (l) => printed.push(l) });
    let password: string;
    try {
      expect(first.embedded).toBe(true);
      expect(first.migrationsApplied.length).toBeGreaterThan(0);
      password = first.firstAdmin!.generatedPassword!;
      expect(password.length).toBeGreaterThanOrEqual(20);
      expect(printed.join('\n')).toContain(password);
      expect((statSync(join(dataDir, 'secret.key')).mode & 0o777).toString(8)).toBe('600');
      const ready = await fetch(`${first.url}/health/ready`);
      expect(ready.status).toBe(200);
      const login = await fetch(`${first.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@switchboard.local', password }),
      });
      expect(login.status).toBe(200);
      const connections = await appConnectionsByTransport(dataDir, Number(env.EMBEDDED_PG_PORT));
      expect(connections.socket).toBeGreaterThan(0);
      expect(connections.tcp).toBe(0);
    } finally {
      await first.stop();
    }
    expect(postgresProcessesFor(join(dataDir, 'pg'))).toBe('');

    const again: string[] = [];
    const second = await startServer(loadConfig(env), { print: (l) => again.push(l) });
    try {
      expect(second.migrationsApplied).toEqual([]);
      expect(second.firstAdmin).toBeUndefined();
      expect(again.join('\n')).not.toContain(password!);
      const login = await fetch(`${second.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@switchboard.local', password: password! }),
      });
      expect(login.status).toBe(200);
    } finally {
      await second.stop();
    }
    expect(readFileSync(join(dataDir, 'pg', 'PG_VERSION'), 'utf8').trim()).toMatch(/^\d+$/);
  }, 120_000);
});

describe('configuration', () => {
  it('names the variable in a one-line error for a bad PORT', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/^PORT must be an integer between 1 and 65535$/);
  });

  it('refuses port 5432 for the embedded database and a non-postgres DATABASE_URL', () => {
    expect(() => loadConfig({ EMBEDDED_PG_PORT: '5432' })).toThrow(/EMBEDDED_PG_PORT must not be 5432/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL must be a postgres/);
  });

  it('makes DATA_DIR absolute and applies defaults', () => {
    const config = loadConfig({}, '/srv/switchboard');
    expect(config).toMatchObject({ PORT: 3000, dataDir: '/srv/switchboard/.data', EMBEDDED_PG_PORT: 54329 });
  });

  it('stops with a message naming DATABASE_URL, without its password, when the server is unreachable', async () => {
    const port = await freePort();
    const config = loadConfig({
      DATABASE_URL: `postgres://app:hunter2-secret@127.0.0.1:${port}/switchboard`,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'sb-unreach-')),
      LOG_LEVEL: 'silent',
    });
    const attempt = startServer(config, { print: () => undefined, listen: false });
    await expect(attempt).rejects.toThrow(new RegExp(`^DATABASE_URL: cannot connect to PostgreSQL at 127.0.0.1:${port}/switchboard`));
    await expect(attempt).rejects.not.toThrow(/hunter2/);
  });

  it('stops with a one-line message naming PORT when the port is already in use', async () => {
    const port = await freePort();
    const squatter: Server = await new Promise((resolve) => {
      const server = createServer().listen(port, '127.0.0.1', () => resolve(server));
    });
    const database = await createDatabase();
    try {
      const failure: unknown = await startServer(quietConfig(database.url, port), { print: () => undefined }).then(
        (running) => running.stop().then(() => new Error('started on a port in use')),
        (err: unknown) => err,
      );
      const line = describeStartupFailure(failure);
      expect(line).toBe(
        `switchboard: PORT ${port} is already in use (127.0.0.1:${port}): stop what listens there or set PORT to a free port`,
      );
      expect(line).not.toContain('\n');
    } finally {
      squatter.close();
      await dropDatabase(database.name);
    }
  });
});

describe('stopping', () => {
  it('does not wait for a client that connected but never sent a request', async () => {
    const database = await createDatabase();
    try {
      const port = await freePort();
      const running = await startServer(quietConfig(database.url, port), { print: () => undefined });
      const silent = connect(port, '127.0.0.1');
      await once(silent, 'connect');
      const hungUp = once(silent, 'close');
      // Node counts such a connection as busy until its headers time out (a minute by default).
      const outcome = await Promise.race([
        running.stop().then(() => 'stopped'),
        new Promise((resolve) => setTimeout(resolve, 10_000, 'still waiting for the silent connection')),
      ]);
      expect(outcome).toBe('stopped');
      await hungUp;
    } finally {
      await dropDatabase(database.name);
    }
  });
});
