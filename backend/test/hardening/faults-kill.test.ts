import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { OllamaFake } from '../fakes/index.js';
import { freePort, ownPostgres } from './support/own-postgres.js';

const MAIN = new URL('../../../dist/api/backend/src/main.js', import.meta.url).pathname;
const SWEEP_WAIT_MS = 75_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The built server as `npm start` runs it, on a database of the test's own. */
async function startApp(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const ok = await fetch(`${url}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { child, url };
    await sleep(100);
  }
  throw new Error('server not ready');
}

describe('fault: the app is killed with SIGKILL under load and restarted', () => {
  let db: Awaited<ReturnType<typeof ownPostgres>>;
  let fake: OllamaFake;
  const tally = { writes: 0, acknowledged: 0, streams: 0 };

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` before \`npm run test:hardening\``);
    db = await ownPostgres();
    fake = await new OllamaFake().start();
  });
  afterAll(async () => {
    process.stdout.write(`fault kill: writes=${tally.writes} acknowledged=${tally.acknowledged} streams-open-at-kill=${tally.streams}\n`);
    await db.destroy();
    await fake.close();
  });

  it(
    'keeps every acknowledged write, finishes interrupted replies, and the audit chain verifies',
    async () => {
      const env = {
        DATABASE_URL: db.url,
        DATA_DIR: mkdtempSync(join(tmpdir(), 'sb-kill-')),
        SWITCHBOARD_SECRET_KEY: Buffer.alloc(32, 3).toString('base64'),
        ADMIN_EMAIL: 'admin@kill.test',
        ADMIN_PASSWORD: 'kill-test-password',
        SEED_REGISTRY: 'false',
        LOG_LEVEL: 'fatal',
      };
      let app = await startApp(env);
      const login = (await (
        await fetch(`${app.url}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD }),
        })
      ).json()) as { access_token: string };
      const headers = { authorization: `Bearer ${login.access_token}`, 'content-type': 'application/json' };
      const post = (path: string, body: unknown, accept = 'application/json') =>
        fetch(`${app.url}${path}`, { method: 'POST', headers: { ...headers, accept }, body: JSON.stringify(body) });
      const provider = (await (await post('/api/v1/providers', { name: 'kill-ollama', kind: 'ollama', api_base: fake.url })).json()) as {
        id: string;
      };
      await post('/api/v1/models', {
        provider_id: provider.id,
        display_name: 'slow-llama',
        model_id: 'llama3.2-chunk-delay-300',
        type: 'generation',
      });
      const conversations = await Promise.all(
        Array.from({ length: 5 }, async () => ((await (await post('/api/v1/conversations', {})).json()) as { id: string }).id),
      );

      const acknowledged: string[] = [];
      let running = true;
      const writer = async () => {
        while (running) {
          const email = `w-${randomUUID()}@kill.test`;
          tally.writes++;
          const res = await post('/api/v1/users', { email, display_name: 'W', role: 'member', password: 'write-password-1' }).catch(
            () => null,
          );
          if (res?.status === 201) acknowledged.push(email);
        }
      };
      // Streams that will be cut mid-reply by the kill.
      for (const id of conversations) {
        tally.streams++;
        void post(`/api/v1/conversations/${id}/messages`, { content: 'tell me a long story please' }, 'text/event-stream')
          .then(async (r) => {
            for await (const _chunk of r.body ?? []) void _chunk;
          })
          .catch(() => undefined);
      }
      const load = Promise.all([writer(), writer()]);
      await sleep(1_500);
      app.child.kill('SIGKILL');
      running = false;
      await load;
      app = await startApp(env);

      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        const found = await client.query('SELECT count(*)::int AS n FROM users WHERE email = ANY($1)', [acknowledged]);
        tally.acknowledged = acknowledged.length;
        expect(acknowledged.length).toBeGreaterThan(0);
        expect(found.rows[0].n).toBe(acknowledged.length);
        const started = Date.now();
        let streaming = -1;
        while (Date.now() - started < SWEEP_WAIT_MS) {
          streaming = (await client.query(`SELECT count(*)::int AS n FROM messages WHERE status = 'streaming'`)).rows[0].n;
          if (streaming === 0) break;
          await sleep(1_000);
        }
        expect(streaming).toBe(0);
        const interrupted = await client.query(
          `SELECT status, error->>'class' AS class, length(content) AS chars FROM messages WHERE role = 'assistant'`,
        );
        expect(interrupted.rows.length).toBe(conversations.length);
        for (const row of interrupted.rows) expect(row).toMatchObject({ status: 'failed', class: 'interrupted' });
        const verify = (await (await fetch(`${app.url}/api/v1/audit-events/verify`, { headers })).json()) as { valid: boolean };
        expect(verify.valid).toBe(true);
      } finally {
        await client.end();
        app.child.kill('SIGINT');
        await new Promise((r) => app.child.once('exit', r));
      }
    },
    SWEEP_WAIT_MS + 120_000,
  );
});
