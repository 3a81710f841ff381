import type { TestApp } from './test-app.js';

let counter = 0;
const unique = (prefix: string) => `${prefix} ${++counter}-${Math.random().toString(36).slice(2, 7)}`;

/** Small factories over the real API, so tests read as the thing they check. */
export async function aProvider(t: TestApp, overrides: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const kind = (overrides.kind as string) ?? 'ollama';
  const body = { name: unique('Provider'), kind, ...(kind === 'ollama' ? { api_base: 'http://localhost:11434' } : {}), ...overrides };
  const res = await t.req('post', '/api/v1/providers').send(body);
  if (res.status !== 201) throw new Error(`create provider: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function aModel(t: TestApp, providerId: string, overrides: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const type = (overrides.type as string) ?? 'generation';
  const body = {
    provider_id: providerId,
    display_name: unique('Model'),
    model_id: 'some-model',
    type,
    params: type === 'embedding' ? { dimensions: 768 } : {},
    ...overrides,
  };
  const res = await t.req('post', '/api/v1/models').send(body);
  if (res.status !== 201) throw new Error(`create model: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export const fieldsOf = (body: { errors?: { field: string }[] }) => (body.errors ?? []).map((e) => e.field).sort();
