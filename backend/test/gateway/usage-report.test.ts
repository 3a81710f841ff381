import { type UsageEntry, UsageRecorder } from '../../src/usage/usage-recorder.service.js';
import { ownerClient } from '../support/database.js';
import { aModel, aProvider } from '../support/registry.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface Figures {
  key: string;
  label: string;
  period?: string;
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: string;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  latency_avg_ms: number | null;
}

/**
 * GET /usage over calls recorded at known days and latencies (through the recorder, as the gateway
 * and conversations record them), so groupings, periods, bounds and percentiles can be checked exactly.
 */
describe('usage report', () => {
  let t: TestApp;
  let providers: Record<string, any>[];
  let users: { id: string; email: string; token: string }[];
  /** A call on `day` by user `who` to model `where` (0 or 1) that took `latencyMs`. */
  let call: (day: string, who: number, where: number, latencyMs: number, extra?: Partial<UsageEntry>) => UsageEntry;

  beforeAll(async () => {
    t = await startTestApp({ env: { SEED_REGISTRY: 'false' } });
    providers = [await aProvider(t), await aProvider(t)];
    const models = [await aModel(t, providers[0].id), await aModel(t, providers[1].id)];
    users = [await t.userWithRole('member'), await t.userWithRole('member')];
    call = (day, who, where, latencyMs, extra = {}) => ({
      source: 'gateway',
      endpoint: 'v1',
      userId: users[who].id,
      apiKeyId: null,
      modelId: models[where].id,
      providerId: providers[where].id,
      modelName: models[where].display_name,
      statusCode: 200,
      errorClass: null,
      inputTokens: 100,
      outputTokens: 10,
      costUsd: '0.1',
      latencyMs,
      ttftMs: null,
      occurredAt: new Date(`${day}T12:00:00Z`),
      ...extra,
    });
    const recorder = t.app.get(UsageRecorder);
    const calls: UsageEntry[] = [
      // Outside every range asked below.
      call('2025-10-31', 0, 0, 40),
      call('2026-01-01', 0, 0, 40),
      // November: user 0 on provider 0, eighteen quick calls and two slow ones (p95 in the slow tail).
      ...Array.from({ length: 18 }, () => call('2025-11-10', 0, 0, 40)),
      call('2025-11-20', 0, 0, 3000),
      call('2025-11-20', 0, 0, 4000),
      // User 1 on provider 1: a failure, and a client that hung up (not an error of the model).
      call('2025-11-20', 1, 1, 200, { statusCode: 502, errorClass: 'upstream_error', outputTokens: 0, costUsd: '0' }),
      call('2025-11-20', 1, 1, 200, { statusCode: 499, errorClass: 'client_closed', outputTokens: 0, costUsd: '0' }),
      // December: one call each, costs that do not add up in binary floating point.
      call('2025-12-05', 0, 0, 80, { costUsd: '0.2' }),
      call('2025-12-05', 1, 1, 80, { costUsd: '0.000000000001' }),
    ];
    for (const entry of calls) recorder.record(entry);
    await recorder.flush();
  });
  afterAll(async () => {
    await t.close();
  });

  const report = async (query: string) => {
    const res = await t.req('get', `/api/v1/usage?${query}`);
    expect(res.status).toBe(200);
    return res.body as { group_by: string; interval: string; from: string; to: string; series: Figures[]; totals: Figures[] };
  };

  it('groups by provider per month, within from and to', async () => {
    const body = await report('group_by=provider&interval=month&from=2025-11-01&to=2025-12-31');
    expect(body).toMatchObject({ group_by: 'provider', interval: 'month', from: '2025-11-01', to: '2025-12-31' });
    const point = (period: string, provider: number) => body.series.find((p) => p.period === period && p.key === providers[provider].id);
    expect(point('2025-11-01', 0)).toMatchObject({ label: providers[0].name, requests: 20, errors: 0, input_tokens: 2000, cost_usd: '2' });
    expect(point('2025-12-01', 0)).toMatchObject({ requests: 1, cost_usd: '0.2' });
    expect(point('2025-11-01', 1)).toMatchObject({ label: providers[1].name, requests: 2, errors: 1, output_tokens: 0, cost_usd: '0' });
    expect(body.series.map((p) => p.period).sort()).toEqual(['2025-11-01', '2025-11-01', '2025-12-01', '2025-12-01']);
    // Totals: largest cost first, summed exactly.
    expect(body.totals.map((r) => [r.key, r.requests, r.cost_usd])).toEqual([
      [providers[0].id, 21, '2.2'],
      [providers[1].id, 3, '0.000000000001'],
    ]);
  });

  it('groups by user per day, with the day’s errors (a hung-up client is not one)', async () => {
    const body = await report('group_by=user&interval=day&from=2025-11-01&to=2025-12-31');
    const days = (user: number) =>
      body.series.filter((p) => p.key === users[user].id).map((p) => [p.period, p.requests, p.errors, p.label]);
    expect(days(0)).toEqual([
      ['2025-11-10', 18, 0, users[0].email],
      ['2025-11-20', 2, 0, users[0].email],
      ['2025-12-05', 1, 0, users[0].email],
    ]);
    expect(days(1)).toEqual([
      ['2025-11-20', 2, 1, users[1].email],
      ['2025-12-05', 1, 0, users[1].email],
    ]);
  });

  it('counts only the days from..to, both inclusive', async () => {
    const day = await report('group_by=user&from=2025-11-20&to=2025-11-20');
    expect(day.series.every((p) => p.period === '2025-11-20')).toBe(true);
    expect(day.totals.map((r) => r.requests).sort()).toEqual([2, 2]);
    const edges = await report('group_by=provider&interval=month&from=2025-10-31&to=2026-01-01');
    expect(edges.series.map((p) => p.period)).toEqual(expect.arrayContaining(['2025-10-01', '2026-01-01']));
    expect(edges.totals.find((r) => r.key === providers[0].id)!.requests).toBe(23);
  });

  it('estimates p50 and p95 latency from the histogram: the median among the quick calls, p95 in the slow tail', async () => {
    const body = await report('group_by=user&from=2025-11-01&to=2025-11-30');
    const mine = body.totals.find((r) => r.key === users[0].id)!;
    expect(mine.latency_p50_ms).toBeGreaterThan(25);
    expect(mine.latency_p50_ms).toBeLessThanOrEqual(50);
    expect(mine.latency_p95_ms).toBeGreaterThanOrEqual(2500);
    expect(mine.latency_p95_ms).toBeLessThanOrEqual(5000);
    expect(mine.latency_avg_ms).toBe(Math.round((18 * 40 + 3000 + 4000) / 20));
    const other = body.totals.find((r) => r.key === users[1].id)!;
    // Both of its calls took 200 ms: the percentiles stay within what was measured, not the bucket (100, 250].
    expect(other.latency_p50_ms).toBe(200);
    expect(other.latency_p95_ms).toBe(200);
  });

  it('keeps the percentiles within the fastest and slowest call, across days and with rows from before that was kept', async () => {
    // December holds one 80 ms call per user: interpolating in (50, 100] alone would say 75 and 98.
    const december = await report('group_by=user&from=2025-12-01&to=2025-12-31');
    for (const row of december.totals) expect([row.latency_p50_ms, row.latency_p95_ms, row.latency_avg_ms]).toEqual([80, 80, 80]);
    // November and December together for user 0: p50 among the 40 ms calls, p95 at most the slowest (4,000 ms).
    const both = (await report('group_by=user&from=2025-11-01&to=2025-12-31')).totals.find((r) => r.key === users[0].id)!;
    expect(both.latency_p50_ms).toBe(40);
    expect(both.latency_p95_ms).toBeGreaterThanOrEqual(2500);
    expect(both.latency_p95_ms).toBeLessThanOrEqual(4000);
    // A rollup row written before the range was kept has none, and takes none on later calls: interpolated as before.
    const db = await ownerClient(t.databaseUrl);
    try {
      await db.query(`UPDATE usage_daily SET latency_ms_min = NULL, latency_ms_max = NULL WHERE day = '2025-12-05' AND user_id = $1`, [
        users[1].id,
      ]);
    } finally {
      await db.end();
    }
    const recorder = t.app.get(UsageRecorder);
    recorder.record(call('2025-12-05', 1, 1, 90));
    await recorder.flush();
    const older = (await report('group_by=user&from=2025-12-01&to=2025-12-31')).totals.find((r) => r.key === users[1].id)!;
    expect(older.requests).toBe(2);
    expect(older.latency_p50_ms).toBe(75);
    expect(older.latency_p95_ms).toBe(98);
  });

  it('refuses from after to, a range over 366 days and an unknown grouping with 422', async () => {
    for (const query of ['from=2025-12-01&to=2025-11-01', 'from=2024-01-01&to=2025-12-31', 'group_by=team', 'interval=week']) {
      const res = await t.req('get', `/api/v1/usage?${query}`);
      expect([query, res.status]).toEqual([query, 422]);
    }
  });

  it('is for admins and auditors only', async () => {
    expect((await t.req('get', '/api/v1/usage', users[0].token)).status).toBe(403);
    const auditor = await t.userWithRole('auditor');
    expect((await t.req('get', '/api/v1/usage', auditor.token)).status).toBe(200);
  });
});
