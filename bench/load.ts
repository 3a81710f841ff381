import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { percentiles } from './support.js';

export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  /** Seconds; or `amount` requests. */
  duration?: number;
  amount?: number;
  /** Fixed request rate for CPU measurements. */
  overallRate?: number;
}

export interface LoadResult {
  requests: number;
  errors: number;
  non2xx: number;
  rps: number;
  p50: number;
  p99: number;
  mean: number;
}

/**
 * autocannon, with every response's latency kept at full precision (its own histogram rounds to
 * whole milliseconds, too coarse for sub-millisecond overheads).
 */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const times: number[] = [];
  let finish!: (result: autocannon.Result) => void;
  let fail!: (error: unknown) => void;
  const done = new Promise<autocannon.Result>((resolve, reject) => ((finish = resolve), (fail = reject)));
  const instance = autocannon(
    {
      url: options.url,
      method: options.method ?? 'GET',
      headers: { 'content-type': 'application/json', ...options.headers },
      body: options.body,
      connections: options.connections,
      duration: options.duration,
      amount: options.amount,
      overallRate: options.overallRate,
      pipelining: 1,
    },
    (error, result) => (error ? fail(error) : finish(result)),
  );
  instance.on('response', (_client, _status, _bytes, responseTime) => times.push(responseTime));
  const result = await done;
  const stats = percentiles(times);
  return {
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    rps: result.requests.total / (result.duration || 1),
    p50: stats.p50,
    p99: stats.p99,
    mean: stats.mean,
  };
}

/** CPU time (user + system, ms) a process and its children have used, from /proc. */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / 100;
}

/** Starts a TypeScript helper process (Node strips the types) pinned to a CPU, waiting for its first stdout line. */
export async function startScript(
  script: string,
  env: Record<string, string>,
  cpu?: number,
): Promise<{ child: ChildProcess; firstLine: string; stop(): Promise<void> }> {
  const args = cpu === undefined ? [script] : ['-c', String(cpu), process.execPath, script];
  const child = spawn(cpu === undefined ? process.execPath : 'taskset', args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const firstLine = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (d: Buffer) => {
      buffer += d.toString();
      const end = buffer.indexOf('\n');
      if (end >= 0) resolve(buffer.slice(0, end));
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  child.stdout!.resume();
  return {
    child,
    firstLine,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGINT');
      await new Promise((r) => child.once('exit', r));
    },
  };
}
