/**
 * Gateway overhead: the same chat completion sent to a fake OpenAI upstream (a) directly, through
 * (b) a minimal Node proxy (the floor), (c) the Portkey gateway, (d) Switchboard's
 * /v1/chat/completions (API key, registry lookup, usage recording) and (e) Switchboard's
 * conversation endpoint. The hops (and Switchboard's embedded PostgreSQL) run on CPU 0, the load
 * generator and the fake upstream on CPU 1; rounds alternate between targets.
 *
 * `--smoke` (CI): a ~10-second pass over every target that fails on any error or broken target.
 * `--seconds N`, `--rounds N`, `--soak N` (seconds) shorten or lengthen a full run.
 */
import { type GatewayFigures, charts, cpuTable, streamTable, verdicts, verdictTable, wholeTable } from './gateway-report.js';
import { hit, measureCpu, measurePacing, runMatrix } from './gateway-matrix.js';
import { DELAYS, HOP_CPU, LOAD_CPU, startHops } from './gateway-setup.js';
import { clusterScaling, soak } from './gateway-soak.js';
import { pinSelf } from './proc.js';
import { load1, machine, ms, table, waitForQuiet, writeSection } from './support.js';

const option = (args: string[], name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};

export async function run(args: string[]): Promise<void> {
  const smoke = args.includes('--smoke');
  const seconds = option(args, 'seconds', smoke ? 1 : 4);
  const rounds = option(args, 'rounds', smoke ? 1 : 3);
  const soakSeconds = option(args, 'soak', smoke ? 0 : 300);
  const log = (line: string) => process.stdout.write(`${line}\n`);
  pinSelf(LOAD_CPU);
  const loadBefore = smoke ? load1() : await waitForQuiet();
  const hops = await startHops(smoke ? 50 : 1000);
  let figures: GatewayFigures;
  try {
    for (const t of hops.targets) {
      await hit(t, 'whole', 0, 10, smoke ? 0.5 : 2);
      if (t.streams) await hit(t, 'stream', 0, 10, smoke ? 0.5 : 1);
    }
    const cells = await runMatrix(
      hops.targets,
      { seconds, rounds, delays: smoke ? [0] : DELAYS, concurrency: smoke ? [10] : [10, 50, 200], quietSeconds: smoke ? 0 : 20 },
      log,
    );
    figures = {
      cells,
      cpu: smoke ? [] : await measureCpu(hops.targets, 5, rounds),
      pacing: smoke ? [] : await measurePacing(hops.targets, 3),
      soak: soakSeconds ? await soak(hops.server.child.pid!, hops.server.url, hops.key, soakSeconds) : null,
      cluster: smoke ? [] : await clusterScaling(hops.upstream, seconds, rounds, LOAD_CPU),
      portkeyStreamError: /TypeError: [^\n]+/.exec(hops.portkeyErrors())?.[0] ?? null,
    };
  } finally {
    await hops.stop();
  }
  const loadAfter = load1();
  if (smoke) return smokeVerdict(figures, log);

  const verdict = verdicts(figures);
  const links = charts(figures);
  const markdown = `## Gateway overhead (fake OpenAI upstream on loopback)

${machine()}. Load average (1 min) ${loadBefore} before, ${loadAfter} after (the hops under test add ~1 while running;
other engineers' test runs may share the machine).
Hops pinned to CPU ${HOP_CPU} with \`taskset\` (Switchboard's embedded PostgreSQL inherits the pin, so it shares that core);
load generator (this process: autocannon for whole replies, a small Node client timing first chunks for streams) and the
fake upstream on CPU ${LOAD_CPU}. Median of ${rounds} interleaved rounds of ${seconds} s per cell; latency per response at full
precision. Body: one short user message, \`max_tokens\` 32; the fake answers ~40 bytes of content (one word per SSE chunk).
Switchboard: API-key auth, registry lookup, usage recorded (batched); the conversation endpoint stores the user message,
the reply and the totals per call (JSON reply), spread over 1,000 conversations per model.

### Targets

${verdictTable(verdict)}

Latency targets are judged at 50 ms upstream delay, where the hop is not the bottleneck; at 0 ms every hop saturates its
core and latency is queueing. "Per core" at 0 ms: the Switchboard process is pinned to one core, which its PostgreSQL shares.

### Whole replies

${wholeTable(figures.cells)}

### Streams (\`stream: true\`)

${streamTable(figures.cells)}
${figures.portkeyStreamError ? `\nPortkey 1.15.2 answers every streamed request with 500 \`{"status":"failure","message":"Something went wrong"}\` on Node ${process.versions.node}; its log says \`${figures.portkeyStreamError}\` (its issues #1389 / #1550). Reported as is, not patched.\n` : ''}
Chunks passed on as they come (upstream paced at 10 ms per chunk, 10 connections, p50):

