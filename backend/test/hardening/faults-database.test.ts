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
  /** Requests with credentials that must not get in, sent while the database is down, by kind. */
  const probes: Record<string, { sent: number; leaks: number }> = {};

  beforeAll(async () => {
    db = await ownPostgres();
    fake = await new OllamaFake().start();
    t = await startTestApp({ database: { name: 'switchboard', url: db.url }, env: { SEED_REGISTRY: 'false', LOG_LEVEL: 'error' } });
  });
  afterAll(async () => {
    process.stdout.write(
      `fault database: outage=${OUTAGE_MS}ms requests=${tally.requests} acknowledged=${tally.acknowledged} refused-503=${tally.refused503} auth-leaks=${tally.unauthenticatedLeaks}\n` +
        `fault database: probes during the outage: ${Object.entries(probes)
          .map(([kind, p]) => `${kind}=${p.sent} (leaks ${p.leaks})`)
          .join(', ')}\n`,
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
      // Credentials that only the database can tell apart from good ones, prepared before the outage:
      // each was used once (so the principal cache saw it) and then revoked, deleted or deactivated,
      // which clears that cache; one valid key is never used, so it cannot be in the cache at all.
      const probeMember = await t.userWithRole('member');
      const revokedKey = (await t.req('post', '/api/v1/api-keys', probeMember.token).send({ name: 'revoked' })).body;
      const uncachedKey = (await t.req('post', '/api/v1/api-keys', probeMember.token).send({ name: 'never used' })).body;
      const deleted = await t.userWithRole('member');
      const deactivated = await t.userWithRole('member');
      for (const token of [revokedKey.secret, deleted.token, deactivated.token]) {
        expect((await t.http().get('/v1/models').set('authorization', `Bearer ${token}`)).status).toBe(200);
      }
      expect((await t.req('delete', `/api/v1/api-keys/${revokedKey.id}`)).status).toBe(204);
      expect((await t.req('delete', `/api/v1/users/${deleted.id}`)).status).toBe(204);
      expect((await t.req('patch', `/api/v1/users/${deactivated.id}`).send({ is_active: false })).status).toBe(200);
      const refused: Record<string, string> = {
        'not a token': 'not-a-token',
        'revoked key': revokedKey.secret,
        'deleted user': deleted.token,
        'deactivated user': deactivated.token,
      };
      for (const [kind, token] of Object.entries(refused)) {
        const res = await t.http().get('/v1/models').set('authorization', `Bearer ${token}`);
        if (res.status !== 401) throw new Error(`${kind} before the outage → ${res.status}`);
      }
      // The valid key joins only while the database is down (used earlier, it would be cached and let in).
      const duringOutage: Record<string, string> = { ...refused, 'valid key never cached': uncachedKey.secret };
      let down = false;
      // For a 500, the error the server logged with it (only unexpected errors are logged at this level).
      const unexpected = (status: number) => (status === 500 ? `\n  logged: ${t.logs.slice(-2).join('\n  ').slice(0, 1_500)}` : '');
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
          else failures.push(`user write → ${res.status} ${res.text.slice(0, 120)}${unexpected(res.status)}`);
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
          else if (res.status === 503 && res.headers['content-type']?.startsWith('application/problem+json')) tally.refused503++;
          else failures.push(`chat → ${res.status} ${res.headers['content-type']} ${res.text.slice(0, 120)}${unexpected(res.status)}`);
          await sleep(50);
        }
      };
      // Paths that need the database to say no: a revoked or never-cached key, a token of a user
      // deleted or deactivated before the outage. Only 401 or 503 will do, on the gateway (whose
      // model list needs no database once authenticated) and the admin API alike.
      const intruder = async () => {
        for (let i = 0; running; i++) {
          const credentials = Object.entries(down ? duringOutage : refused);
          const [kind, token] = credentials[i % credentials.length];
          const path = i % 2 === 0 ? '/v1/models' : '/api/v1/auth/me';
          const wasDown = down;
          const res = await t.http().get(path).set('authorization', `Bearer ${token}`);
          tally.requests++;
          // The valid key may get in once the database is back; before that, nothing may.
          const leaked = res.status !== 401 && res.status !== 503 && (kind !== 'valid key never cached' || down);
          if (leaked) {
            tally.unauthenticatedLeaks++;
            failures.push(`${kind} ${path}${wasDown ? ' during the outage' : ''} → ${res.status} ${res.text.slice(0, 120)}`);
          }
          if (wasDown && down) {
            probes[kind] ??= { sent: 0, leaks: 0 };
            probes[kind].sent++;
            if (leaked) probes[kind].leaks++;
          }
          await sleep(50);
        }
      };
      const load = Promise.all([writer(), chatter(), intruder()]);
      await sleep(3_000);
      await db.stop();
      down = true;
      await sleep(OUTAGE_MS);
      down = false;
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
      for (const kind of Object.keys(duringOutage)) expect(probes[kind]?.sent).toBeGreaterThan(0);
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
