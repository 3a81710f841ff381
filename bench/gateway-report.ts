/** Tables, target verdicts and charts for the gateway bench. */
import { barChart, lineChart } from './charts.js';
import type { Cell, CpuRow, Mode, Pacing } from './gateway-matrix.js';
import type { ClusterRow, Soak } from './gateway-soak.js';
import type { StreamLoadResult } from './load.js';
import { ms, table } from './support.js';

export interface GatewayFigures {
  cells: Cell[];
  cpu: CpuRow[];
  pacing: Pacing[];
  soak: Soak | null;
  cluster: ClusterRow[];
  portkeyStreamError: string | null;
}

const signed = (v: number) => `${v >= 0 ? '+' : '−'}${ms(Math.abs(v))}`;
const ratio = (a: number, b: number | undefined) => (b ? `${(a / b).toFixed(2)}×` : '—');

export function finder(cells: Cell[]) {
  return (mode: Mode, delay: number, connections: number, target: string): StreamLoadResult | undefined =>
    cells.find((c) => c.mode === mode && c.delay === delay && c.connections === connections && c.target === target)?.result;
}

export function wholeTable(cells: Cell[]): string {
  const at = finder(cells);
  const rows = cells
    .filter((c) => c.mode === 'whole')
    .map((c) => {
      const r = c.result;
      const direct = at('whole', c.delay, c.connections, 'direct')!;
      const floor = at('whole', c.delay, c.connections, 'floor proxy');
      const portkey = at('whole', c.delay, c.connections, 'portkey');
      const isDirect = c.target === 'direct';
      return [
        `${c.delay} ms`,
        c.connections,
        c.target,
        r.rps.toFixed(0),
        ms(r.p50),
        ms(r.p99),
        isDirect ? '—' : `${signed(r.p50 - direct.p50)} / ${signed(r.p99 - direct.p99)}`,
        isDirect ? '—' : `${(r.rps / direct.rps).toFixed(2)}×`,
        ratio(r.rps, floor?.rps),
        ratio(r.rps, portkey?.rps),
        r.errors + r.non2xx,
        c.load,
      ];
    });
  return table(
    [
      'upstream',
      'conns',
      'target',
      'req/s',
      'p50 ms',
      'p99 ms',
      'over direct p50 / p99 ms',
      'req/s vs direct',
      'vs floor',
      'vs Portkey',
      'errors',
      'load avg',
    ],
    rows,
  );
}

export function streamTable(cells: Cell[]): string {
  const at = finder(cells);
  const rows = cells
    .filter((c) => c.mode === 'stream')
    .map((c) => {
      const r = c.result;
      const direct = at('stream', c.delay, c.connections, 'direct')!;
      const ok = r.rps > 0;
      return [
        `${c.delay} ms`,
        c.connections,
        c.target,
        r.rps.toFixed(0),
        ok ? ms(r.ttfc50) : '—',
        ok ? ms(r.ttfc99) : '—',
        c.target === 'direct' || !ok ? '—' : `${signed(r.ttfc50 - direct.ttfc50)} / ${signed(r.ttfc99 - direct.ttfc99)}`,
        ok ? `${ms(r.p50)} / ${ms(r.p99)}` : '—',
        r.errors + r.non2xx,
        c.load,
      ];
    });
  return table(
    [
      'upstream',
      'conns',
      'target',
      'streams/s',
      'first chunk p50 ms',
      'p99 ms',
      'over direct p50 / p99 ms',
      'whole stream p50 / p99 ms',
      'errors',
      'load avg',
    ],
    rows,
  );
}

/** The targets served by Switchboard, whose child processes are its embedded PostgreSQL. */
const SWITCHBOARD_TARGETS = new Set(['switchboard', 'conversation']);

