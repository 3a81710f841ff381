import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem, userInfo } from 'node:os';
import { join } from 'node:path';

export const ROOT = new URL('..', import.meta.url).pathname;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  url: string;
  dataDir: string;
  pgPort: number;
  child: ChildProcess;
  /** Milliseconds from spawning the process to the first 200 from /health/ready. */
  readyMs: number;
  /** Stops the server; its data folder is removed unless `keepData` was given. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** An existing data folder (warm start); default: a fresh one. */
  dataDir?: string;
  /** Leave the data folder in place on stop (the caller removes it). */
  keepData?: boolean;
}

/** Starts the built server as `npm start` would, on a fresh data folder (embedded PostgreSQL). */
export async function startServerProcess(
  env: Record<string, string> = {},
  cpu?: number,
  nodeArgs: string[] = [],
  options: StartOptions = {},
): Promise<ServerProcess> {
  // BENCH_SERVER_ROOT runs another checkout's build (before/after comparisons). Others may rebuild
  // dist/ in this tree (Nest empties it first): wait for the entry point.
  const main = join(process.env.BENCH_SERVER_ROOT ?? ROOT, 'dist/api/backend/src/main.js');
  for (let waited = 0; !existsSync(main); waited += 500) {
    if (waited > 120_000) throw new Error(`${main} missing: run npm run build:api`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'sb-bench-'));
  if (userInfo().uid === 0) chmodSync(dataDir, 0o711);
  const port = await freePort();
  const pgPort = await freePort();
  const command = cpu === undefined ? 'node' : 'taskset';
  // BENCH_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the server under load.
  const extra = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const args = [...(cpu === undefined ? [] : ['-c', String(cpu), 'node']), ...nodeArgs, ...extra, main];
  const spawned = performance.now();
  const child = spawn(command, args, {
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      EMBEDDED_PG_PORT: String(pgPort),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ADMIN_EMAIL: 'bench@example.com',
      ADMIN_PASSWORD: 'bench-password-123',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // The tail of what it printed, for the error if it fails to start.
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-20_000));
  child.stdout!.on('data', keep);
  // BENCH_SERVER_LOG=<file> keeps everything the server prints (e.g. with --trace-gc in BENCH_SERVER_NODE_ARGS).
  if (process.env.BENCH_SERVER_LOG) child.stdout!.pipe(createWriteStream(process.env.BENCH_SERVER_LOG, { flags: 'a' }));
  child.stderr!.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited: ${output}`);
    try {
      const res = await fetch(`${url}/health/ready`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > 60_000) {
      child.kill('SIGINT');
      throw new Error(`server not ready in 60 s: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const readyMs = performance.now() - spawned;
  return {
    url,
    dataDir,
    pgPort,
    child,
    readyMs,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT');
        await new Promise((r) => child.once('exit', r));
      }
      if (!options.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function embeddedDatabaseUrl(server: ServerProcess): string {
  const password = readFileSync(join(server.dataDir, 'pg-password'), 'utf8').trim();
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${server.pgPort}/switchboard`;
}

export async function login(url: string, email = 'bench@example.com', password = 'bench-password-123'): Promise<string> {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

export interface LatencyStats {
  requests: number;
  errors: number;
  rps: number;
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

export function percentiles(times: number[]): Pick<LatencyStats, 'p50' | 'p99' | 'mean' | 'max'> {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99), mean: sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1), max: sorted.at(-1) ?? 0 };
}

export function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}, ${new Date().toISOString().slice(0, 10)}`;
}

/** The 1-minute load average, as `uptime` shows it (other engineers' test runs share this machine). */
export const load1 = () => loadavg()[0].toFixed(2);

/**
 * Waits (up to `maxSeconds`) for the machine to be quiet enough to measure: other engineers' test
 * runs share these 2 cores. Returns the 1-minute load average when it stopped waiting.
 */
export async function waitForQuiet(maxSeconds = 60, threshold = 1.5): Promise<string> {
  const until = Date.now() + maxSeconds * 1000;
  while (loadavg()[0] > threshold && Date.now() < until) {
    process.stdout.write(`load average ${load1()} > ${threshold}: waiting for a quieter machine…\n`);
    await new Promise((r) => setTimeout(r, 5_000));
  }
  return load1();
}

/** A Markdown table. */
export function table(header: string[], rows: (string | number)[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** The median of each numeric field over repeated rounds. */
export function medianOf<T extends object>(rounds: T[]): T {
  const out = {} as Record<string, unknown>;
  for (const key of Object.keys(rounds[0]) as (keyof T & string)[]) {
    const values = rounds.map((r) => r[key]);
    if (typeof values[0] !== 'number') {
      out[key] = values[0];
      continue;
    }
    const sorted = (values as number[]).slice().sort((a, b) => a - b);
    out[key] = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  }
  return out as T;
}

export const ms = (v: number) => v.toFixed(2);

/** Replaces this bench's section of bench/RESULTS.md, keeping the others. */
export function writeSection(name: string, markdown: string): void {
  const file = join(ROOT, 'bench/RESULTS.md');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    text = '# Benchmark results\n\nWritten by `npm run bench`; each section is replaced when its bench runs again.\n';
  }
  const begin = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const block = `${begin}\n${markdown.trim()}\n${end}`;
  const pattern = new RegExp(`${begin}[\\s\\S]*?${end}`);
  text = pattern.test(text) ? text.replace(pattern, block) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, text);
  // Aligned tables, as the repository's format check wants them.
  execFileSync(process.execPath, [join(ROOT, 'node_modules/prettier/bin/prettier.cjs'), '--write', file], { stdio: 'ignore' });
}