${table(
  ['target', 'first chunk ms', 'whole stream ms', 'errors'],
  figures.pacing.map((p) => [p.target, p.errors && !p.total ? '—' : ms(p.ttfc), p.errors && !p.total ? '—' : ms(p.total), p.errors]),
)}

### CPU per request at a fixed 500 requests/s (0 ms upstream, 10 connections)

Process user + system time from \`/proc/<pid>/stat\` over the run, divided by the requests answered. "Hop process" is the
Node process alone; "incl. child processes" adds its descendants — for Switchboard, the embedded PostgreSQL (postmaster,
its backends and background workers), i.e. PostgreSQL's CPU **is** included in that column and not in the first.

${cpuTable(figures.cpu)}
${soakSection(figures)}
${clusterSection(figures)}
### Charts

${links.join('\n\n')}`;
  process.stdout.write(markdown + '\n');
  writeSection('gateway', markdown);
}

function soakSection(f: GatewayFigures): string {
  const s = f.soak;
  if (!s) return '';
  return `
### Memory over a ${Math.round(s.seconds / 60)}-minute soak

Switchboard under steady mixed load (40 connections of whole replies and 10 of streams, 50 ms upstream): ${s.requests}
requests, ${s.errors} errors. Node RSS sampled every 5 s: ${s.rss[0][1].toFixed(0)} MiB at the start, ${s.afterWarmup.toFixed(0)} MiB
after the first minute, ${s.end.toFixed(0)} MiB at the end, ${s.max.toFixed(0)} MiB at most; slope after the first minute
${s.slope.toFixed(2)} MiB/min (median of the slopes between every two samples; least squares: ${s.leastSquares.toFixed(2)}) —
**${s.flat ? 'flat' : 'not flat'}** (flat: under 2 MiB/min and the end within 10 % of the level after warm-up). PostgreSQL's processes: ${s.postgres[0][1].toFixed(0)} → ${s.postgres.at(-1)![1].toFixed(0)} MiB (RSS summed over processes).
`;
}

function clusterSection(f: GatewayFigures): string {
  if (!f.cluster.length) return '';
  const one = (d: number) => f.cluster.find((r) => r.workers === 1 && r.delay === d);
  return `
### Cluster mode (\`WORKERS=N\`)

Whole replies; each server unpinned (N workers on one port, one embedded PostgreSQL), load generator unpinned, fake upstream
on CPU ${LOAD_CPU}. On this 2-core machine the load generator and the fake upstream need a good part of a core themselves, so
two workers cannot get two whole cores.

${table(
  ['upstream', 'conns', 'WORKERS', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'scaling'],
  f.cluster.map((r) => [
    `${r.delay} ms`,
    r.connections,
    r.workers,
    r.rps.toFixed(0),
    ms(r.p50),
    ms(r.p99),
    r.errors,
    `${(r.rps / one(r.delay)!.rps).toFixed(2)}×`,
  ]),
)}
`;
}

/** CI's smoke: every target answers, Switchboard without a single error. */
function smokeVerdict(f: GatewayFigures, log: (line: string) => void): void {
  log(wholeTable(f.cells));
  log(streamTable(f.cells));
  const broken = f.cells.filter((c) => {
    // Portkey's streaming is known broken on Node 24 (its issues #1389/#1550): reported, not failed on.
    if (c.target === 'portkey' && c.mode === 'stream') return false;
    return c.result.errors + c.result.non2xx > 0 || c.result.rps === 0;
  });
  if (f.portkeyStreamError) log(`portkey streaming: ${f.portkeyStreamError} (known: its issues #1389/#1550)`);
  if (broken.length) {
    throw new Error(
      `gateway smoke failed: ${broken.map((c) => `${c.mode} ${c.target} (${c.result.errors + c.result.non2xx} errors, ${c.result.rps.toFixed(0)} req/s)`).join(', ')}`,
    );
  }
  log('gateway smoke: every target answered without errors');
}
