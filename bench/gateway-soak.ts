/** The gateway bench's long runs: memory over a soak, and requests/s with 1 and 2 worker processes. */
import { configureSwitchboard, chatBody, type Upstream } from './gateway-setup.js';
import { load, streamLoad } from './load.js';
import { pinSelf, rssMb, treeRssMb } from './proc.js';
import { medianOf, startServerProcess } from './support.js';

export interface Soak {
  seconds: number;
  requests: number;
  errors: number;
  /** [seconds since start, MiB] */
  rss: [number, number][];
  postgres: [number, number][];
  /**
   * MiB per minute after the first minute: the median of the slopes between every two samples
   * (Theil–Sen), which a passing dip (the heap given back after a major collection, then refilled)
   * does not tilt the way it tilts a least-squares line.
   */
  slope: number;
  /** The least-squares slope over the same samples, for comparison. */
  leastSquares: number;
  afterWarmup: number;
  end: number;
  max: number;
  flat: boolean;
}

/**
 * Switchboard under steady mixed load (40 connections of whole replies, 10 of streams, 50 ms
 * upstream) for `seconds`, its resident memory sampled every 5 s.
 */
export async function soak(pid: number, url: string, key: string, seconds: number): Promise<Soak> {
  const rss: [number, number][] = [];
  const postgres: [number, number][] = [];
  const started = performance.now();
  const sample = () => {
    const at = (performance.now() - started) / 1000;
    const own = rssMb(pid);
    rss.push([at, own]);
    postgres.push([at, treeRssMb(pid) - own]);
  };
  sample();
  const timer = setInterval(sample, 5_000);
  const headers = { authorization: `Bearer ${key}` };
  const [whole, streamed] = await Promise.all([
    load({
      url: `${url}/v1/chat/completions`,
      method: 'POST',
      headers,
      body: chatBody('bench-50ms', false),
      connections: 40,
      duration: seconds,
    }),
    streamLoad({ url: `${url}/v1/chat/completions`, headers, body: chatBody('bench-50ms', true), connections: 10, duration: seconds }),
  ]);
  clearInterval(timer);
  sample();
  const settled = rss.filter(([t]) => t >= 60);
  const points = settled.length >= 3 ? settled : rss;
  const slope = medianSlopeOf(points) * 60;
  const afterWarmup = points[0][1];
  const end = rss.at(-1)![1];
  const max = Math.max(...rss.map(([, v]) => v));
  return {
    seconds,
    requests: whole.requests + streamed.requests,
    errors: whole.errors + whole.non2xx + streamed.errors + streamed.non2xx,
    rss,
    postgres,
    slope,
    leastSquares: leastSquaresSlopeOf(points) * 60,
    afterWarmup,
    end,
    max,
    // Flat: no steady climb (under 2 MiB a minute) and the end within 10 % of the level after warm-up.
    flat: slope < 2 && end < afterWarmup * 1.1,
  };
}

function medianSlopeOf(points: [number, number][]): number {
  const slopes: number[] = [];
  for (let i = 0; i < points.length; i++)
    for (let j = i + 1; j < points.length; j++) {
      const [x1, y1] = points[i];
      const [x2, y2] = points[j];
      if (x2 !== x1) slopes.push((y2 - y1) / (x2 - x1));
    }
  slopes.sort((a, b) => a - b);
  const mid = slopes.length >> 1;
  return slopes.length === 0 ? 0 : slopes.length % 2 ? slopes[mid] : (slopes[mid - 1] + slopes[mid]) / 2;
}

function leastSquaresSlopeOf(points: [number, number][]): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const num = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const den = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return den ? num / den : 0;
}

export interface ClusterRow {
  workers: number;
  delay: number;
  connections: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

/**
 * WORKERS=1 against WORKERS=2 (cluster mode: one primary, N workers on one port), both unpinned,
 * the load generator unpinned too for this part (the fake upstream stays on its core). Rounds
 * alternate between the two servers.
 */
export async function clusterScaling(upstream: Upstream, seconds: number, rounds: number, loadCpu: number): Promise<ClusterRow[]> {
  const servers = [];
  pinSelf('0,1');
  try {
    for (const workers of [1, 2]) {
      const server = await startServerProcess({ SEED_REGISTRY: 'false', LOG_LEVEL: 'warn', WORKERS: String(workers) });
      servers.push({ workers, server, key: (await configureSwitchboard(server, upstream, 0)).key });
    }
    const rows: ClusterRow[] = [];
    for (const [delay, connections] of [
      [0, 50],
      [50, 200],
    ] as const) {
      const runs = new Map<number, ClusterRow[]>(servers.map((s) => [s.workers, []]));
      for (const s of servers) await hitCluster(s.server.url, s.key, delay, 10, 1); // warm-up
      for (let round = 0; round < rounds; round++) {
        for (const s of servers) {
          const r = await hitCluster(s.server.url, s.key, delay, connections, seconds);
          runs
            .get(s.workers)!
            .push({ workers: s.workers, delay, connections, rps: r.rps, p50: r.p50, p99: r.p99, errors: r.errors + r.non2xx });
        }
      }
      for (const s of servers) rows.push(medianOf(runs.get(s.workers)!));
    }
    return rows;
  } finally {
    for (const s of servers) await s.server.stop();
    pinSelf(String(loadCpu));
  }
}

const hitCluster = (url: string, key: string, delay: number, connections: number, seconds: number) =>
  load({
    url: `${url}/v1/chat/completions`,
    method: 'POST',
    headers: { authorization: `Bearer ${key}` },
    body: chatBody(`bench-${delay}ms`, false),
    connections,
    duration: seconds,
  });
