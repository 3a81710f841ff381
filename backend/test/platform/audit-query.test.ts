import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Actor } from '../../src/common/actor.js';
import { systemActor } from '../../src/common/actor.js';
import { AuditService } from '../../src/audit/audit.service.js';
import { eventHash, verifyExport } from '../../src/cli/verify-export.js';
import { bearer, startTestApp, type TestApp } from '../support/test-app.js';

interface Event {
  seq: string;
  id: string;
  occurred_at: string;
  actor_type: string;
  actor_id: string | null;
  action: string;
  hash: string;
}

const actor = (type: Actor['type'], id: string): Actor => ({
  ...systemActor(),
  type,
  id,
  userId: type === 'user' ? id : null,
  email: `${id.slice(0, 8)}@test.local`,
  role: 'member',
});
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('audit queries', () => {
  let t: TestApp;
  let audit: AuditService;
  const alice = randomUUID();
  const bob = randomUUID();
  const key = randomUUID();

  beforeAll(async () => {
    t = await startTestApp();
    audit = t.app.get(AuditService);
    const actors = [actor('user', alice), actor('user', bob), actor('api_key', key), systemActor()];
    for (let i = 0; i < 24; i++) {
      await audit.recordAlone(actors[i % 4], { action: 'test.query', entityType: 'thing', entityId: String(i) });
      // Spread the events over time, so a time window has events on both sides of it.
      if (i % 6 === 5) await pause(15);
    }
  });
  afterAll(async () => {
    await t.close();
  });

  const list = async (query: string): Promise<{ items: Event[]; next_cursor: string | null }> => {
    const res = await t.http().get(`/api/v1/audit-events?${query}`).set(bearer(t.adminToken));
    expect(res.status).toBe(200);
    return res.body;
  };
  const all = async () => (await list('action=test.query&limit=200')).items;

  it('pages newest first with a cursor, without duplicates or gaps, even while events are appended', async () => {
    const expected = await all();
    expect(expected).toHaveLength(24);
    const seen: Event[] = [];
    // `test.*` also matches the events appended meanwhile: they are newer than every cursor, so never show up.
    let page = await list('action=test.*&limit=5');
    for (;;) {
      seen.push(...page.items);
      if (!page.next_cursor) break;
      // New events land before the first page; the pages still to come do not shift.
      await audit.recordAlone(systemActor(), { action: 'test.query_later' });
      page = await list(`action=test.*&limit=5&cursor=${encodeURIComponent(page.next_cursor)}`);
    }
    expect(seen.map((e) => e.id)).toEqual(expected.map((e) => e.id));
    const seqs = seen.map((e) => Number(e.seq));
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(new Set(seqs).size).toBe(24);
    expect(page.items).toHaveLength(4);
  });

  it('refuses a cursor it did not issue', async () => {
    const res = await t.http().get('/api/v1/audit-events?cursor=not-a-cursor').set(bearer(t.adminToken));
    expect(res.status).toBe(422);
    expect(res.body.errors[0].field).toBe('cursor');
  });

  it('filters by time: from is inclusive, to is exclusive', async () => {
    const events = await all();
    const times = [...new Set(events.map((e) => e.occurred_at))].sort();
    const [from, to] = [times[Math.floor(times.length / 3)], times[Math.floor((2 * times.length) / 3)]];
    const window = await list(`action=test.query&limit=200&from=${from}&to=${to}`);
    const expected = events.filter((e) => e.occurred_at >= from && e.occurred_at < to).map((e) => e.id);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(events.length);
    expect(window.items.map((e) => e.id)).toEqual(expected);
    expect(window.items.some((e) => e.occurred_at === from)).toBe(true);
    expect(window.items.some((e) => e.occurred_at === to)).toBe(false);
    const bad = await t.http().get('/api/v1/audit-events?from=yesterday').set(bearer(t.adminToken));
    expect(bad.status).toBe(422);
  });

  it('filters by actor id and actor type', async () => {
    const byAlice = await list(`action=test.query&actor_id=${alice}`);
    expect(byAlice.items).toHaveLength(6);
    expect(byAlice.items.every((e) => e.actor_id === alice && e.actor_type === 'user')).toBe(true);
    const users = await list('action=test.query&actor_type=user');
    expect(new Set(users.items.map((e) => e.actor_id))).toEqual(new Set([alice, bob]));
    expect(users.items).toHaveLength(12);
    const keys = await list('action=test.query&actor_type=api_key');
    expect(keys.items.map((e) => e.actor_id)).toEqual(Array(6).fill(key));
    const system = await list('action=test.query&actor_type=system');
    expect(system.items.every((e) => e.actor_id === null)).toBe(true);
    expect(system.items).toHaveLength(6);
    expect((await list(`action=test.query&actor_type=api_key&actor_id=${alice}`)).items).toEqual([]);
  });

  it('gets one event by id, and 404 for an unknown one', async () => {
    const [first] = await all();
    const one = await t.http().get(`/api/v1/audit-events/${first.id}`).set(bearer(t.adminToken));
    expect(one.status).toBe(200);
    expect(one.body).toEqual(first);
    const missing = await t.http().get(`/api/v1/audit-events/${randomUUID()}`).set(bearer(t.adminToken));
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    const member = await t.userWithRole('member');
    expect((await t.http().get(`/api/v1/audit-events/${first.id}`).set(bearer(member.token))).status).toBe(403);
  });
});

