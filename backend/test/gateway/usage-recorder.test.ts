import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { type UsageEntry, UsageRecorder } from '../../src/usage/usage-recorder.service.js';
import { ownerClient } from '../support/database.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The usage queue between the request path and PostgreSQL: a backlog is written in bounded
 * batches, a refused write keeps the calls for the next flush, and a full queue drops (and counts)
 * only what does not fit.
 */
describe('usage recorder', () => {
  let t: TestApp;
  let recorder: UsageRecorder;
  let db: DataSource;

  beforeAll(async () => {
    t = await startTestApp({ env: { SEED_REGISTRY: 'false' } });
    recorder = t.app.get(UsageRecorder);
    db = t.app.get(DataSource);
  });
  afterAll(async () => {
    await t.close();
  });

  const call = (userId: string, day: string, inputTokens: number): UsageEntry => ({
    source: 'gateway',
    endpoint: 'v1',
    userId,
    apiKeyId: null,
    modelId: null,
    providerId: null,
    modelName: 'recorder-test',
    statusCode: 200,
    errorClass: null,
    inputTokens,
    outputTokens: 1,
    costUsd: '0.001',
    latencyMs: 20,
    ttftMs: null,
    occurredAt: new Date(`${day}T08:00:00Z`),
  });
  const run = (n: number, userId: string, day: string, from = 0) => Array.from({ length: n }, (_, i) => call(userId, day, from + i));

  const rows = async (userId: string) =>
    (
      await db.query(`SELECT count(*)::int AS n, coalesce(max(input_tokens), -1) AS max FROM usage_events WHERE user_id = $1`, [userId])
    )[0] as {
      n: number;
      max: number;
    };
  const daily = async (userId: string) =>
    (await db.query(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, requests, cost_usd::text AS cost FROM usage_daily WHERE user_id = $1 ORDER BY day`,
      [userId],
    )) as { day: string; requests: number; cost: string }[];

  it('writes a backlog larger than a batch in full with one flush, and rolls each day and user up across runs', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    recorder.limits.batch = 100;
    try {
      // Runs of one user and day that cross batch boundaries, and a user's day that comes back after another's.
      for (const entry of [
        ...run(100, a, '2026-03-01'),
        ...run(50, b, '2026-03-01'),
        ...run(20, a, '2026-03-01'),
        ...run(80, a, '2026-03-02'),
      ]) {
        recorder.record(entry);
      }
      await recorder.flush();
    } finally {
      recorder.limits.batch = 5_000;
    }
    expect(recorder.queued).toBe(0);
    expect((await rows(a)).n).toBe(200);
    expect((await rows(b)).n).toBe(50);
    expect(await daily(a)).toEqual([
      { day: '2026-03-01', requests: 120, cost: '0.120000000000' },
      { day: '2026-03-02', requests: 80, cost: '0.080000000000' },
    ]);
    expect(await daily(b)).toEqual([{ day: '2026-03-01', requests: 50, cost: '0.050000000000' }]);
  });

  it('keeps the calls while the database refuses them, drops only the newest past the limit (counted), and writes the rest once it is back', async () => {
    const user = randomUUID();
    recorder.limits.queue = 300;
    await recorder.flush();
    const droppedBefore = recorder.dropped;
    // The app's role may not alter tables; the owner takes the table away as an outage would.
    const owner = await ownerClient(t.databaseUrl);
    try {
      await owner.query('ALTER TABLE usage_events RENAME TO usage_events_away');
      for (const entry of run(320, user, '2026-03-03')) recorder.record(entry);
      expect(recorder.queued).toBe(300);
      expect(recorder.dropped - droppedBefore).toBe(20);
      await recorder.flush();
      expect(recorder.queued).toBe(300);
      expect(t.logs.some((line) => line.includes('usage not written yet (300 calls)'))).toBe(true);
      expect(t.logs.some((line) => line.includes('usage queue full'))).toBe(true);
    } finally {
      await owner.query('ALTER TABLE usage_events_away RENAME TO usage_events');
      await owner.end();
      recorder.limits.queue = 100_000;
    }
    await recorder.flush();
    expect(recorder.queued).toBe(0);
    // The first 300 calls, in full; the 20 past the limit were the ones dropped.
    expect(await rows(user)).toEqual({ n: 300, max: 299 });
    expect(await daily(user)).toEqual([{ day: '2026-03-03', requests: 300, cost: '0.300000000000' }]);
    const metrics = await t.http().get('/metrics');
    expect(metrics.text).toMatch(new RegExp(`^usage_dropped_total ${recorder.dropped}$`, 'm'));
    expect(metrics.text).toMatch(/^usage_queued 0$/m);
  });
});
