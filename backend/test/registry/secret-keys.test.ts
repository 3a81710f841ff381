import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ProvidersService } from '../../src/providers/providers.service.js';
import { Provider } from '../../src/providers/provider.entity.js';
import { ownerClient } from '../support/database.js';
import { aProvider } from '../support/registry.js';
import { startTestApp, TEST_SECRET_KEY, type TestApp } from '../support/test-app.js';

describe('provider keys at rest', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { SEED_REGISTRY: 'false' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('binds a ciphertext to its row: copied onto another provider it does not decrypt', async () => {
    const a = await aProvider(t, { kind: 'openai', api_key: 'sk-row-bound-aaaa' });
    const b = await aProvider(t, { kind: 'openai', api_key: 'sk-row-bound-bbbb' });
    const service = t.app.get(ProvidersService);
    const repo = t.app.get(DataSource).getRepository(Provider);
    expect(service.openKey(await repo.findOneByOrFail({ id: a.id }))).toBe('sk-row-bound-aaaa');
    const owner = await ownerClient(t.databaseUrl);
    await owner.query('UPDATE providers SET api_key_ciphertext = (SELECT api_key_ciphertext FROM providers WHERE id = $1) WHERE id = $2', [
      a.id,
      b.id,
    ]);
    await owner.end();
    const copied = await repo.findOneByOrFail({ id: b.id });
    expect(() => service.openKey(copied)).toThrow(/does not decrypt/);
    await t.req('delete', `/api/v1/providers/${b.id}`);
  });

  it('refuses to start with a key that cannot read the stored ciphertexts, and starts with it as a previous key', async () => {
    const other = randomBytes(32).toString('base64');
    const database = { name: t.databaseName, url: t.databaseUrl };
    await expect(startTestApp({ database, env: { SWITCHBOARD_SECRET_KEY: other } })).rejects.toThrow(
      /provider API keys were encrypted with key id \w+, which this instance does not have .*SWITCHBOARD_SECRET_KEY/,
    );
    const rotated = await startTestApp({
      database,
      env: { SWITCHBOARD_SECRET_KEY: other, SWITCHBOARD_PREVIOUS_SECRET_KEYS: TEST_SECRET_KEY },
    });
    try {
      const list = await rotated.req('get', '/api/v1/providers');
      expect(list.status).toBe(200);
    } finally {
      await rotated.close();
    }
  });
});
