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

/** The server's own event-loop lag, from its Prometheus metrics (reset at every scrape). */
async function loopLag(url: string): Promise<{ p99: number; max: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)`, 'm').exec(text)?.[1] ?? NaN) * 1000;
  return { p99: read('nodejs_eventloop_lag_p99_seconds'), max: read('nodejs_eventloop_lag_max_seconds') };
}

describe('fault: many slow streams at once', () => {
  let db: Awaited<ReturnType<typeof ownPostgres>>;
  let fake: OpenAiFake;
  let child: ChildProcess;
  const tally = { streams: 0, completed: 0, lagP99: 0, lagMax: 0 };

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` before \`npm run test:hardening\``);
    db = await ownPostgres();
    fake = await new OpenAiFake({ apiKeys: [], maxLoggedRequests: 0 }).start();
  });
  afterAll(async () => {
    process.stdout.write(
      `fault streams: streams=${tally.streams} completed=${tally.completed} server-loop-lag-p99=${tally.lagP99.toFixed(1)}ms max=${tally.lagMax.toFixed(1)}ms\n`,
    );
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
    await loopLag(url);
    const replies = await Promise.all(Array.from({ length: STREAMS }, one));
    const lag = await loopLag(url);
    agent.destroy();
    tally.streams = STREAMS;
    tally.completed = replies.filter((r) => r.includes('data: [DONE]')).length;
    tally.lagP99 = lag.p99;
    tally.lagMax = lag.max;
    expect(tally.completed).toBe(STREAMS);
    expect(lag.p99).toBeLessThan(100);
  }, 180_000);
});
