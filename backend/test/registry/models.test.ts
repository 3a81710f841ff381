import { aModel, aProvider, fieldsOf } from '../support/registry.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('models', () => {
  let t: TestApp;
  let ollama: Record<string, any>;
  beforeAll(async () => {
    t = await startTestApp({ env: { SEED_REGISTRY: 'false' } });
    ollama = await aProvider(t);
  });
  afterAll(async () => {
    await t.close();
  });

  describe('validation', () => {
    it('refuses an embedding model on Anthropic, naming the rule', async () => {
      const anthropic = await aProvider(t, { kind: 'anthropic', api_key: 'sk-ant-0000' });
      const res = await t
        .req('post', '/api/v1/models')
        .send({ provider_id: anthropic.id, display_name: 'Claude embed', model_id: 'x', type: 'embedding', params: { dimensions: 8 } });
      expect(res.status).toBe(422);
      expect(res.body.errors).toEqual([
        { field: 'type', code: 'unsupported_by_kind', message: 'Anthropic providers serve no embedding models' },
      ]);
    });

    it.each([
      ['generation', { temperature: 2.5 }, ['params.temperature']],
      ['generation', { top_p: -0.1 }, ['params.top_p']],
      ['generation', { top_k: 0 }, ['params.top_k']],
      ['generation', { context_window: 1000, max_output_tokens: 2000 }, ['params.max_output_tokens']],
      ['generation', { dimensions: 8 }, ['params.dimensions']],
      ['embedding', {}, ['params.dimensions']],
      ['embedding', { dimensions: 0 }, ['params.dimensions']],
      ['embedding', { dimensions: 8, distance_metric: 'manhattan' }, ['params.distance_metric']],
      ['embedding', { dimensions: 8, batch_size: 4096 }, ['params.batch_size']],
      ['embedding', { dimensions: 8, temperature: 1 }, ['params.temperature']],
      ['embedding', { dimensions: 8, normalize: 'yes' }, ['params.normalize']],
      ['embedding', { dimensions: 8, normalize: 1 }, ['params.normalize']],
      ['embedding', { dimensions: 8, max_tokens: '8192' }, ['params.max_tokens']],
      ['embedding', { dimensions: 8, max_tokens: 1.5 }, ['params.max_tokens']],
      ['embedding', { dimensions: 8, max_tokens: 0 }, ['params.max_tokens']],
    ])('refuses %s params %j', async (type, params, fields) => {
      const res = await t
        .req('post', '/api/v1/models')
        .send({ provider_id: ollama.id, display_name: `P ${Math.random()}`, model_id: 'm', type, params });
      expect(res.status).toBe(422);
      expect(fieldsOf(res.body)).toEqual(fields);
    });

    it('says which parameters a type takes when given an unknown one', async () => {
      const res = await t
        .req('post', '/api/v1/models')
        .send({ provider_id: ollama.id, display_name: 'Unknown param', model_id: 'm', type: 'generation', params: { warmth: 1 } });
      expect(res.body.errors[0].message).toMatch(/params.warmth is not a generation parameter \(allowed: context_window/);
    });

    it('takes prices as exact decimals and refuses floats with too many places or negatives', async () => {
      const ok = await aModel(t, ollama.id, { type: 'ner', pricing: { input_per_million: '0.15', output_per_million: 0.6 } });
      expect(ok.pricing).toEqual({ input_per_million: '0.15', output_per_million: '0.6', currency: 'USD' });
      const bad = await t.req('post', '/api/v1/models').send({
        provider_id: ollama.id,
        display_name: 'Price',
        model_id: 'm',
        type: 'ner',
        pricing: { input_per_million: -1, output_per_million: '0.1234567' },
      });
      expect(fieldsOf(bad.body)).toEqual(['pricing.input_per_million', 'pricing.output_per_million']);
    });

    it('refuses is_default and other unknown fields on create (mass assignment)', async () => {
      const res = await t
        .req('post', '/api/v1/models')
        .send({ provider_id: ollama.id, display_name: 'Sneaky', model_id: 'm', type: 'ner', is_default: true });
      expect(res.status).toBe(422);
      expect(fieldsOf(res.body)).toEqual(['is_default']);
    });

    it('409s a duplicate display name', async () => {
      const m = await aModel(t, ollama.id, { type: 'ner' });
      const res = await t
        .req('post', '/api/v1/models')
        .send({ provider_id: ollama.id, display_name: m.display_name.toLowerCase(), model_id: 'x', type: 'ner' });
      expect(res.status).toBe(409);
      expect(fieldsOf(res.body)).toEqual(['display_name']);
    });

    it('422s an unknown provider', async () => {
      const res = await t
        .req('post', '/api/v1/models')
        .send({ provider_id: '6b1f0c7e-3a51-4c1e-9a0d-2f4f3b7f8a11', display_name: 'Orphan', model_id: 'x', type: 'ner' });
      expect(fieldsOf(res.body)).toEqual(['provider_id']);
    });
  });

  describe('defaults (invariant 1)', () => {
    it('makes the first active model of a type its default and moves it atomically', async () => {
      const first = await aModel(t, ollama.id, { type: 'generation' });
      const second = await aModel(t, ollama.id, { type: 'generation' });
      expect(first.is_default).toBe(true);
      expect(second.is_default).toBe(false);
      // Becoming the first default is audited like a move, in the creating request's transaction.
      const firstEvents = (await t.req('get', `/api/v1/audit-events?entity_type=model&entity_id=${first.id}`)).body.items;
      expect(firstEvents.map((e: { action: string }) => e.action)).toEqual(['model.default_changed', 'model.created']);
      expect(firstEvents[0].changes).toEqual({ default_generation: { before: null, after: first.id } });
      expect(firstEvents[0].request_id).toBe(firstEvents[1].request_id);
      const secondEvents = (await t.req('get', `/api/v1/audit-events?entity_type=model&entity_id=${second.id}`)).body.items;
      expect(secondEvents.map((e: { action: string }) => e.action)).toEqual(['model.created']);
      const moved = await t.req('put', `/api/v1/models/${second.id}/default`);
      expect(moved.status).toBe(200);
      expect(moved.body.is_default).toBe(true);
      expect((await t.req('get', `/api/v1/models/${first.id}`)).body.is_default).toBe(false);
      const list = await t.req('get', '/api/v1/models?type=generation');
      expect(list.body.defaults.generation).toBe(second.id);
      expect(list.body.items.filter((m: { is_default: boolean }) => m.is_default)).toHaveLength(1);
      const events = await t.req('get', `/api/v1/audit-events?action=model.default_changed&entity_id=${second.id}`);
      expect(events.body.items[0].changes).toEqual({ default_generation: { before: first.id, after: second.id } });
    });

    it('refuses an inactive or deprecated model as default', async () => {
      const inactive = await aModel(t, ollama.id, { type: 'generation', status: 'inactive' });
      const deprecated = await aModel(t, ollama.id, { type: 'generation', status: 'deprecated' });
      for (const m of [inactive, deprecated]) {
        const res = await t.req('put', `/api/v1/models/${m.id}/default`);
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ code: 'model.default_requires_active', detail: expect.stringContaining(m.status) });
        expect((await t.req('get', `/api/v1/models/${m.id}`)).body.is_default).toBe(false);
      }
    });

    it('refuses to delete, deactivate or deprecate the default while another model could take over', async () => {
      const { body: page } = await t.req('get', '/api/v1/models?type=generation');
      const current = page.defaults.generation;
      for (const [method, path, body] of [
        ['delete', `/api/v1/models/${current}`, undefined],
        ['patch', `/api/v1/models/${current}`, { status: 'inactive' }],
        ['patch', `/api/v1/models/${current}`, { status: 'deprecated' }],
        ['post', '/api/v1/models/bulk', { action: 'deactivate', ids: [current] }],
      ] as const) {
        const res = await t.req(method, path).send(body);
        expect(res.status).toBe(400);
        expect(res.body.detail).toMatch(/is the default generation model: set another default first/);
      }
    });

    it('lets the only active model of a type go, leaving no default', async () => {
      const provider = await aProvider(t);
      const solo = await aModel(t, provider.id, { type: 'embedding', params: { dimensions: 4 } });
      expect(solo.is_default).toBe(true);
      expect((await t.req('patch', `/api/v1/models/${solo.id}`).send({ status: 'inactive' })).status).toBe(200);
      expect((await t.req('get', '/api/v1/models?type=embedding')).body.defaults.embedding).toBeNull();
      const back = await t.req('patch', `/api/v1/models/${solo.id}`).send({ status: 'active' });
      expect(back.body.is_default).toBe(true);
    });

    it('hands the default to the successor when the default is deprecated with one', async () => {
      const { body: page } = await t.req('get', '/api/v1/models?type=generation');
      const current = page.defaults.generation;
      const successor = await aModel(t, ollama.id, { type: 'generation' });
      const res = await t
        .req('post', '/api/v1/models/bulk')
        .send({ action: 'deprecate', ids: [current], successor_id: successor.id, sunset_at: '2027-06-30T00:00:00Z' });
      expect(res.status).toBe(200);
      expect(res.body.items[0]).toMatchObject({
        status: 'deprecated',
        is_default: false,
        successor_id: successor.id,
        sunset_at: '2027-06-30T00:00:00.000Z',
      });
      expect((await t.req('get', `/api/v1/models/${successor.id}`)).body.is_default).toBe(true);
    });
  });

  describe('bulk and lifecycle', () => {
    it('applies all or nothing, with a reason per refused model', async () => {
      const provider = await aProvider(t);
      const a = await aModel(t, provider.id, { type: 'ner' });
      const b = await aModel(t, provider.id, { type: 'ner' });
      const { body: page } = await t.req('get', '/api/v1/models?type=ner');
      const def = page.defaults.ner;
      const refused = await t.req('post', '/api/v1/models/bulk').send({ action: 'deactivate', ids: [a.id, def] });
      expect(refused.status).toBe(400);
      expect(refused.body.items).toEqual([{ id: def, reason: expect.stringMatching(/set another default first/) }]);
      expect((await t.req('get', `/api/v1/models/${a.id}`)).body.status).toBe('active');
      const ok = await t.req('post', '/api/v1/models/bulk').send({ action: 'deactivate', ids: [a.id, b.id] });
      expect(ok.body.items.map((m: { status: string }) => m.status)).toEqual(['inactive', 'inactive']);
      const missing = await t
        .req('post', '/api/v1/models/bulk')
        .send({ action: 'activate', ids: [a.id, '6b1f0c7e-3a51-4c1e-9a0d-2f4f3b7f8a11'] });
      expect(missing.status).toBe(404);
      expect((await t.req('get', `/api/v1/models/${a.id}`)).body.status).toBe('inactive');
    });

    it('checks successors: same type, active, not itself', async () => {
      const gen = await aModel(t, ollama.id, { type: 'generation' });
      const emb = await aModel(t, ollama.id, { type: 'embedding', params: { dimensions: 8 } });
      const inactive = await aModel(t, ollama.id, { type: 'generation', status: 'inactive' });
      for (const successor of [emb.id, inactive.id, gen.id]) {
        const res = await t.req('patch', `/api/v1/models/${gen.id}`).send({ successor_id: successor });
        expect(res.status).toBe(422);
        expect(fieldsOf(res.body)).toEqual(['successor_id']);
      }
    });

    it('refuses successor_id and sunset_at on bulk actions other than deprecate', async () => {
      const a = await aModel(t, ollama.id, { type: 'ner' });
      const b = await aModel(t, ollama.id, { type: 'ner' });
      for (const [extra, field] of [
        [{ successor_id: b.id }, 'successor_id'],
        [{ sunset_at: '2027-01-01T00:00:00Z' }, 'sunset_at'],
      ] as const) {
        for (const action of ['activate', 'deactivate']) {
          const res = await t.req('post', '/api/v1/models/bulk').send({ action, ids: [a.id], ...extra });
          expect(res.status).toBe(422);
          expect(res.body.errors).toEqual([{ field, message: 'only used with action deprecate' }]);
        }
      }
      expect((await t.req('get', `/api/v1/models/${a.id}`)).body).toMatchObject({ status: 'active', successor_id: null });
    });

    it('refuses successor links that form a cycle, of any length', async () => {
      const a = await aModel(t, ollama.id, { type: 'ner' });
      const b = await aModel(t, ollama.id, { type: 'ner' });
      const c = await aModel(t, ollama.id, { type: 'ner' });
      expect((await t.req('patch', `/api/v1/models/${a.id}`).send({ successor_id: b.id })).status).toBe(200);
      const back = await t.req('patch', `/api/v1/models/${b.id}`).send({ successor_id: a.id });
      expect(back.status).toBe(422);
      expect(back.body.errors).toEqual([{ field: 'successor_id', message: expect.stringMatching(/already names this model/) }]);
      expect((await t.req('patch', `/api/v1/models/${b.id}`).send({ successor_id: c.id })).status).toBe(200);
      const loop = await t.req('patch', `/api/v1/models/${c.id}`).send({ successor_id: a.id });
      expect(loop.status).toBe(422);
      expect(loop.body.errors).toEqual([{ field: 'successor_id', message: expect.stringMatching(/cannot form a cycle/) }]);
      const bulk = await t.req('post', '/api/v1/models/bulk').send({ action: 'deprecate', ids: [c.id], successor_id: a.id });
      expect(bulk.status).toBe(400);
      expect(bulk.body.items).toEqual([{ id: a.id, reason: expect.stringMatching(/cannot form a cycle/) }]);
      expect((await t.req('get', `/api/v1/models/${c.id}`)).body).toMatchObject({ status: 'active', successor_id: null });
    });

    it('lists dependents and refuses (409) to delete a successor another model points at', async () => {
      const next = await aModel(t, ollama.id, { type: 'generation' });
      const old = await aModel(t, ollama.id, { type: 'generation', successor_id: next.id });
      const deps = await t.req('get', `/api/v1/models/${next.id}/dependents`);
      expect(deps.body).toMatchObject({ successor_of: [{ id: old.id, name: old.display_name }], blocks_delete: true });
      const res = await t.req('delete', `/api/v1/models/${next.id}`);
      expect(res.status).toBe(409);
      expect(res.body.detail).toContain(old.display_name);
      expect(res.body.dependents.successor_of).toHaveLength(1);
    });

    it('audits create, update and delete with before/after of the changed fields', async () => {
      const m = await aModel(t, ollama.id, { type: 'ner' });
      await t.req('patch', `/api/v1/models/${m.id}`).send({ params: { temperature: 0.2 }, description: 'for tagging' });
      expect((await t.req('delete', `/api/v1/models/${m.id}`)).status).toBe(204);
      const events = await t.req('get', `/api/v1/audit-events?entity_type=model&entity_id=${m.id}`);
      expect(events.body.items.map((e: { action: string }) => e.action)).toEqual(['model.deleted', 'model.updated', 'model.created']);
      expect(events.body.items[1].changes).toEqual({
        params: { before: {}, after: { temperature: 0.2 } },
        description: { before: null, after: 'for tagging' },
      });
    });
  });

  describe('listing', () => {
    it('filters by type, provider, status and text, sorts and paginates', async () => {
      const provider = await aProvider(t);
      for (const name of ['Zeta tagger', 'Alpha tagger', 'Mid tagger'])
        await aModel(t, provider.id, { type: 'ner', display_name: name, model_id: `mdl-${name.split(' ')[0].toLowerCase()}` });
      const page = await t.req('get', `/api/v1/models?provider_id=${provider.id}&page_size=2`);
      expect(page.body).toMatchObject({ total: 3, page: 1, page_size: 2 });
      expect(page.body.items.map((m: { display_name: string }) => m.display_name)).toEqual(['Alpha tagger', 'Mid tagger']);
      const desc = await t.req('get', `/api/v1/models?provider_id=${provider.id}&order=desc`);
      expect(desc.body.items[0].display_name).toBe('Zeta tagger');
      const search = await t.req('get', '/api/v1/models?search=MDL-ZETA');
      expect(search.body.items.map((m: { display_name: string }) => m.display_name)).toEqual(['Zeta tagger']);
      const clamped = await t.req('get', '/api/v1/models?page_size=5000');
      expect(clamped.body.page_size).toBe(100);
      expect((await t.req('get', '/api/v1/models?type=video')).status).toBe(422);
    });

    it('answers each model as its own read does, with the defaults, and follows changes to a list it answered before', async () => {
      const provider = await aProvider(t);
      const made = [];
      for (const name of ['Beta ranker', 'Alpha ranker', 'Gamma ranker'])
        made.push(await aModel(t, provider.id, { type: 'ner', display_name: name, model_id: `rr-${name.split(' ')[0].toLowerCase()}` }));
      const list = async (query: string) => {
        const res = await t.req('get', `/api/v1/models?provider_id=${provider.id}&type=ner${query}`);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        return res.body as { items: Record<string, unknown>[]; total: number; defaults: Record<string, string | null> };
      };
      const first = await list('&status=active');
      expect(first.items.map((m) => m.display_name)).toEqual(['Alpha ranker', 'Beta ranker', 'Gamma ranker']);
      for (const m of first.items) expect(m).toEqual((await t.req('get', `/api/v1/models/${m.id}`)).body);
      expect(first.defaults).toEqual((await t.req('get', '/api/v1/models?page_size=1')).body.defaults);
      expect(first.defaults.ner).toEqual(expect.any(String));

      expect((await t.req('patch', `/api/v1/models/${made[2].id}`).send({ display_name: 'Aardvark ranker' })).status).toBe(200);
      expect((await t.req('patch', `/api/v1/models/${made[1].id}`).send({ status: 'inactive' })).status).toBe(200);
      const after = await list('&status=active');
      expect(after.items.map((m) => [m.display_name, m.status])).toEqual([
        ['Aardvark ranker', 'active'],
        ['Beta ranker', 'active'],
      ]);
      expect(after.total).toBe(2);
      expect((await list('&status=inactive&search=ALPHA')).items.map((m) => m.id)).toEqual([made[1].id]);
      expect((await list('&sort=created_at&order=desc')).items.map((m) => m.id)).toEqual([made[2].id, made[1].id, made[0].id]);
    });
  });
});
