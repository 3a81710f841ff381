import { aModel, aProvider } from '../support/registry.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('registry cache across instances', () => {
  let first: TestApp;
  let second: TestApp;
  beforeAll(async () => {
    first = await startTestApp({ env: { SEED_REGISTRY: 'false' } });
    second = await startTestApp({ database: { name: first.databaseName, url: first.databaseUrl } });
  });
  afterAll(async () => {
    await second.close();
    await first.close();
  });

  const waitFor = async (check: () => Promise<boolean>, ms: number) => {
    const started = Date.now();
    while (Date.now() - started < ms) {
      if (await check()) return Date.now() - started;
      await new Promise((r) => setTimeout(r, 20));
    }
    return -1;
  };

  it('shows a change made on one instance on the other within a second', async () => {
    const provider = await aProvider(first);
    const model = await aModel(first, provider.id, { type: 'ner', display_name: 'Cached name' });
    // Warm the second instance's cache so it has something stale to drop.
    expect((await second.req('get', `/api/v1/models/${model.id}`)).body.display_name).toBe('Cached name');
    await first.req('patch', `/api/v1/models/${model.id}`).send({ display_name: 'Renamed elsewhere' });
    const seenAfter = await waitFor(
      async () => (await second.req('get', `/api/v1/models/${model.id}`)).body.display_name === 'Renamed elsewhere',
      1000,
    );
    expect(seenAfter).toBeGreaterThanOrEqual(0);
    await first.req('delete', `/api/v1/models/${model.id}`);
    const goneAfter = await waitFor(async () => (await second.req('get', `/api/v1/models/${model.id}`)).status === 404, 1000);
    expect(goneAfter).toBeGreaterThanOrEqual(0);
  });

  it('serves its own writes immediately (no waiting for the notification)', async () => {
    const provider = await aProvider(second);
    const model = await aModel(second, provider.id, { type: 'ner' });
    const renamed = await second.req('patch', `/api/v1/models/${model.id}`).send({ display_name: 'Instant' });
    expect(renamed.status).toBe(200);
    expect((await second.req('get', `/api/v1/models/${model.id}`)).body.display_name).toBe('Instant');
  });
});
