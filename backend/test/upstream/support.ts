import { DataSource } from 'typeorm';
import { Model } from '../../src/models/model.entity.js';
import { Provider } from '../../src/providers/provider.entity.js';
import { UpstreamClient } from '../../src/upstream/upstream.client.js';
import { OpenAiFake, type Fakes } from '../fakes/index.js';
import type { FakeServer } from '../fakes/fake-server.js';
import { aModel, aProvider } from '../support/registry.js';
import type { TestApp } from '../support/test-app.js';

export type UpstreamKind = 'openai' | 'azure' | 'anthropic' | 'gemini' | 'cohere' | 'ollama' | 'litellm' | 'openai_compatible';

export interface KindSetup {
  /** The fake the kind talks to. */
  fake: (fakes: Fakes, keyless: OpenAiFake) => FakeServer;
  provider: (fakes: Fakes, keyless: OpenAiFake) => Record<string, unknown>;
  generation: string;
  embedding: { id: string; dimensions: number } | null;
}

/** How each provider kind reaches its fake; openai_compatible uses a keyless vLLM-like server. */
export const KINDS: Record<UpstreamKind, KindSetup> = {
  openai: {
    fake: (f) => f.openai,
    provider: (f) => ({ kind: 'openai', api_base: `${f.urls.openai}/v1`, api_key: f.keys.openai }),
    generation: 'gpt-4o-mini',
    embedding: { id: 'text-embedding-3-small', dimensions: 1536 },
  },
  azure: {
    fake: (f) => f.azure,
    provider: (f) => ({ kind: 'azure', api_base: f.urls.azure, api_version: '2024-10-21', api_key: f.keys.azure }),
    generation: 'gpt-4o-mini',
    embedding: { id: 'text-embedding-3-small', dimensions: 1536 },
  },
  anthropic: {
    fake: (f) => f.anthropic,
    provider: (f) => ({ kind: 'anthropic', api_base: f.urls.anthropic, api_key: f.keys.anthropic }),
    generation: 'claude-haiku-4-5',
    embedding: null,
  },
  gemini: {
    fake: (f) => f.gemini,
    provider: (f) => ({ kind: 'gemini', api_base: `${f.urls.gemini}/v1beta`, api_key: f.keys.gemini }),
    generation: 'gemini-2.0-flash',
    embedding: { id: 'text-embedding-004', dimensions: 768 },
  },
  cohere: {
    fake: (f) => f.cohere,
    provider: (f) => ({ kind: 'cohere', api_base: f.urls.cohere, api_key: f.keys.cohere }),
    generation: 'command-r-08-2024',
    embedding: { id: 'embed-english-v3.0', dimensions: 1024 },
  },
  ollama: {
    fake: (f) => f.ollama,
    provider: (f) => ({ kind: 'ollama', api_base: f.urls.ollama }),
    generation: 'llama3.2',
    embedding: { id: 'nomic-embed-text', dimensions: 768 },
  },
  litellm: {
    fake: (f) => f.litellm,
    provider: (f) => ({ kind: 'litellm', api_base: f.urls.litellm, api_key: f.keys.litellm }),
    generation: 'gpt-4o-mini',
    embedding: { id: 'text-embedding-3-small', dimensions: 1536 },
  },
  openai_compatible: {
    fake: (_f, keyless) => keyless,
    provider: (_f, keyless) => ({ kind: 'openai_compatible', api_base: `${keyless.url}/v1` }),
    generation: 'gpt-4o-mini',
    embedding: { id: 'text-embedding-3-small', dimensions: 1536 },
  },
};

export const ALL_KINDS = Object.keys(KINDS) as UpstreamKind[];

/** A keyless OpenAI-compatible server (vLLM, LM Studio). */
export const startKeylessFake = () => new OpenAiFake({ name: 'vllm', apiKeys: [] }).start();

/** The entity a caller of UpstreamClient holds (from the registry), read fresh from the database. */
export async function modelEntity(t: TestApp, id: string): Promise<Model> {
  return t.app.get(DataSource).getRepository(Model).findOneByOrFail({ id });
}

export async function providerEntity(t: TestApp, id: string): Promise<Provider> {
  return t.app.get(DataSource).getRepository(Provider).findOneByOrFail({ id });
}

/** A provider on a fake and one registered model of the given upstream id and type. */
export async function providerWithModel(
  t: TestApp,
  providerBody: Record<string, unknown>,
  model: { model_id: string; type?: string; params?: Record<string, unknown> },
): Promise<{ provider: Record<string, any>; model: Model }> {
  const provider = await aProvider(t, providerBody);
  const created = await aModel(t, provider.id, model);
  return { provider, model: await modelEntity(t, created.id) };
}

export const client = (t: TestApp) => t.app.get(UpstreamClient);

export async function setSetting(t: TestApp, key: string, value: unknown): Promise<void> {
  const res = await t.req('put', `/api/v1/settings/${key}`).send({ value });
  if (res.status !== 200) throw new Error(`setting ${key}: ${res.status} ${JSON.stringify(res.body)}`);
}

/** Runs a promise that must fail and returns what it threw. */
export async function failureOf(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

/** Collects a stream's events, and the error that ended it if any. */
export async function drain<T>(events: AsyncIterable<T>): Promise<{ events: T[]; error: any }> {
  const seen: T[] = [];
  try {
    for await (const event of events) seen.push(event);
    return { events: seen, error: undefined };
  } catch (error) {
    return { events: seen, error };
  }
}
