import { createDatabase, dropDatabase, ownerClient } from '../support/database.js';
import { aProvider } from '../support/registry.js';
import { startTestApp } from '../support/test-app.js';

const MARKER = 'internal.registry_seeded';

const markerRows = async (url: string) => {
  const owner = await ownerClient(url);
  try {
    return (await owner.query('SELECT key FROM system_settings WHERE key = $1', [MARKER])).rows;
  } finally {
    await owner.end();
  }
};

describe('registry seed', () => {
  it('gives a fresh database Local Ollama with default llama3.2 and nomic-embed-text (768 dims), and seeds only once', async () => {
    const database = await createDatabase();
    try {
      const first = await startTestApp({ database, env: { SEED_REGISTRY: 'true' } });
      try {
        const providers = (await first.req('get', '/api/v1/providers')).body;
        expect(providers).toEqual([
          expect.objectContaining({ name: 'Local Ollama', kind: 'ollama', api_base: 'http://localhost:11434', has_api_key: false }),
        ]);
        const { body: page } = await first.req('get', '/api/v1/models');
        const byName = Object.fromEntries(page.items.map((m: { display_name: string }) => [m.display_name, m]));
        expect(Object.keys(byName).sort()).toEqual(['llama3.2', 'nomic-embed-text']);
        expect(byName['llama3.2']).toMatchObject({ type: 'generation', model_id: 'llama3.2', status: 'active', is_default: true });
        expect(byName['nomic-embed-text']).toMatchObject({
          type: 'embedding',
          status: 'active',
          is_default: true,
          params: expect.objectContaining({ dimensions: 768 }),
        });
        expect(page.defaults).toMatchObject({ generation: byName['llama3.2'].id, embedding: byName['nomic-embed-text'].id });
        const elected = (await first.req('get', '/api/v1/audit-events?action=model.default_changed')).body.items;
        expect(elected.map((e: { entity_id: string }) => e.entity_id).sort()).toEqual(
          [byName['llama3.2'].id, byName['nomic-embed-text'].id].sort(),
        );
        // The admin removes the sample; a restart must not bring it back.
        expect((await first.req('delete', `/api/v1/providers/${providers[0].id}?cascade=models`)).status).toBe(204);
      } finally {
        await first.close();
      }
      const second = await startTestApp({ database, env: { SEED_REGISTRY: 'true' } });
      try {
        expect((await second.req('get', '/api/v1/providers')).body).toEqual([]);
        expect((await second.req('get', '/api/v1/models')).body.total).toBe(0);
      } finally {
        await second.close();
      }
    } finally {
      await dropDatabase(database.name);
    }
  }, 60_000);

  it('commits its marker with the provider and models: a seed that fails part-way runs again on the next start', async () => {
    const database = await createDatabase();
    try {
      await (await startTestApp({ database, env: { SEED_REGISTRY: 'false' } })).close();
      // Make the seed's second model fail, after the provider and the first model were written.
      const owner = await ownerClient(database.url);
      await owner.query(`CREATE FUNCTION refuse_seed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.model_id = 'nomic-embed-text' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$`);
      await owner.query(`CREATE TRIGGER refuse_seed BEFORE INSERT ON models FOR EACH ROW EXECUTE FUNCTION refuse_seed()`);
      try {
        await expect(startTestApp({ database, env: { SEED_REGISTRY: 'true' } })).rejects.toThrow(/refused by the test/);
        expect(await markerRows(database.url)).toEqual([]);
        expect((await owner.query('SELECT count(*)::int AS n FROM providers')).rows[0].n).toBe(0);
      } finally {
        await owner.query('DROP TRIGGER refuse_seed ON models');
        await owner.end();
      }
      const retried = await startTestApp({ database, env: { SEED_REGISTRY: 'true' } });
      try {
        expect((await retried.req('get', '/api/v1/models')).body.total).toBe(2);
        expect(await markerRows(database.url)).toHaveLength(1);
      } finally {
        await retried.close();
      }
    } finally {
      await dropDatabase(database.name);
    }
  }, 60_000);

  it('leaves an admin’s own "Local Ollama" provider alone instead of failing the start', async () => {
    const database = await createDatabase();
    try {
      const setup = await startTestApp({ database, env: { SEED_REGISTRY: 'false' } });
      const mine = await aProvider(setup, { name: 'Local Ollama' });
      await setup.close();
      const started = await startTestApp({ database, env: { SEED_REGISTRY: 'true' } });
      try {
        expect((await started.req('get', '/api/v1/providers')).body).toEqual([expect.objectContaining({ id: mine.id })]);
        expect((await started.req('get', '/api/v1/models')).body.total).toBe(0);
      } finally {
        await started.close();
      }
    } finally {
      await dropDatabase(database.name);
    }
  }, 60_000);
});
