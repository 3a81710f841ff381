export const PROVIDER_KINDS = ['openai', 'azure', 'anthropic', 'gemini', 'cohere', 'ollama', 'litellm', 'openai_compatible'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

export const MODEL_TYPES = ['generation', 'embedding', 'ner'] as const;
export type ModelType = (typeof MODEL_TYPES)[number];

export type Requirement = 'required' | 'optional' | 'unused';

/** Optional `config` members; which ones a kind accepts is part of its spec. */
export const CONFIG_FIELDS = ['timeout_ms', 'organization', 'project', 'extra_headers'] as const;
export type ConfigField = (typeof CONFIG_FIELDS)[number];

/**
 * What each provider kind needs: the single source the API validates against and the console
 * builds its form from (`GET /providers/kinds`).
 */
export interface KindSpec {
  kind: ProviderKind;
  label: string;
  api_base: { requirement: Requirement; default: string | null; placeholder: string };
  api_key: { requirement: Requirement };
  api_version: { requirement: Requirement; default: string | null };
  model_types: ModelType[];
  config_fields: ConfigField[];
  /** Prefix of `litellm_params.model` in a LiteLLM config, by model type. */
  litellm_prefix: Record<ModelType, string>;
  docs_url: string;
}

const openAiStyle: Pick<KindSpec, 'model_types' | 'config_fields'> = {
  model_types: ['generation', 'embedding', 'ner'],
  config_fields: ['timeout_ms', 'extra_headers'],
};

export const KIND_SPECS: Record<ProviderKind, KindSpec> = {
  openai: {
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
  azure: {
    kind: 'azure',
    label: 'Azure OpenAI',
    api_base: { requirement: 'required', default: null, placeholder: 'https://my-resource.openai.azure.com' },
    api_key: { requirement: 'required' },
    api_version: { requirement: 'required', default: '2024-10-21' },
    ...openAiStyle,
    litellm_prefix: { generation: 'azure', embedding: 'azure', ner: 'azure' },
    docs_url: 'https://learn.microsoft.com/azure/ai-services/openai/reference',
  },
  anthropic: {
    kind: 'anthropic',
    label: 'Anthropic',
    api_base: { requirement: 'optional', default: 'https://api.anthropic.com', placeholder: 'https://api.anthropic.com' },
    api_key: { requirement: 'required' },
    api_version: { requirement: 'unused', default: null },
    // Anthropic serves no embedding models.
    model_types: ['generation', 'ner'],
    config_fields: ['timeout_ms', 'extra_headers'],
    litellm_prefix: { generation: 'anthropic', embedding: 'anthropic', ner: 'anthropic' },
    docs_url: 'https://docs.anthropic.com/en/api',
  },
  gemini: {
    kind: 'gemini',
    label: 'Google Gemini',
    api_base: {
      requirement: 'optional',
      default: 'https://generativelanguage.googleapis.com/v1beta',
      placeholder: 'https://generativelanguage.googleapis.com/v1beta',
    },
    api_key: { requirement: 'required' },
    api_version: { requirement: 'unused', default: null },
    ...openAiStyle,
    litellm_prefix: { generation: 'gemini', embedding: 'gemini', ner: 'gemini' },
    docs_url: 'https://ai.google.dev/api',
  },
  cohere: {
    kind: 'cohere',
    label: 'Cohere',
    api_base: { requirement: 'optional', default: 'https://api.cohere.com', placeholder: 'https://api.cohere.com' },
    api_key: { requirement: 'required' },
    api_version: { requirement: 'unused', default: null },
    ...openAiStyle,
    litellm_prefix: { generation: 'cohere_chat', embedding: 'cohere', ner: 'cohere_chat' },
    docs_url: 'https://docs.cohere.com/reference',
  },
  ollama: {
    kind: 'ollama',
    label: 'Ollama',
    api_base: { requirement: 'required', default: null, placeholder: 'http://localhost:11434' },
    api_key: { requirement: 'optional' },
    api_version: { requirement: 'unused', default: null },
    ...openAiStyle,
    litellm_prefix: { generation: 'ollama_chat', embedding: 'ollama', ner: 'ollama_chat' },
    docs_url: 'https://github.com/ollama/ollama/blob/main/docs/api.md',
  },
  litellm: {
    kind: 'litellm',
    label: 'LiteLLM proxy',
    api_base: { requirement: 'required', default: null, placeholder: 'http://litellm.internal:4000' },
    api_key: { requirement: 'optional' },
    api_version: { requirement: 'unused', default: null },
    ...openAiStyle,
    litellm_prefix: { generation: 'litellm_proxy', embedding: 'litellm_proxy', ner: 'litellm_proxy' },
    docs_url: 'https://docs.litellm.ai/docs/proxy/quick_start',
  },
  openai_compatible: {
    kind: 'openai_compatible',
    label: 'OpenAI-compatible server',
    api_base: { requirement: 'required', default: null, placeholder: 'http://vllm.internal:8000/v1' },
    api_key: { requirement: 'optional' },
    api_version: { requirement: 'unused', default: null },
    ...openAiStyle,
    litellm_prefix: { generation: 'openai', embedding: 'openai', ner: 'openai' },
    docs_url: 'https://platform.openai.com/docs/api-reference',
  },
};

export const kindSpec = (kind: ProviderKind): KindSpec => KIND_SPECS[kind];
