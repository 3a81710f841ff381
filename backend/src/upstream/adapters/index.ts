import type { ProviderKind } from '../../providers/provider-kinds.js';
import { AnthropicAdapter } from './anthropic.adapter.js';
import { AzureAdapter } from './azure.adapter.js';
import { CohereAdapter } from './cohere.adapter.js';
import { GeminiAdapter } from './gemini.adapter.js';
import { OllamaAdapter } from './ollama.adapter.js';
import { OpenAiCompatibleAdapter } from './openai-compatible.adapter.js';
import { OpenAiAdapter } from './openai.adapter.js';
import type { UpstreamAdapter } from './upstream-adapter.js';

export type { AdapterContext, UpstreamAdapter } from './upstream-adapter.js';

const compatible = new OpenAiCompatibleAdapter();

const ADAPTERS: Record<ProviderKind, UpstreamAdapter> = {
  openai: new OpenAiAdapter(),
  azure: new AzureAdapter(),
  anthropic: new AnthropicAdapter(),
  gemini: new GeminiAdapter(),
  cohere: new CohereAdapter(),
  ollama: new OllamaAdapter(),
  litellm: compatible,
  openai_compatible: compatible,
};

/** The adapter that speaks a provider kind's API (adapters are stateless). */
export const adapterFor = (kind: ProviderKind): UpstreamAdapter => ADAPTERS[kind];
