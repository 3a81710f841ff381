import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { OllamaFake } from '../fakes/index.js';
import { freePort, ownPostgres } from './support/own-postgres.js';

const MAIN = new URL('../../../dist/api/backend/src/main.js', import.meta.url).pathname;
const SWEEP_WAIT_MS = 60_000;
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
  const tally = { writes: 0, acknowledged: 0, streams: 0, partial: 0, sweptAfterKillMs: -1 };

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` before \`npm run test:hardening\``);
    db = await ownPostgres();
    fake = await new OllamaFake().start();
  });
  afterAll(async () => {
    process.stdout.write(
      `fault kill: writes=${tally.writes} acknowledged=${tally.acknowledged} streams-open-at-kill=${tally.streams} ` +
        `kept-partial=${tally.partial} swept-after-kill=${(tally.sweptAfterKillMs / 1000).toFixed(1)}s\n`,
    );
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
      // Streams that will be cut mid-reply by the kill. The fake answers word by word, 300 ms apart,
      // so this prompt gives a reply of about 15 s; the server stores what arrived at most once a
      // second, after a delta. The kill waits until every stream has had 2.5 s of deltas (so each
      // stored some of it), or 20 s at most.
      const prompt = `tell me a long story please ${'about the sea and the ships on it '.repeat(5)}`.trim();
      const received = conversations.map(() => ({ text: '', firstDeltaAt: 0, lastDeltaAt: 0 }));
      conversations.forEach((id, i) => {
        tally.streams++;
        void post(`/api/v1/conversations/${id}/messages`, { content: prompt }, 'text/event-stream')
          .then(async (r) => {
            let buffer = '';
            for await (const chunk of r.body ?? []) {
              buffer += Buffer.from(chunk as Uint8Array).toString('utf8');
              let end;
              while ((end = buffer.indexOf('\n\n')) >= 0) {
                const event = buffer.slice(0, end);
                buffer = buffer.slice(end + 2);
                const data = /^event: delta\ndata: (.*)$/m.exec(event)?.[1];
                if (data === undefined) continue;
                received[i].text += (JSON.parse(data) as { text: string }).text;
                received[i].firstDeltaAt ||= Date.now();
                received[i].lastDeltaAt = Date.now();
              }
            }
          })
          .catch(() => undefined);
      });
      const load = Promise.all([writer(), writer()]);
      const waitStarted = Date.now();
      while (Date.now() - waitStarted < 20_000 && !received.every((r) => r.firstDeltaAt && r.lastDeltaAt - r.firstDeltaAt >= 2_500)) {
        await sleep(50);
      }
      app.child.kill('SIGKILL');
      const killedAt = Date.now();
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
        tally.sweptAfterKillMs = Date.now() - killedAt;
        expect(streaming).toBe(0);
        const interrupted = await client.query(
          `SELECT c.id AS conversation, m.status, m.error->>'class' AS class, m.content
             FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.role = 'assistant'`,
        );
        expect(interrupted.rows.length).toBe(conversations.length);
        for (const row of interrupted.rows) expect(row).toMatchObject({ status: 'failed', class: 'interrupted' });
        // What arrived before the kill is kept: a non-empty beginning of what the client was sent.
        for (const row of interrupted.rows as { conversation: string; content: string }[]) {
          const seen = received[conversations.indexOf(row.conversation)].text;
          expect(seen.startsWith(row.content)).toBe(true);
          if (row.content.length > 0) tally.partial++;
        }
        expect(tally.partial).toBe(conversations.length);
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
