import type {
  ApiKeyResponse,
  AuditEventResponse,
  DiscoveredModelDto,
  DiscoveryResponse,
  KindSpecResponse,
  ModelPage,
  ModelResponse,
  ProviderResponse,
  SettingResponse,
  TestResultDto,
} from '../app/api/models';

// Registry test data shaped by the generated DTOs: a contract change breaks the tests that use it.

const ALL_TYPES: KindSpecResponse['model_types'] = ['generation', 'embedding', 'ner'];
const OPENAI_STYLE_CONFIG: KindSpecResponse['config_fields'] = ['timeout_ms', 'extra_headers'];

/** Kind specs as `GET /providers/kinds` answers them (the kinds the tests use). */
export const KIND_SPECS: KindSpecResponse[] = [
  {
    kind: 'openai',
    label: 'OpenAI',
    api_base: { requirement: 'optional', default: 'https://api.openai.com/v1', placeholder: 'https://api.openai.com/v1' },
    api_key: { requirement: 'required' },
    api_version: { requirement: 'unused', default: null },
    model_types: ['generation', 'embedding', 'ner'],
    config_fields: ['timeout_ms', 'organization', 'project', 'extra_headers'],
    litellm_prefix: { generation: 'openai', embedding: 'openai', ner: 'openai' },
    docs_url: 'https://platform.openai.com/docs/api-reference',
  },
  {
    kind: 'azure',
    label: 'Azure OpenAI',
    api_base: { requirement: 'required', default: null, placeholder: 'https://my-resource.openai.azure.com' },
    api_key: { requirement: 'required' },
    api_version: { requirement: 'required', default: '2024-10-21' },
    model_types: ALL_TYPES,
    config_fields: OPENAI_STYLE_CONFIG,
    litellm_prefix: { generation: 'azure', embedding: 'azure', ner: 'azure' },
    docs_url: 'https://learn.microsoft.com/azure/ai-services/openai/reference',
  },
  {
    kind: 'anthropic',
    label: 'Anthropic',
    api_base: { requirement: 'optional', default: 'https://api.anthropic.com', placeholder: 'https://api.anthropic.com' },
    api_key: { requirement: 'required' },
    api_version: { requirement: 'unused', default: null },
    model_types: ['generation', 'ner'],
    config_fields: ['timeout_ms', 'extra_headers'],
    litellm_prefix: { generation: 'anthropic', embedding: 'anthropic', ner: 'anthropic' },
    docs_url: 'https://docs.anthropic.com/en/api',
  },
  {
    kind: 'ollama',
    label: 'Ollama',
    api_base: { requirement: 'required', default: null, placeholder: 'http://localhost:11434' },
    api_key: { requirement: 'optional' },
    api_version: { requirement: 'unused', default: null },
    model_types: ALL_TYPES,
    config_fields: OPENAI_STYLE_CONFIG,
    litellm_prefix: { generation: 'ollama_chat', embedding: 'ollama', ner: 'ollama_chat' },
    docs_url: 'https://github.com/ollama/ollama/blob/main/docs/api.md',
  },
];

export function kindSpec(kind: KindSpecResponse['kind']): KindSpecResponse {
  return KIND_SPECS.find((spec) => spec.kind === kind)!;
}

