import { ANTHROPIC_DEFAULT_KEY, AnthropicFake } from './anthropic.fake.js';
import { AZURE_DEFAULT_KEY, AzureOpenAiFake } from './azure.fake.js';
import { COHERE_DEFAULT_KEY, CohereFake } from './cohere.fake.js';
import type { FakeServer } from './fake-server.js';
import { GEMINI_DEFAULT_KEY, GeminiFake } from './gemini.fake.js';
import { OllamaFake } from './ollama.fake.js';
import { OPENAI_DEFAULT_KEY, OpenAiFake } from './openai.fake.js';

export { AnthropicFake, ANTHROPIC_DEFAULT_KEY, ANTHROPIC_DEFAULT_MODELS } from './anthropic.fake.js';
export { AzureOpenAiFake, AZURE_DEFAULT_KEY } from './azure.fake.js';
export { BEHAVIOUR_HEADER, behaviourFromModelName, type FakeBehaviour } from './behaviour.js';
export { CohereFake, COHERE_DEFAULT_KEY, COHERE_DEFAULT_MODELS } from './cohere.fake.js';
export {
  embeddingToBase64,
  estimateTokens,
  fakeAnswer,
  fakeEmbedding,
  fakeReply,
  fakeToolCall,
  promptTokens,
  replyChunks,
} from './content.js';
export { FakeServer, type FakeModel, type FakeServerOptions, type LoggedRequest } from './fake-server.js';
export { GeminiFake, GEMINI_DEFAULT_KEY, GEMINI_DEFAULT_MODELS } from './gemini.fake.js';
export { OllamaFake, OLLAMA_DEFAULT_MODELS, OLLAMA_VERSION } from './ollama.fake.js';
export { OpenAiFake, OPENAI_DEFAULT_KEY, OPENAI_DEFAULT_MODELS } from './openai.fake.js';

export const FAKE_NAMES = ['openai', 'azure', 'anthropic', 'gemini', 'cohere', 'ollama', 'litellm'] as const;
export type FakeName = (typeof FAKE_NAMES)[number];

/** The LiteLLM stand-in: an OpenAI-compatible server answering with and without /v1. */
export const LITELLM_DEFAULT_KEY = 'sk-litellm-master';

/** The keys each fake accepts by default (Ollama has no auth: empty string). */
export const FAKE_DEFAULT_KEYS: Readonly<Record<FakeName, string>> = {
  openai: OPENAI_DEFAULT_KEY,
  azure: AZURE_DEFAULT_KEY,
  anthropic: ANTHROPIC_DEFAULT_KEY,
  gemini: GEMINI_DEFAULT_KEY,
  cohere: COHERE_DEFAULT_KEY,
  ollama: '',
  litellm: LITELLM_DEFAULT_KEY,
};

export interface StartFakesOptions {
  host?: string;
  /** Fixed ports per fake; unlisted fakes take a free port. */
  ports?: Partial<Record<FakeName, number>>;
  /** Passed to every fake (0 keeps no request log, e.g. for benchmarks). */
  maxLoggedRequests?: number;
}

export interface Fakes {
  openai: OpenAiFake;
  azure: AzureOpenAiFake;
  anthropic: AnthropicFake;
  gemini: GeminiFake;
  cohere: CohereFake;
  ollama: OllamaFake;
  litellm: OpenAiFake;
  /** Server roots (no path), e.g. http://127.0.0.1:41234. */
  urls: Record<FakeName, string>;
  keys: Readonly<Record<FakeName, string>>;
  /** Resets every fake's behaviours and request log. */
  reset(): void;
  close(): Promise<void>;
}

/** Starts one fake per provider kind (plus LiteLLM) with default catalogues and keys. */
export async function startFakes(options: StartFakesOptions = {}): Promise<Fakes> {
  const common = (name: FakeName) => ({ host: options.host, port: options.ports?.[name], maxLoggedRequests: options.maxLoggedRequests });
  const servers = {
    openai: new OpenAiFake(common('openai')),
    azure: new AzureOpenAiFake(common('azure')),
    anthropic: new AnthropicFake(common('anthropic')),
    gemini: new GeminiFake(common('gemini')),
    cohere: new CohereFake(common('cohere')),
    ollama: new OllamaFake(common('ollama')),
    litellm: new OpenAiFake({ ...common('litellm'), name: 'litellm', basePaths: ['/v1', ''], apiKeys: [LITELLM_DEFAULT_KEY] }),
  };
  const all: FakeServer[] = Object.values(servers);
  try {
    await Promise.all(all.map((fake) => fake.start()));
  } catch (error) {
    await Promise.all(all.map((fake) => fake.close()));
    throw error;
  }
  const urls = Object.fromEntries(FAKE_NAMES.map((name) => [name, servers[name].url])) as Record<FakeName, string>;
  return {
    ...servers,
    urls,
    keys: FAKE_DEFAULT_KEYS,
    reset: () => all.forEach((fake) => fake.reset()),
    close: async () => {
      await Promise.all(all.map((fake) => fake.close()));
    },
  };
}