export function cpuTable(cpu: CpuRow[]): string {
  return table(
    [
      'target',
      'reply',
      'requests',
      'achieved req/s',
      'errors',
      'CPU ms/request (hop process)',
      'incl. child processes',
      'implied req/s per core',
    ],
    cpu.map((r) => [
      r.target,
      r.mode,
      r.requests,
      r.rps.toFixed(0),
      r.errors,
      r.processMs.toFixed(3),
      r.treeMs === r.processMs
        ? '(none)'
        : `${r.treeMs.toFixed(3)} (${SWITCHBOARD_TARGETS.has(r.target) ? 'with PostgreSQL' : 'with its child processes'})`,
      (1000 / r.treeMs).toFixed(0),
    ]),
  );
}

export interface Verdict {
  target: string;
  figure: string;
  met: boolean | null;
}

/** Each of the gateway issue's targets, met or missed, from this run's figures. */
export function verdicts(f: GatewayFigures): Verdict[] {
  const at = finder(f.cells);
  const out: Verdict[] = [];
  const sw = (mode: Mode, d: number, c: number) => at(mode, d, c, 'switchboard');
  const dir = (mode: Mode, d: number, c: number) => at(mode, d, c, 'direct');
  const overhead = (c: number, p50max: number, p99max: number) => {
    const s = sw('whole', 50, c);
    const d = dir('whole', 50, c);
    if (!s || !d) return;
    const p50 = s.p50 - d.p50;
    const p99 = s.p99 - d.p99;
    out.push({
      target: `c=${c}, 50 ms upstream: ≤ +${p50max} ms p50 / ≤ +${p99max} ms p99 over direct`,
      figure: `${signed(p50)} / ${signed(p99)} ms`,
      met: p50 <= p50max && p99 <= p99max,
    });
  };
  overhead(10, 1, 5);
  overhead(50, 1.5, 10);
  const s50 = sw('whole', 50, 50);
  const d50 = dir('whole', 50, 50);
  if (s50 && d50)
    out.push({
      target: 'c=50, 50 ms upstream: ≥ 0.95 × direct req/s',
      figure: `${(s50.rps / d50.rps).toFixed(3)}×`,
      met: s50.rps >= 0.95 * d50.rps,
    });
  const cpu = f.cpu.find((r) => r.target === 'switchboard' && r.mode === 'whole');
  if (cpu)
    out.push({
      target: '≤ 0.6 ms CPU per request at 500 req/s (Node process)',
      figure: `${cpu.processMs.toFixed(3)} ms (${cpu.treeMs.toFixed(3)} ms with PostgreSQL)`,
      met: cpu.processMs <= 0.6,
    });
  const zero = [...f.cells]
    .filter((c) => c.mode === 'whole' && c.delay === 0 && c.target === 'switchboard')
    .sort((a, b) => b.result.rps - a.result.rps)[0];
  if (zero)
    out.push({
      target: '≥ 2,500 req/s per core at 0 ms (one core, shared with PostgreSQL)',
      figure: `${zero.result.rps.toFixed(0)} req/s (c=${zero.connections})`,
      met: zero.result.rps >= 2500,
    });
  for (const c of [10, 50]) {
    const s = sw('stream', 50, c);
    const d = dir('stream', 50, c);
    if (!s || !d) continue;
    const p50 = s.ttfc50 - d.ttfc50;
    const p99 = s.ttfc99 - d.ttfc99;
    out.push({
      target: `stream first chunk, c=${c}, 50 ms: ≤ +1 ms p50 / ≤ +5 ms p99`,
      figure: `${signed(p50)} / ${signed(p99)} ms`,
      met: p50 <= 1 && p99 <= 5,
    });
  }
  for (const c of [10, 50, 200]) {
    const s = sw('whole', 0, c);
    const p = at('whole', 0, c, 'portkey');
    if (s && p)
      out.push({ target: `≥ 3 × Portkey’s req/s at 0 ms, c=${c}`, figure: `${(s.rps / p.rps).toFixed(2)}×`, met: s.rps >= 3 * p.rps });
  }
  const ours = f.cells.filter((c) => c.target === 'switchboard' || c.target === 'conversation');
  const errors = ours.reduce((n, c) => n + c.result.errors + c.result.non2xx, 0) + (f.soak?.errors ?? 0);
  out.push({ target: 'no errors (Switchboard, every run incl. the soak)', figure: String(errors), met: errors === 0 });
  for (const c of [10, 50]) {
    const conv = at('whole', 50, c, 'conversation');
    const d = dir('whole', 50, c);
    if (conv && d)
      out.push({
        target: `conversation endpoint, c=${c}, 50 ms: ≤ +5 ms p50 over direct`,
        figure: `${signed(conv.p50 - d.p50)} ms`,
        met: conv.p50 - d.p50 <= 5,
      });
  }
  if (f.soak)
    out.push({
      target: `memory flat over a ${Math.round(f.soak.seconds / 60)}-minute soak`,
      figure: `${f.soak.afterWarmup.toFixed(0)} → ${f.soak.end.toFixed(0)} MiB, ${f.soak.slope >= 0 ? '+' : ''}${f.soak.slope.toFixed(2)} MiB/min`,
      met: f.soak.flat,
    });
  return out;
}

