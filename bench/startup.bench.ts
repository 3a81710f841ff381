/**
 * Start-up: time from spawning the server as `npm start` runs it (`node dist/api/backend/src/main.js`)
 * to the first 200 from /health/ready — on a fresh data folder (initdb, migrations, first admin,
 * sample registry) and again on the folder the previous start left (warm). Rounds alternate.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { barChart } from './charts.js';
import { load1, machine, startServerProcess, table, waitForQuiet, writeSection } from './support.js';

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function run(args: string[]): Promise<void> {
  const smoke = args.includes('--smoke');
  const rounds = smoke ? 1 : 3;
  const loadBefore = smoke ? load1() : await waitForQuiet();
  const fresh: number[] = [];
  const warm: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const dataDir = mkdtempSync(join(tmpdir(), 'sb-startup-'));
    try {
      // Defaults as `npm start` has them (sample registry seeded on the first start).
      const first = await startServerProcess({ LOG_LEVEL: 'warn' }, undefined, [], { dataDir, keepData: true });
      fresh.push(first.readyMs);
      await first.stop();
      const again = await startServerProcess({ LOG_LEVEL: 'warn' }, undefined, [], { dataDir, keepData: true });
      warm.push(again.readyMs);
      await again.stop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
    process.stdout.write(`round ${round + 1}: fresh ${(fresh.at(-1)! / 1000).toFixed(2)} s, warm ${(warm.at(-1)! / 1000).toFixed(2)} s\n`);
  }
  const s = (v: number) => (v / 1000).toFixed(2);
  const rows = [
    [
      'fresh data folder (initdb, migrations, first admin, sample registry)',
      ...fresh.map(s),
      s(median(fresh)),
      '< 20 s',
      median(fresh) < 20_000 ? '**met**' : '**missed**',
    ],
    ['existing data folder', ...warm.map(s), s(median(warm)), '< 5 s', median(warm) < 5_000 ? '**met**' : '**missed**'],
  ];
  const chart = smoke
    ? ''
    : barChart(
        'startup',
        ['fresh', 'warm'],
        [{ name: 'median seconds to /health/ready', values: [Number(s(median(fresh))), Number(s(median(warm)))] }],
        {
          title: 'Start-up to /health/ready (s)',
          yName: 's',
          width: 640,
          height: 360,
        },
      );
  const markdown = `## Start-up

${machine()}. Load average (1 min) ${loadBefore} at the start. Unpinned, embedded PostgreSQL; spawn of
\`node dist/api/backend/src/main.js\` to the first 200 from \`/health/ready\` (polled every 20 ms). Rounds alternate fresh and warm
on the same folder; the warm start follows a clean stop (SIGINT).

${table(['data folder', ...fresh.map((_, i) => `round ${i + 1} s`), 'median s', 'target', 'verdict'], rows)}

${chart}`;
  process.stdout.write(markdown + '\n');
  if (!smoke) writeSection('startup', markdown);
}
