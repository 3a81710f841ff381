import YAML from 'yaml';
import { aModel, aProvider } from '../support/registry.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('LiteLLM config export and import', () => {
  let source: TestApp;
  let target: TestApp;
  beforeAll(async () => {
    source = await startTestApp({ env: { SEED_REGISTRY: 'false' } });
    target = await startTestApp({ env: { SEED_REGISTRY: 'false' } });
    const openai = await aProvider(source, {
      name: 'OpenAI prod',
      kind: 'openai',
      api_key: 'sk-never-exported-1234',
      limits: { rpm: 500, tpm: 200000 },
    });
    const azure = await aProvider(source, {
      name: 'Azure EU',
      kind: 'azure',
      api_base: 'https://eu.openai.azure.com',
      api_version: '2024-10-21',
      api_key: 'az-key-5678',
    });
    const ollama = await aProvider(source, { name: 'Local Ollama', kind: 'ollama', api_base: 'http://localhost:11434' });
    await aModel(source, openai.id, {
      display_name: 'GPT-4o mini',
      model_id: 'gpt-4o-mini',
      type: 'generation',
      params: { context_window: 128000, max_output_tokens: 16384, temperature: 0.7 },
      pricing: { input_per_million: '0.15', output_per_million: '0.6' },
      capabilities: ['tools', 'streaming'],
    });
    await aModel(source, openai.id, {
      display_name: 'text-embedding-3-small',
      model_id: 'text-embedding-3-small',
      type: 'embedding',
      params: { dimensions: 1536, batch_size: 256 },
      pricing: { input_per_million: '0.02', output_per_million: '0' },
    });
    await aModel(source, azure.id, {
      display_name: 'Azure GPT-4o',
      model_id: 'gpt4o-deployment',
      type: 'generation',
      params: { context_window: 128000 },
    });
    await aModel(source, ollama.id, {
      display_name: 'llama3.2',
      model_id: 'llama3.2',
      type: 'generation',
      params: { context_window: 131072 },
    });
    await aModel(source, ollama.id, { display_name: 'Retired', model_id: 'old', type: 'ner', status: 'inactive' });
  });
  afterAll(async () => {
    await source.close();
    await target.close();
  });

  it('exports active models as a LiteLLM config with keys as environment references', async () => {
    const res = await source.req('get', '/api/v1/export/litellm-config');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/yaml/);
    expect(res.text).not.toContain('sk-never-exported');
    const doc = YAML.parse(res.text);
    expect(doc.model_list.map((m: { model_name: string }) => m.model_name)).toEqual([
      'Azure GPT-4o',
      'GPT-4o mini',
      'llama3.2',
      'text-embedding-3-small',
    ]);
    const gpt = doc.model_list[1];
    expect(gpt.litellm_params).toEqual({
      model: 'openai/gpt-4o-mini',
      api_base: 'https://api.openai.com/v1',
      api_key: 'os.environ/OPENAI_PROD_API_KEY',
      rpm: 500,
      tpm: 200000,
    });
    expect(gpt.model_info).toMatchObject({
      mode: 'chat',
      input_cost_per_token: 1.5e-7,
      output_cost_per_token: 6e-7,
      max_input_tokens: 128000,
      max_output_tokens: 16384,
    });
    expect(doc.model_list[0].litellm_params).toMatchObject({
      model: 'azure/gpt4o-deployment',
      api_version: '2024-10-21',
      api_key: 'os.environ/AZURE_EU_API_KEY',
    });
    expect(doc.model_list[2].litellm_params).toEqual({ model: 'ollama_chat/llama3.2', api_base: 'http://localhost:11434' });
    expect(doc.model_list[3].model_info).toMatchObject({ mode: 'embedding', output_vector_size: 1536 });
  });

  it('round-trips: export → dry run (nothing written) → import into an empty database → export again is identical', async () => {
    const exported = (await source.req('get', '/api/v1/export/litellm-config')).text;
    const plan = await target.req('post', '/api/v1/import/litellm-config?dry_run=true').send({ yaml: exported });
    expect(plan.status).toBe(200);
    expect(plan.body.dry_run).toBe(true);
    expect(plan.body.items.filter((i: { action: string }) => i.action === 'create')).toHaveLength(7);
    expect((await target.req('get', '/api/v1/models')).body.total).toBe(0);
    expect((await target.req('get', '/api/v1/audit-events?action=model.created')).body.items).toHaveLength(0);

    const applied = await target.req('post', '/api/v1/import/litellm-config').send({ yaml: exported });
    expect(applied.body).toMatchObject({ dry_run: false });
    expect(applied.body.warnings.join(' ')).toMatch(/OpenAI prod was created inactive: enter its API key/);
    const again = (await target.req('get', '/api/v1/export/litellm-config')).text;
    expect(again).toBe(exported);

    const reimport = await target.req('post', '/api/v1/import/litellm-config?dry_run=true').send({ yaml: exported });
    expect(reimport.body.items.every((i: { action: string }) => i.action === 'unchanged')).toBe(true);
  });

  it('points errors at the entry that has them and writes nothing', async () => {
    const yaml =
      'model_list:\n  - model_name: ok-model\n    litellm_params:\n      model: ollama_chat/ok\n      api_base: http://h:11434\n  - model_name: bad\n    litellm_params:\n      model: ollama_chat/bad\n      api_base: http://h:11434\n    model_info:\n      switchboard:\n        type: generation\n        params:\n          temperature: 9\n';
    const res = await target.req('post', '/api/v1/import/litellm-config').send({ yaml });
    expect(res.status).toBe(422);
    expect(res.body.errors[0].field).toBe('model_list[1].params.temperature');
    expect((await target.req('get', '/api/v1/models?search=ok-model')).body.total).toBe(0);
    const broken = await target.req('post', '/api/v1/import/litellm-config').send({ yaml: 'model_list: [ {' });
    expect(broken.status).toBe(422);
    expect(broken.body.errors[0].field).toBe('yaml');
  });
});
