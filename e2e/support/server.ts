import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'dist/api/backend/src/main.js');
const CONSOLE_INDEX = join(ROOT, 'dist/admin-ui/browser/index.html');

export interface RunningServer {
  baseUrl: string;
  dataDir: string;
  logFile: string;
  stop(): Promise<void>;
}

/** A port nobody listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolvePort(port));
    });
  });
}

/**
 * Starts the built app with its own embedded PostgreSQL in a fresh folder, on free ports, and
 * resolves once /health/ready answers 200.
 */
export async function startServer(env: Record<string, string>): Promise<RunningServer> {
  for (const required of [MAIN, CONSOLE_INDEX]) {
    if (!existsSync(required)) throw new Error(`${required} is missing: run \`npm run build\` before the e2e tests`);
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-e2e-'));
  // Embedded PostgreSQL runs as a `postgres` system user when we are root: it must traverse the folder.
  if (process.getuid?.() === 0) await chmod(dataDir, 0o711);
  const port = await freePort();
  let pgPort = await freePort();
  while (pgPort === 5432 || pgPort === port) pgPort = await freePort();

  const logFile = join(dataDir, 'server.log');
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...env,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: join(dataDir, 'data'),
      EMBEDDED_PG_PORT: String(pgPort),
      DATABASE_URL: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);

  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = () => stopServer(child, dataDir);
  try {
    await waitUntilReady(child, `${baseUrl}/health/ready`, 120_000);
  } catch (error) {
    const output = await readFile(logFile, 'utf8').catch(() => '');
    await stop();
    throw new Error(`${(error as Error).message}\n--- server output ---\n${output.slice(-4000)}`, { cause: error });
  }
  return { baseUrl, dataDir, logFile, stop };
}

async function waitUntilReady(child: ChildProcess, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode} before it was ready`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((wake) => setTimeout(wake, 500));
  }
  throw new Error(`the server was not ready within ${timeoutMs / 1000} s`);
}

// SIGINT lets the app stop its embedded PostgreSQL cleanly; SIGKILL only if it hangs.
async function stopServer(child: ChildProcess, dataDir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
  await rm(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}
