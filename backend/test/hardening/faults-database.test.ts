import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { OllamaFake } from '../fakes/index.js';
import { aModel, aProvider } from '../support/registry.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { ownPostgres } from './support/own-postgres.js';

const OUTAGE_MS = Number(process.env.FAULT_OUTAGE_MS ?? 30_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('fault: PostgreSQL goes away under load', () => {
  let t: TestApp;
  let db: Awaited<ReturnType<typeof ownPostgres>>;
  let fake: OllamaFake;
  const tally = { requests: 0, acknowledged: 0, refused503: 0, unauthenticatedLeaks: 0 };

  beforeAll(async () => {
    db = await ownPostgres();
    fake = await new OllamaFake().start();
    t = await startTestApp({ database: { name: 'switchboard', url: db.url }, env: { SEED_REGISTRY: 'false', LOG_LEVEL: 'fatal' } });
  });
  afterAll(async () => {
    process.stdout.write(
      `fault database: outage=${OUTAGE_MS}ms requests=${tally.requests} acknowledged=${tally.acknowledged} refused-503=${tally.refused503} auth-leaks=${tally.unauthenticatedLeaks}\n`,
    );
    await t.close().catch(() => undefined);
    await db.destroy();
    await fake.close();
  });

  it(
    'refuses with 503 while it is down, loses no acknowledged write, never skips authentication, and recovers',
    async () => {
      const provider = await aProvider(t, { api_base: fake.url });
      await aModel(t, provider.id, { model_id: 'llama3.2' });
      const member = await t.userWithRole('member');
      const conversation = (await t.req('post', '/api/v1/conversations', member.token).send({})).body;
      const acknowledged: { users: string[]; messages: string[] } = { users: [], messages: [] };
      const failures: string[] = [];
      let running = true;

      const writer = async () => {
        while (running) {
          const email = `load-${randomUUID()}@test.local`;
          const res = await t
            .req('post', '/api/v1/users')
            .send({ email, display_name: 'Load', role: 'member', password: 'load-password-123' });
          tally.requests++;
          if (res.status === 201) acknowledged.users.push(email);
          else if (res.status === 503 && res.headers['content-type']?.startsWith('application/problem+json')) tally.refused503++;
          else failures.push(`user write → ${res.status} ${res.text.slice(0, 120)}`);
          await sleep(50);
        }
      };
      const chatter = async () => {
        while (running) {
          const res = await t
            .req('post', `/api/v1/conversations/${conversation.id}/messages`, member.token)
            .send({ content: `hello ${randomUUID()}` });
          tally.requests++;
          if (res.status === 201) acknowledged.messages.push(res.body.user_message.id, res.body.assistant_message.id);
          else if (res.status === 503) tally.refused503++;
          else failures.push(`chat → ${res.status} ${res.text.slice(0, 120)}`);
          await sleep(50);
        }
      };
      const intruder = async () => {
        while (running) {
          const res = await t.http().get('/api/v1/users').set('authorization', 'Bearer not-a-token');
          tally.requests++;
          if (res.status < 400) tally.unauthenticatedLeaks++;
          await sleep(100);
        }
      };
      const load = Promise.all([writer(), chatter(), intruder()]);
      await sleep(3_000);
      await db.stop();
      await sleep(OUTAGE_MS);
      await db.start();
      const backAt = Date.now();
      // Recovery: the first successful write after the database returns.
      let recoveredAfter = -1;
      while (Date.now() - backAt < 20_000) {
        const res = await t.req('put', '/api/v1/settings/upstream.max_retries').send({ value: 2 });
        if (res.status === 200) {
          recoveredAfter = Date.now() - backAt;
          break;
        }
        await sleep(200);
      }
      await sleep(2_000);
      running = false;
      await load;

      expect(failures).toEqual([]);
      expect(tally.unauthenticatedLeaks).toBe(0);
      expect(tally.refused503).toBeGreaterThan(0);
      expect(recoveredAfter).toBeGreaterThanOrEqual(0);
      expect(recoveredAfter).toBeLessThan(10_000);
      tally.acknowledged = acknowledged.users.length + acknowledged.messages.length;
      const dataSource = t.app.get(DataSource);
      const users = await dataSource.query('SELECT count(*)::int AS n FROM users WHERE email = ANY($1)', [acknowledged.users]);
      expect(users[0].n).toBe(acknowledged.users.length);
      const messages = await dataSource.query('SELECT count(*)::int AS n FROM messages WHERE id = ANY($1)', [acknowledged.messages]);
      expect(messages[0].n).toBe(acknowledged.messages.length);
      // Nothing half-written: every user message has its assistant reply, and no reply is left streaming.
      const orphans = await dataSource.query(
        `SELECT count(*)::int AS n FROM messages m WHERE m.conversation_id = $1 AND m.role = 'user'
         AND NOT EXISTS (SELECT 1 FROM messages a WHERE a.conversation_id = m.conversation_id AND a.seq = m.seq + 1)`,
        [conversation.id],
      );
      expect(orphans[0].n).toBe(0);
      const verify = await t.req('get', '/api/v1/audit-events/verify');
      expect(verify.body.valid).toBe(true);
      const stuck = await dataSource.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = 'switchboard' AND state = 'idle in transaction'`,
      );
      expect(stuck[0].n).toBe(0);
    },
    OUTAGE_MS + 120_000,
  );
});
