/**
 * The gateway bench's measurements: the load matrix (whole and streamed, by upstream delay and
 * concurrency, rounds interleaved across targets) and CPU per request at a fixed rate.
 */
import { chatBody, upstreamModel, type Target } from './gateway-setup.js';
import { load, streamLoad, type LoadResult, type StreamLoadResult } from './load.js';
import { processCpuMs, treeCpuMs } from './proc.js';
import { load1, medianOf, waitForQuiet } from './support.js';

export type Mode = 'whole' | 'stream';

export interface MatrixConfig {
  seconds: number;
  rounds: number;
  delays: readonly number[];
  concurrency: readonly number[];
  /** Wait up to this long before each cell for the load average to drop below 2.5 (0: never). */
  quietSeconds: number;
}

export interface Cell {
  mode: Mode;
  delay: number;
  connections: number;
  target: string;
  result: StreamLoadResult;
  /** The machine's 1-minute load average when the cell started (this bench adds about 1). */
  load: string;
}

/** One run of one target: autocannon for whole replies, the streaming client for streams. */
export async function hit(target: Target, mode: Mode, delay: number, connections: number, seconds: number, rate?: number) {
  const req = target.request(delay, mode === 'stream');
  if (mode === 'stream') return streamLoad({ ...req, connections, duration: seconds, rate });
  const r: LoadResult = await load({ ...req, method: 'POST', connections, duration: seconds, overallRate: rate });
  return { ...r, ttfc50: Number.NaN, ttfc99: Number.NaN };
}

/** Every (mode, delay, concurrency) cell; within a cell, rounds alternate between targets. */
export async function runMatrix(targets: Target[], config: MatrixConfig, log: (line: string) => void): Promise<Cell[]> {
  const cells: Cell[] = [];
  for (const mode of ['whole', 'stream'] as const) {
    for (const delay of config.delays) {
      for (const connections of config.concurrency) {
        const runs = targets.filter((t) => mode === 'whole' || t.streams);
        // Other engineers' test runs share the machine: give them a moment to finish before each cell.
        const load = config.quietSeconds ? await waitForQuiet(config.quietSeconds, 2.5) : load1();
        const results = new Map<string, StreamLoadResult[]>(runs.map((t) => [t.name, []]));
        for (let round = 0; round < config.rounds; round++) {
          for (const t of runs) results.get(t.name)!.push(await hit(t, mode, delay, connections, config.seconds));
        }
        for (const t of runs) {
          const result = medianOf(results.get(t.name)!);
          cells.push({ mode, delay, connections, target: t.name, result, load });
          log(
            `${mode} ${delay} ms c=${connections} ${t.name}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50.toFixed(2)} p99 ${result.p99.toFixed(2)}` +
              (mode === 'stream' ? `, first chunk p50 ${result.ttfc50.toFixed(2)} p99 ${result.ttfc99.toFixed(2)}` : '') +
              `, errors ${result.errors + result.non2xx}`,
          );
        }
      }
    }
  }
  return cells;
}

export interface CpuRow {
  target: string;
  mode: Mode;
  requests: number;
  /** Achieved rate (a hop that cannot reach 500/s runs saturated). */
  rps: number;
  errors: number;
  /** The hop's own process. */
  processMs: number;
  /** With its descendants (Switchboard: the embedded PostgreSQL and its backends). */
  treeMs: number;
}

/** CPU per request at a fixed 500 requests/s (0 ms upstream, 10 connections), median of interleaved rounds. */
export async function measureCpu(targets: Target[], seconds: number, rounds: number, rate = 500): Promise<CpuRow[]> {
  const jobs = targets.flatMap((t) =>
    t.pid ? (['whole', 'stream'] as const).filter((m) => m === 'whole' || t.streams).map((m) => [t, m] as const) : [],
  );
  const samples = new Map<string, CpuRow[]>();
  for (let round = 0; round < rounds; round++) {
    for (const [t, mode] of jobs) {
      const pid = t.pid!;
      const before = { own: processCpuMs(pid), tree: treeCpuMs(pid) };
      const r = await hit(t, mode, 0, 10, seconds, rate);
      const done = r.requests || 1;
      const row = {
        target: t.name,
        mode,
        requests: r.requests,
        rps: r.rps,
        errors: r.errors + r.non2xx,
        processMs: (processCpuMs(pid) - before.own) / done,
        treeMs: (treeCpuMs(pid) - before.tree) / done,
      };
      samples.set(`${t.name}|${mode}`, [...(samples.get(`${t.name}|${mode}`) ?? []), row]);
    }
  }
  return [...samples.values()].map((rows) => medianOf(rows));
}

export interface Pacing {
  target: string;
  ttfc: number;
  total: number;
  errors: number;
}

/**
 * Chunks passed on as they come: a stream paced at 10 ms per chunk; the first chunk must arrive
 * long before the end, as it does direct.
 */
export async function measurePacing(targets: Target[], seconds: number): Promise<Pacing[]> {
  const out: Pacing[] = [];
  for (const t of targets.filter((x) => x.streams)) {
    const req = t.request(0, true);
    const body = t.name === 'switchboard' ? chatBody('bench-paced', true) : chatBody(upstreamModel(0, '-chunk-delay-10'), true);
    const r = await streamLoad({ ...req, body, connections: 10, duration: seconds });
    out.push({ target: t.name, ttfc: r.ttfc50, total: r.p50, errors: r.errors + r.non2xx });
  }
  return out;
}
