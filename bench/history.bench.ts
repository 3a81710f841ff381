/**
 * Registry and history at scale: 10,000 models / 200 providers, 100,000 conversations with ~1,000,000
 * messages and 1,000,000 audit events, seeded with SQL; then reads through the HTTP API (JWT auth)
 * and the audit export of every event, with the server's resident memory sampled throughout.
 * Seeding runs unpinned; for the measurements the server restarts with it and its PostgreSQL on
 * CPU 0, this process (the client) on CPU 1.
 */
import { request } from 'node:http';
import { barChart } from './charts.js';
import { measureGets } from './get-client.js';
import { MEMBER_EMAIL, seed, type Seeded } from './history-seed.js';
import { pinSelf, rssMb } from './proc.js';
import {
  embeddedDatabaseUrl,
  load1,
  login,
  machine,
  medianOf,
  ms,
  startServerProcess,
  table,
  waitForQuiet,
  writeSection,
  type LatencyStats,
} from './support.js';

const ADMIN = 'bench@example.com';

interface Read {
  name: string;
  kind: 'registry' | 'history' | 'usage';
  path: () => string;
  as: 'admin' | 'member';
  /** Requests per round, when not the bench's default. */
  requests?: number;
}

function reads(seeded: Seeded): Read[] {
  let page = 0;
  let n = 0;
  let e = 0;
  let u = 0;
  return [
    {
      name: 'GET /models?type=generation&status=active&page_size=50&page=N',
      kind: 'registry',
      as: 'admin',
      path: () => `/api/v1/models?type=generation&status=active&page_size=50&page=${1 + (page++ % 60)}`,
    },
    {
      name: 'GET /models?type=generation&page_size=50&page=N',
      kind: 'registry',
      as: 'admin',
      path: () => `/api/v1/models?type=generation&page_size=50&page=${1 + (page++ % 60)}`,
    },
    {
      name: 'GET /models/{id}',
      kind: 'registry',
      as: 'admin',
      path: () => `/api/v1/models/${seeded.modelIds[n++ % seeded.modelIds.length]}`,
    },
    { name: 'GET /providers (all 200)', kind: 'registry', as: 'admin', path: () => '/api/v1/providers' },
    {
      name: 'GET /conversations (a member with ~1,000, first page of 20)',
      kind: 'history',
      as: 'member',
      path: () => '/api/v1/conversations?limit=20',
    },
    {
      name: 'GET /conversations/{id} (200 messages)',
      kind: 'history',
      as: 'admin',
      path: () => `/api/v1/conversations/${seeded.longConversationId}`,
    },
    {
      name: 'GET /audit-events?entity_type=model&entity_id=… (25 of 1M)',
      kind: 'history',
      as: 'admin',
      path: () => `/api/v1/audit-events?entity_type=model&entity_id=${seeded.auditModelIds[e++ % seeded.auditModelIds.length]}&limit=50`,
    },
    {
      name: 'GET /usage, grouped by model, key, provider or user (a month of 1,000,000 calls)',
      requests: 100,
      kind: 'usage',
      as: 'admin',
      path: () => `/api/v1/usage?group_by=${USAGE_GROUPS[u++ % USAGE_GROUPS.length]}&interval=day`,
    },
  ];
}

// Alternating grouping, so no two consecutive reports are the same query.
const USAGE_GROUPS = ['model', 'api_key', 'provider', 'user'];

interface Export {
  format: string;
  rows: number;
  seconds: number;
  baselineMb: number;
  peakMb: number;
}

