import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
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
  /** A path per request (e.g. spreading requests over conversations); default: the URL's. */
  path?: () => string;
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
      ...(options.path && {
        requests: [{ setupRequest: (request: autocannon.Request) => ({ ...request, path: options.path!() }) }],
      }),
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

export interface StreamLoadOptions {
  url: string;
  headers: Record<string, string>;
  body: string;
  connections: number;
  /** Seconds. */
  duration: number;
  /** Fixed overall request rate (requests/s), for CPU measurements. */
  rate?: number;
}

export interface StreamLoadResult extends LoadResult {
  /** Time to the first body chunk, per response. */
  ttfc50: number;
  ttfc99: number;
}

/**
 * Streamed chat completions over kept-alive connections: per response, the time to the first
 * body chunk and to the end. A response counts as an error unless it is a 200 whose body ends
 * with `data: [DONE]` (autocannon cannot time first chunks, hence this small client).
 */
export async function streamLoad(options: StreamLoadOptions): Promise<StreamLoadResult> {
  const target = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const headers = { 'content-type': 'application/json', accept: 'text/event-stream', ...options.headers };
  const totals: number[] = [];
  const firsts: number[] = [];
  let errors = 0;
  let non2xx = 0;
  const began = performance.now();
  const deadline = began + options.duration * 1000;
  let slot = 0;
  const one = () =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      let first = 0;
      let tail = '';
      const req = request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers, agent }, (res) => {
        res.on('data', (chunk: Buffer) => {
          first ||= performance.now() - started;
          tail = (tail + chunk.toString('latin1')).slice(-64);
        });
        res.on('end', () => {
          if (res.statusCode !== 200) non2xx++;
          else if (!tail.trimEnd().endsWith('data: [DONE]')) errors++;
          else {
            totals.push(performance.now() - started);
            firsts.push(first);
          }
          resolve();
        });
        res.on('error', () => (errors++, resolve()));
      });
      req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
      req.on('error', () => (errors++, resolve()));
      req.end(options.body);
    });
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (performance.now() < deadline) {
        if (options.rate) {
          const due = began + (slot++ * 1000) / options.rate;
          if (due >= deadline) break;
          const wait = due - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
        await one();
      }
    }),
  );
  agent.destroy();
  const elapsed = (performance.now() - began) / 1000;
  const total = percentiles(totals);
  const first = percentiles(firsts);
  return {
    requests: totals.length + errors + non2xx,
    errors,
    non2xx,
    rps: totals.length / elapsed,
    p50: total.p50,
    p99: total.p99,
    mean: total.mean,
    ttfc50: first.p50,
    ttfc99: first.p99,
  };
}
