import { DataSource } from 'typeorm';
import { aModel, aProvider } from '../support/registry.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Reads the committed state of the NER slot over and over while a storm of writes runs. */
async function watchDefaults(dataSource: DataSource, until: Promise<unknown>): Promise<{ samples: number; bad: string[] }> {
  let done = false;
  void until.finally(() => (done = true));
  const bad: string[] = [];
  let samples = 0;
  while (!done) {
    const [row] = await dataSource.query(
      `SELECT count(*) FILTER (WHERE is_default)::int AS defaults, count(*) FILTER (WHERE status = 'active')::int AS active
         FROM models WHERE type = 'ner'`,
    );
    samples++;
    if (row.defaults > 1 || (row.active > 0 && row.defaults === 0)) bad.push(JSON.stringify(row));
  }
  return { samples, bad };
}

describe('one default per type under concurrency', () => {
  let t: TestApp;
  let dataSource: DataSource;
  beforeAll(async () => {
    t = await startTestApp({ env: { SEED_REGISTRY: 'false', DB_POOL_SIZE: '40' } });
    dataSource = t.app.get(DataSource);
  });
  afterAll(async () => {
    await t.close();
  });

  it('200 concurrent PUT /models/{id}/default across 20 models leave exactly one default', async () => {
    const provider = await aProvider(t);
    const models: Record<string, any>[] = [];
    for (let i = 0; i < 20; i++) models.push(await aModel(t, provider.id, { type: 'ner' }));
    const storm = Promise.all(Array.from({ length: 200 }, (_, i) => t.req('put', `/api/v1/models/${models[i % 20].id}/default`)));
    const [responses, watch] = await Promise.all([storm, watchDefaults(dataSource, storm)]);
    expect(responses.map((r) => r.status)).toEqual(Array(200).fill(200));
    expect(watch.bad).toEqual([]);
    expect(watch.samples).toBeGreaterThan(0);
    const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM models WHERE type = 'ner' AND is_default`);
    expect(n).toBe(1);
  });

  it('mixed with concurrent deletes and deactivations: never zero, never two', async () => {
    const provider = await aProvider(t);
    const models: Record<string, any>[] = [];
    for (let i = 0; i < 20; i++) models.push(await aModel(t, provider.id, { type: 'ner' }));
    const all = (await t.req('get', '/api/v1/models?type=ner&page_size=100')).body.items as { id: string }[];
    const requests = Array.from({ length: 200 }, (_, i) => {
      const target = all[(i * 7) % all.length].id;
      if (i % 10 === 3) return t.req('delete', `/api/v1/models/${target}`);
      if (i % 10 === 6) return t.req('patch', `/api/v1/models/${target}`).send({ status: 'inactive' });
      if (i % 10 === 8) return t.req('patch', `/api/v1/models/${target}`).send({ status: 'active' });
      return t.req('put', `/api/v1/models/${target}/default`);
    });
    const storm = Promise.all(requests);
    const [responses, watch] = await Promise.all([storm, watchDefaults(dataSource, storm)]);
    // Each request either succeeded or was refused by a rule; none failed unexpectedly.
    const statuses = new Set(responses.map((r) => r.status));
    for (const s of statuses) expect([200, 204, 400, 404]).toContain(s);
    expect(responses.some((r) => r.status === 204)).toBe(true);
    expect(watch.bad).toEqual([]);
    const [row] = await dataSource.query(
      `SELECT count(*) FILTER (WHERE is_default)::int AS defaults, count(*) FILTER (WHERE status = 'active')::int AS active FROM models WHERE type = 'ner'`,
    );
    expect(row.active > 0 ? row.defaults : 0).toBe(row.active > 0 ? 1 : 0);
    const verify = await t.req('get', '/api/v1/audit-events/verify');
    expect(verify.body.valid).toBe(true);
  }, 60_000);
});