export function verdictTable(v: Verdict[]): string {
  return table(
    ['target', 'this run', 'verdict'],
    v.map((x) => [x.target, x.figure, x.met === null ? '—' : x.met ? '**met**' : '**missed**']),
  );
}

/** The charts, as Markdown image links. */
export function charts(f: GatewayFigures): string[] {
  const links: string[] = [];
  const names = [...new Set(f.cells.map((c) => c.target))];
  const at = finder(f.cells);
  for (const mode of ['whole', 'stream'] as const) {
    const keys = [...new Set(f.cells.filter((c) => c.mode === mode).map((c) => `${c.delay}|${c.connections}`))];
    const cats = keys.map((k) => `${k.split('|')[0]} ms, c=${k.split('|')[1]}`);
    const targetNames = names.filter((n) => f.cells.some((c) => c.mode === mode && c.target === n));
    const series = (pick: (r: StreamLoadResult) => number) =>
      targetNames.map((name) => ({
        name,
        values: keys.map((k) => {
          const [d, c] = k.split('|').map(Number);
          const r = at(mode, d, c, name);
          return r && r.rps > 0 ? Number(pick(r).toFixed(3)) : null;
        }),
      }));
    links.push(
      barChart(
        `gateway-${mode}-rps`,
        cats,
        series((r) => r.rps),
        { title: `${mode === 'whole' ? 'Whole replies' : 'Streams'}: requests/s (log scale)`, yName: 'req/s', log: true },
      ),
    );
    links.push(
      barChart(
        `gateway-${mode}-p50`,
        cats,
        series((r) => (mode === 'stream' ? r.ttfc50 : r.p50)),
        {
          title: mode === 'whole' ? 'Whole replies: p50 latency (log scale)' : 'Streams: time to first chunk, p50 (log scale)',
          yName: 'ms',
          log: true,
        },
      ),
    );
  }
  if (f.cpu.length)
    links.push(
      barChart(
        'gateway-cpu',
        [...new Set(f.cpu.map((r) => r.mode))],
        [...new Set(f.cpu.map((r) => r.target))].map((t) => ({
          name: t,
          values: [...new Set(f.cpu.map((r) => r.mode))].map((m) => {
            const r = f.cpu.find((x) => x.target === t && x.mode === m);
            return r ? Number(r.treeMs.toFixed(3)) : null;
          }),
        })),
        { title: 'CPU ms per request at 500 req/s (incl. child processes)', yName: 'ms' },
      ),
    );
  if (f.soak)
    links.push(
      lineChart(
        'gateway-soak-memory',
        'seconds',
        [
          { name: 'Switchboard RSS (MiB)', points: f.soak.rss },
          { name: 'PostgreSQL processes RSS (MiB, shared memory counted per process)', points: f.soak.postgres },
        ],
        { title: 'Resident memory during the soak', yName: 'MiB' },
      ),
    );
  return links;
}