/** Streams the whole audit export, counting rows, while sampling the server's RSS every 20 ms. */
async function exportAll(url: string, token: string, format: 'ndjson' | 'csv', pid: number): Promise<Export> {
  const baselineMb = rssMb(pid);
  let peakMb = baselineMb;
  const timer = setInterval(() => (peakMb = Math.max(peakMb, rssMb(pid))), 20);
  const started = performance.now();
  const lines = await new Promise<number>((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const req = request(
      { host: hostname, port, path: `/api/v1/audit-events/export?format=${format}`, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        if (res.statusCode !== 200) reject(new Error(`export ${format}: ${res.statusCode}`));
        let count = 0;
        res.on('data', (chunk: Buffer) => {
          for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) count++;
        });
        res.on('end', () => resolve(count));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
  clearInterval(timer);
  const seconds = (performance.now() - started) / 1000;
  return { format, rows: format === 'csv' ? lines - 1 : lines, seconds, baselineMb, peakMb: Math.max(peakMb, rssMb(pid)) };
}

export async function run(args: string[]): Promise<void> {
  const smoke = args.includes('--smoke');
  const perRound = smoke ? 100 : 1_000;
  const rounds = smoke ? 1 : 3;
  const loadBefore = smoke ? load1() : await waitForQuiet();
  // Seed on an unpinned server, then restart it pinned: its caches start from the seeded tables.
  const seeding = await startServerProcess({ SEED_REGISTRY: 'false' }, undefined, [], { keepData: true });
  let seeded: Seeded;
  const seedStarted = performance.now();
  try {
    seeded = await seed(embeddedDatabaseUrl(seeding), ADMIN);
  } finally {
    await seeding.stop();
  }
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  process.stdout.write(`seeded in ${seedSeconds.toFixed(0)} s: ${JSON.stringify(seeded.counts)}\n`);
  const server = await startServerProcess({ SEED_REGISTRY: 'false' }, 0, [], { dataDir: seeding.dataDir });
  pinSelf(1);
  try {
    const headers = {
      admin: { authorization: `Bearer ${await login(server.url, ADMIN)}` },
      member: { authorization: `Bearer ${await login(server.url, MEMBER_EMAIL)}` },
    };
    const list = reads(seeded);
    for (const r of list) await measureGets(r.path, server.url, headers[r.as], 4, Math.min(200, r.requests ?? 200)); // warm-up: caches, JIT, buffers
    const results: { read: Read; concurrency: number; stats: LatencyStats }[] = [];
    for (const concurrency of [1, 10]) {
      const samples = new Map<string, LatencyStats[]>(list.map((r) => [r.name, []]));
      for (let round = 0; round < rounds; round++)
        for (const r of list)
          samples
            .get(r.name)!
            .push(await measureGets(r.path, server.url, headers[r.as], concurrency, Math.min(perRound, r.requests ?? perRound)));
      for (const r of list) results.push({ read: r, concurrency, stats: medianOf(samples.get(r.name)!) });
    }
    headers.admin = { authorization: `Bearer ${await login(server.url, ADMIN)}` };
    const exports: Export[] = [];
    for (const format of ['ndjson', 'csv'] as const)
      exports.push(await exportAll(server.url, headers.admin.authorization.slice(7), format, server.child.pid!));
    const loadAfter = load1();

    const verdict = (kind: Read['kind'], concurrency: number, limit: number) => {
      const worst = Math.max(...results.filter((x) => x.read.kind === kind && x.concurrency === concurrency).map((x) => x.stats.p99));
      return [
        `${kind} reads p99 < ${limit} ms, concurrency ${concurrency}`,
        `worst p99 ${ms(worst)} ms`,
        worst < limit ? '**met**' : '**missed**',
      ];
    };
    const exportRows = exports.map((x) => {
      const rate = x.rows / x.seconds;
      const growth = x.peakMb - x.baselineMb;
      return [
        `audit export (${x.format}) > 50,000 rows/s, peak RSS growth < 100 MB`,
        `${rate.toFixed(0)} rows/s, +${growth.toFixed(1)} MiB`,
        rate > 50_000 && growth < 100 ? '**met**' : '**missed**',
      ];
    });
    const chart = barChart(
      'history-reads',
      list.map((r) => `${r.name.replace(/^GET /, '').replace(/[?, (].*/, '')}${r.name.includes('status=active') ? '\n(active)' : ''}`),
      [1, 10].flatMap((c) =>
        (['p50', 'p99'] as const).map((q) => ({
          name: `${q}, concurrency ${c}`,
          values: list.map((r) => Number(results.find((x) => x.read === r && x.concurrency === c)!.stats[q].toFixed(2))),
        })),
      ),
      { title: 'Registry and history reads at scale (ms)', yName: 'ms' },
    );
    const markdown = `## Registry and history at scale

${machine()}. Load average (1 min) ${loadBefore} before, ${loadAfter} after.
Seeded with SQL in ${seedSeconds.toFixed(0)} s (${Object.entries(seeded.seconds)
      .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
      .join(', ')}):
${Object.entries(seeded.counts)
  .map(([k, v]) => `${v.toLocaleString('en-US')} ${k}`)
  .join(', ')}.
Server and its embedded PostgreSQL pinned to CPU 0, client on CPU 1; JWT auth on every request. Each row: the median of ${rounds}
interleaved rounds of ${perRound} requests (100 for the usage report; p50 and p99 per round, at full precision) after a warm-up.
The usage report reads the daily rollup (${seeded.counts.usage_daily.toLocaleString('en-US')} rows for the month: day × model × key × user)
and computes p50/p95 latency from its histograms.

### Targets

${table(['target', 'this run', 'verdict'], [verdict('registry', 1, 10), verdict('registry', 10, 10), verdict('history', 1, 20), verdict('history', 10, 20), verdict('usage', 1, 200), ...exportRows])}

### Reads

${table(
  ['request', 'kind', 'concurrency', 'req/s', 'p50 ms', 'p99 ms', 'errors'],
  results.map((x) => [x.read.name, x.read.kind, x.concurrency, x.stats.rps.toFixed(0), ms(x.stats.p50), ms(x.stats.p99), x.stats.errors]),
)}

### Audit export of every event

Streamed from a server-side cursor; rows counted by the client; the server's RSS sampled every 20 ms.

${table(
  ['format', 'rows', 'seconds', 'rows/s', 'RSS before MiB', 'peak RSS MiB', 'peak growth MiB'],
  exports.map((x) => [
    x.format,
    x.rows,
    x.seconds.toFixed(1),
    (x.rows / x.seconds).toFixed(0),
    x.baselineMb.toFixed(0),
    x.peakMb.toFixed(0),
    (x.peakMb - x.baselineMb).toFixed(1),
  ]),
)}

${chart}`;
    process.stdout.write(markdown + '\n');
    if (!smoke) writeSection('history', markdown);
  } finally {
    await server.stop();
    pinSelf('0,1');
  }
}