describe('offline verification of an NDJSON export', () => {
  let t: TestApp;
  let lines: string[];
  const script = fileURLToPath(new URL('../../src/cli/verify-export.ts', import.meta.url));

  const exportText = async (query = '') => {
    const res = await t
      .http()
      .get(`/api/v1/audit-events/export?format=ndjson${query}`)
      .set(bearer(t.adminToken))
      .buffer(true)
      .parse((stream, done) => {
        let text = '';
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => (text += chunk));
        stream.on('end', () => done(null, text));
      });
    expect(res.status).toBe(200);
    return res.body as string;
  };
  const verify = (text: string, allowGaps = false) => verifyExport(Readable.from([text]), { allowGaps });
  const replaceLine = (index: number, change: (event: Record<string, unknown>) => void) => {
    const copy = [...lines];
    const event = JSON.parse(copy[index]);
    change(event);
    copy[index] = JSON.stringify(event);
    return copy.join('\n') + '\n';
  };

  beforeAll(async () => {
    t = await startTestApp();
    // Events of several kinds: user changes, logins, settings (with before/after changes).
    await t.userWithRole('member');
    await t.userWithRole('auditor');
    await t.http().put('/api/v1/settings/upstream.max_retries').set(bearer(t.adminToken)).send({ value: 3 });
    lines = (await exportText()).split('\n').filter(Boolean);
  });
  afterAll(async () => {
    await t.close();
  });

  it('recomputes every hash and link of a full export, ending at the head the server reports', async () => {
    expect(lines.length).toBeGreaterThan(5);
    expect(JSON.parse(lines[0]).seq).toBe('1');
    const result = await verify(lines.join('\n') + '\n');
    expect(result).toMatchObject({ valid: true, checked: lines.length, first_seq: '1', gaps: 0, first_broken: null });
    const server = await t.http().get('/api/v1/audit-events/verify').set(bearer(t.adminToken));
    expect(result.last_hash).toBe(server.body.head_hash);
  });

  it('reports a tampered event, a re-hashed one (by the next link) and a removed one', async () => {
    const tampered = await verify(replaceLine(3, (e) => (e.actor_email = 'someone-else@test.local')));
    expect(tampered).toMatchObject({ valid: false, checked: 3, first_broken: { line: 4, seq: '4', reason: 'hash_mismatch' } });
    const rehashed = await verify(
      replaceLine(3, (e) => {
        e.actor_email = 'someone-else@test.local';
        e.hash = eventHash(e);
      }),
    );
    expect(rehashed.first_broken).toMatchObject({ seq: '5', reason: 'broken_link' });
    const removed = await verify([...lines.slice(0, 2), ...lines.slice(3)].join('\n'));
    expect(removed.first_broken).toMatchObject({ seq: '4', reason: 'sequence_gap' });
    const forgedStart = await verify(replaceLine(0, (e) => (e.prev_hash = 'f'.repeat(64))));
    expect(forgedStart.first_broken).toMatchObject({ seq: '1', reason: 'not_genesis' });
  });

  it('checks a filtered export’s hashes when told that seq may jump', async () => {
    const logins = await exportText('&action=auth.login');
    expect((await verify(logins)).first_broken).toMatchObject({ reason: 'sequence_gap' });
    const result = await verify(logins, true);
    expect(result.valid).toBe(true);
    expect(result.gaps).toBeGreaterThan(0);
  });

  it('runs from the command line with Node alone: exit 0 when valid, 1 with the broken event', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-verify-'));
    writeFileSync(join(dir, 'good.ndjson'), lines.join('\n') + '\n');
    writeFileSync(
      join(dir, 'bad.ndjson'),
      replaceLine(2, (e) => (e.action = 'user.nothing_to_see')),
    );
    const run = promisify(execFile);
    const good = await run(process.execPath, [script, join(dir, 'good.ndjson')]);
    expect(JSON.parse(good.stdout)).toMatchObject({ valid: true, checked: lines.length });
    const bad = await run(process.execPath, [script, join(dir, 'bad.ndjson')]).catch((err: { code: number; stdout: string }) => err);
    expect('code' in bad && bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).first_broken).toMatchObject({ seq: '3', reason: 'hash_mismatch' });
  });
});
