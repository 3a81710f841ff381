import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenAiFake } from '../fakes/index.js';
import { freePort, ownPostgres } from './support/own-postgres.js';

const MAIN = new URL('../../../dist/api/backend/src/main.js', import.meta.url).pathname;
const STREAMS = Number(process.env.FAULT_STREAMS ?? 500);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * prom-client samples the loop with `monitorEventLoopDelay` at its default 10 ms resolution, and that
 * histogram records the whole interval between two samples: an idle loop reads 10 ms, a loop blocked
 * for 50 ms reads about 60 ms. The lag (how late the loop ran) is the reading less this interval.
 */
const SAMPLING_INTERVAL_MS = 10;

/**
 * The server's own event-loop lag since the previous scrape, from its Prometheus metrics (the
 * histogram is read and reset at every scrape), as raw readings and as lag beyond the interval.
 */
async function loopLag(url: string): Promise<{ p99: number; max: number; rawP99: number; rawMax: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)`, 'm').exec(text)?.[1] ?? NaN) * 1000;
  const rawP99 = read('nodejs_eventloop_lag_p99_seconds');
  const rawMax = read('nodejs_eventloop_lag_max_seconds');
  return { rawP99, rawMax, p99: rawP99 - SAMPLING_INTERVAL_MS, max: rawMax - SAMPLING_INTERVAL_MS };
}

type Lag = { p99: number; max: number };

/** An idle Node process sampling its own loop like prom-client does: the machine's share of any lag. */
function controlLoop(): { read(): Promise<Lag>; stop(): void } {
  const script = `const h = require('node:perf_hooks').monitorEventLoopDelay({ resolution: ${SAMPLING_INTERVAL_MS} }); h.enable();
    process.stdin.on('data', () => { process.stdout.write(JSON.stringify({ p99: h.percentile(99) / 1e6, max: h.max / 1e6 }) + '\\n'); h.reset(); });`;
  const proc = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'ignore'] });
  proc.stdout.setEncoding('utf8');
  return {
    read: () =>
      new Promise<Lag>((resolve) => {
        proc.stdout.once('data', (line: string) => {
          const raw = JSON.parse(line) as Lag;
          resolve({ p99: raw.p99 - SAMPLING_INTERVAL_MS, max: raw.max - SAMPLING_INTERVAL_MS });
        });
        proc.stdin.write('\n');
      }),
    stop: () => proc.kill(),
  };
}

describe('fault: many slow streams at once', () => {
  let db: Awaited<ReturnType<typeof ownPostgres>>;
  let fake: OpenAiFake;
  let child: ChildProcess;
  const tally = { streams: 0, completed: 0, lagP99: 0, lagMax: 0, rawP99: 0, rawMax: 0, control: { p99: NaN, max: NaN } };
  const control = controlLoop();

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` before \`npm run test:hardening\``);
    db = await ownPostgres();
    fake = await new OpenAiFake({ apiKeys: [], maxLoggedRequests: 0 }).start();
  });
  afterAll(async () => {
    process.stdout.write(
      `fault streams: streams=${tally.streams} completed=${tally.completed} server-loop-lag-p99=${tally.lagP99.toFixed(1)}ms ` +
        `max=${tally.lagMax.toFixed(1)}ms (raw readings with the ${SAMPLING_INTERVAL_MS} ms sampling interval: ` +
        `p99 ${tally.rawP99.toFixed(1)}ms, max ${tally.rawMax.toFixed(1)}ms); ` +
        `an idle process on the same machine meanwhile: p99 ${tally.control.p99.toFixed(1)}ms max ${tally.control.max.toFixed(1)}ms\n`,
    );
    control.stop();
    child?.kill('SIGINT');
    if (child) await new Promise((r) => child.once('exit', r));
    await db.destroy();
    await fake.close();
  });

  it(`keeps the server's event-loop lag under 100 ms with ${STREAMS} streams open to a slow upstream`, async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        DATA_DIR: mkdtempSync(join(tmpdir(), 'sb-streams-')),
        SWITCHBOARD_SECRET_KEY: Buffer.alloc(32, 5).toString('base64'),
        ADMIN_EMAIL: 'admin@streams.test',
        ADMIN_PASSWORD: 'streams-test-password',
        SEED_REGISTRY: 'false',
        LOG_LEVEL: 'fatal',
        PORT: String(port),
        HOST: '127.0.0.1',
      },
      stdio: 'ignore',
    });
    for (
      let i = 0;
      i < 200 &&
      !(await fetch(`${url}/health/ready`).then(
        (r) => r.ok,
        () => false,
      ));
      i++
    )
      await sleep(100);
    const login = (await (
      await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@streams.test', password: 'streams-test-password' }),
      })
    ).json()) as { access_token: string };
    const headers = { authorization: `Bearer ${login.access_token}`, 'content-type': 'application/json' };
    const post = async (path: string, body: unknown) =>
      (await fetch(`${url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) })).json() as Promise<{
        id: string;
        secret: string;
      }>;
    const provider = await post('/api/v1/providers', { name: 'slow', kind: 'openai_compatible', api_base: `${fake.url}/v1` });
    await post('/api/v1/models', {
      provider_id: provider.id,
      display_name: 'slow-stream-model',
      model_id: 'gpt-4o-mini-chunk-delay-200',
      type: 'generation',
    });
    const key = await post('/api/v1/api-keys', { name: 'streams' });

    const agent = new Agent({ keepAlive: true, maxSockets: STREAMS + 10 });
    const body = JSON.stringify({
      model: 'slow-stream-model',
      messages: [{ role: 'user', content: 'count slowly to ten for me now please' }],
      stream: true,
    });
    const one = () =>
      new Promise<string>((resolve) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port,
            path: '/v1/chat/completions',
            method: 'POST',
            agent,
            headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => (text += d));
            res.on('end', () => resolve(text));
            res.on('error', () => resolve(text));
          },
        );
        req.on('error', () => resolve(''));
        req.end(body);
      });
    // An idle Node process samples its own loop over the same window: what it sees is the machine
    // (other processes, and this test's clients and fake upstream on the same cores), not the server.
    await loopLag(url);
    await control.read();
    const done = await Promise.all(Array.from({ length: STREAMS }, one));
    const lag = await loopLag(url);
    tally.control = await control.read();
    agent.destroy();
    tally.streams = STREAMS;
    tally.completed = done.filter((r) => r.includes('data: [DONE]')).length;
    Object.assign(tally, { lagP99: lag.p99, lagMax: lag.max, rawP99: lag.rawP99, rawMax: lag.rawMax });
    expect(tally.completed).toBe(STREAMS);
    expect(lag.p99).toBeLessThan(100);
    // The maximum is reported, not asserted: it is one sample, and on a loaded machine an idle
    // process alone sees pauses near 100 ms (the control above), which are not the server's doing.
  }, 180_000);
});