export function aProvider(overrides: Partial<ProviderResponse> = {}): ProviderResponse {
  return {
    id: '11111111-1111-4111-8111-111111111111',
    name: 'OpenAI production',
    kind: 'openai',
    api_base: null,
    effective_api_base: 'https://api.openai.com/v1',
    api_version: null,
    has_api_key: true,
    api_key_last4: 'a1b2',
    config: {},
    limits: { max_concurrency: null, rpm: null, tpm: null },
    status: 'active',
    circuit_state: 'closed',
    last_test: null,
    model_count: 0,
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

export function aModel(overrides: Partial<ModelResponse> = {}): ModelResponse {
  return {
    id: '22222222-2222-4222-8222-222222222222',
    provider: { id: '11111111-1111-4111-8111-111111111111', name: 'OpenAI production', kind: 'openai' },
    display_name: 'GPT-4o mini',
    model_id: 'gpt-4o-mini',
    type: 'generation',
    status: 'active',
    is_default: false,
    params: { context_window: 128000, max_output_tokens: 4096, temperature: 0.7 },
    pricing: { input_per_million: '0.15', output_per_million: '0.6', currency: 'USD' },
    capabilities: ['streaming'],
    description: null,
    sunset_at: null,
    deprecated_at: null,
    successor_id: null,
    last_test: null,
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

export function aModelPage(items: ModelResponse[], overrides: Partial<ModelPage> = {}): ModelPage {
  return {
    items,
    page: 1,
    page_size: 20,
    total: items.length,
    defaults: { generation: items.find((m) => m.is_default && m.type === 'generation')?.id ?? null, embedding: null, ner: null },
    ...overrides,
  };
}

export { noDependents } from '../app/shared/dependents';

export function anApiKey(overrides: Partial<ApiKeyResponse> = {}): ApiKeyResponse {
  return {
    id: '33333333-3333-4333-8333-333333333333',
    name: 'billing-service',
    role: 'member',
    prefix: 'sbk_Xy12ab34',
    owner_id: '5f0c6f2e-1b7e-4c39-9a55-0f0b7a1d2c3e',
    created_at: '2026-01-01T00:00:00.000Z',
    expires_at: null,
    last_used_at: null,
    revoked_at: null,
    models: null,
    ...overrides,
  };
}

export function aSetting(overrides: Partial<SettingResponse> = {}): SettingResponse {
  return {
    key: 'upstream.max_retries',
    value: 2 as unknown as object,
    default: 2 as unknown as object,
    type: 'integer',
    description: 'Retries after a failed upstream call',
    is_set: false,
    updated_by: null,
    updated_at: null,
    ...overrides,
  };
}

export function anAuditEvent(overrides: Partial<AuditEventResponse> = {}): AuditEventResponse {
  return {
    seq: '42',
    id: '44444444-4444-4444-8444-444444444444',
    occurred_at: '2026-01-01T00:00:00.000Z',
    actor_type: 'user',
    actor_id: '5f0c6f2e-1b7e-4c39-9a55-0f0b7a1d2c3e',
    actor_email: 'admin@example.com',
    actor_role: 'admin',
    action: 'model.updated',
    outcome: 'success',
    entity_type: 'model',
    entity_id: '22222222-2222-4222-8222-222222222222',
    changes: { status: { before: 'active', after: 'inactive' } },
    request_id: 'req-1',
    ip: '127.0.0.1',
    user_agent: 'test',
    prev_hash: 'a'.repeat(64),
    hash: 'b'.repeat(64),
    ...overrides,
  };
}

/** A connection test as the API reports it: passed, or failed at the auth stage (`ok: false`). */
export function aTestResult(overrides: Partial<TestResultDto> = {}): TestResultDto {
  const ok = overrides.ok ?? true;
  return {
    ok,
    tested_at: new Date().toISOString(),
    latency_ms: 42,
    failed_stage: ok ? null : 'auth',
    error_class: ok ? null : 'authentication_error',
    upstream_status: ok ? null : 401,
    message: ok ? 'OK: localhost lists 2 models' : 'the key was rejected by localhost:11434 (401): check the key',
    model_id: null,
    stages: [
      { stage: 'dns', status: 'ok', latency_ms: 1, detail: 'localhost → 127.0.0.1' },
      { stage: 'connect', status: 'ok', latency_ms: 2, detail: 'TCP to 127.0.0.1:11434' },
      ok
        ? { stage: 'auth', status: 'ok', latency_ms: 30, detail: 'localhost lists 2 models' }
        : { stage: 'auth', status: 'failed', latency_ms: 30, detail: 'the key was rejected by localhost:11434 (401): check the key' },
      { stage: 'model', status: 'skipped', latency_ms: 0, detail: ok ? 'no model given' : 'skipped after auth failed' },
      { stage: 'probe', status: 'skipped', latency_ms: 0, detail: ok ? 'no model to probe' : 'skipped after auth failed' },
    ],
    ...overrides,
  };
}

export function aDiscoveredModel(model_id: string, overrides: Partial<DiscoveredModelDto> = {}): DiscoveredModelDto {
  return { model_id, type: 'generation', params: { context_window: 128000 }, registered: false, registered_as: [], ...overrides };
}

/** What `GET /providers/{id}/discover` answers for the OpenAI fake, with gpt-4o registered already. */
export function aDiscovery(models?: DiscoveredModelDto[]): DiscoveryResponse {
  return {
    provider: { id: '11111111-1111-4111-8111-111111111111', name: 'OpenAI production', kind: 'openai' },
    fetched_at: new Date().toISOString(),
    models: models ?? [
      aDiscoveredModel('gpt-4o', { registered: true, registered_as: [{ id: '22222222-2222-4222-8222-222222222222', name: 'GPT-4o' }] }),
      aDiscoveredModel('gpt-4o-mini', { params: { context_window: 128000, max_output_tokens: 16384 } }),
      aDiscoveredModel('text-embedding-3-small', { type: 'embedding', params: { context_window: 8191, dimensions: 1536 } }),
      aDiscoveredModel('whisper-1', { type: null, params: {} }),
    ],
  };
}
