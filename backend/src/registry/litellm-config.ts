import YAML from 'yaml';
import { normaliseDecimal } from '../common/decimal.js';
import type { FieldError } from '../common/domain-error.js';
import type { Model } from '../models/model.entity.js';
import { KIND_SPECS, MODEL_TYPES, PROVIDER_KINDS, type ModelType, type ProviderKind } from '../providers/provider-kinds.js';
import type { Provider } from '../providers/provider.entity.js';

/** One `model_list` entry as Switchboard reads it back (the registry fields it carries). */
export interface LitellmEntry {
  index: number;
  displayName: string;
  modelId: string;
  type: ModelType;
  providerName: string;
  providerKind: ProviderKind;
  apiBase: string | null;
  apiVersion: string | null;
  apiKeyEnv: string | null;
  rpm: number | null;
  tpm: number | null;
  params: Record<string, unknown>;
  pricing: { input_per_million: string; output_per_million: string } | null;
  capabilities: string[];
}

export const envVarFor = (providerName: string) =>
  `${
    providerName
      .toUpperCase()
      .replace(/[^A-Z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '') || 'PROVIDER'
  }_API_KEY`;

const perToken = (perMillion: string | null) => (perMillion === null ? undefined : Number(perMillion) / 1_000_000);
const perMillion = (value: unknown) =>
  typeof value === 'number' && Number.isFinite(value) ? normaliseDecimal((value * 1_000_000).toFixed(6))! : null;

/**
 * A LiteLLM proxy `config.yaml` for the active models. Keys are never written: each provider's
 * key is referenced as `os.environ/<PROVIDER_NAME>_API_KEY`. Switchboard's own fields ride along
 * in `model_info.switchboard`, so an import restores the registry exactly.
 */
export function toLitellmYaml(models: Model[], providers: Map<string, Provider>): string {
  const active = models.filter((m) => m.status === 'active').sort((a, b) => a.displayName.localeCompare(b.displayName, 'en'));
  const modelList = active.map((m) => {
    const p = providers.get(m.providerId)!;
    const spec = KIND_SPECS[p.kind];
    const params: Record<string, unknown> = { model: `${spec.litellm_prefix[m.type]}/${m.modelId}` };
    const apiBase = p.apiBase ?? spec.api_base.default;
    if (apiBase) params.api_base = apiBase;
    if (p.apiVersion) params.api_version = p.apiVersion;
    if (p.apiKeyCiphertext || spec.api_key.requirement === 'required') params.api_key = `os.environ/${envVarFor(p.name)}`;
    if (p.rpm) params.rpm = p.rpm;
    if (p.tpm) params.tpm = p.tpm;
    const info: Record<string, unknown> = { mode: m.type === 'embedding' ? 'embedding' : 'chat' };
    if (perToken(m.inputPricePerMillion) !== undefined) info.input_cost_per_token = perToken(m.inputPricePerMillion);
    if (perToken(m.outputPricePerMillion) !== undefined) info.output_cost_per_token = perToken(m.outputPricePerMillion);
    if (typeof m.params.context_window === 'number') info.max_input_tokens = m.params.context_window;
    if (typeof m.params.max_output_tokens === 'number') info.max_output_tokens = m.params.max_output_tokens;
    if (typeof m.params.dimensions === 'number') info.output_vector_size = m.params.dimensions;
    info.switchboard = {
      provider: p.name,
      provider_kind: p.kind,
      type: m.type,
      params: sortKeys(m.params),
      ...(m.capabilities.length ? { capabilities: [...m.capabilities].sort() } : {}),
    };
    return { model_name: m.displayName, litellm_params: params, model_info: info };
  });
  return YAML.stringify({ model_list: modelList }, { lineWidth: 0 });
}

const PREFIX_KINDS: Record<string, ProviderKind> = {
  openai: 'openai',
  azure: 'azure',
  anthropic: 'anthropic',
  gemini: 'gemini',
  cohere: 'cohere',
  cohere_chat: 'cohere',
  ollama: 'ollama',
  ollama_chat: 'ollama',
  litellm_proxy: 'litellm',
};

/** Reads a LiteLLM config; problems are field errors pointing into the YAML (`model_list[2].…`). */
export function parseLitellmYaml(text: string): { entries: LitellmEntry[]; errors: FieldError[] } {
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (err) {
    return { entries: [], errors: [{ field: 'yaml', message: `not valid YAML: ${(err as Error).message.split('\n')[0]}` }] };
  }
  const list = (doc as { model_list?: unknown })?.model_list;
  if (!Array.isArray(list)) return { entries: [], errors: [{ field: 'model_list', message: 'model_list must be a list' }] };
  const entries: LitellmEntry[] = [];
  const errors: FieldError[] = [];
  list.forEach((raw, index) => {
    const at = `model_list[${index}]`;
    const item = (raw ?? {}) as { model_name?: unknown; litellm_params?: Record<string, unknown>; model_info?: Record<string, unknown> };
    const lp = item.litellm_params ?? {};
    const info = item.model_info ?? {};
    const sb = (info.switchboard ?? {}) as Record<string, unknown>;
    if (typeof item.model_name !== 'string' || !item.model_name.trim())
      return errors.push({ field: `${at}.model_name`, message: 'model_name is required' });
    if (typeof lp.model !== 'string' || !lp.model.includes('/')) {
      return errors.push({ field: `${at}.litellm_params.model`, message: 'litellm_params.model must look like <provider>/<model>' });
    }
    const [prefix, ...rest] = lp.model.split('/');
    const apiBase = typeof lp.api_base === 'string' ? lp.api_base : null;
    let kind = (PROVIDER_KINDS as readonly string[]).includes(String(sb.provider_kind))
      ? (sb.provider_kind as ProviderKind)
      : PREFIX_KINDS[prefix];
    if (!kind)
      return errors.push({ field: `${at}.litellm_params.model`, message: `provider prefix ${prefix} is not one Switchboard registers` });
    if (kind === 'openai' && !sb.provider_kind && apiBase && !apiBase.startsWith('https://api.openai.com')) kind = 'openai_compatible';
    const type = (MODEL_TYPES as readonly string[]).includes(String(sb.type))
      ? (sb.type as ModelType)
      : info.mode === 'embedding'
        ? 'embedding'
        : 'generation';
    const keyRef = typeof lp.api_key === 'string' && lp.api_key.startsWith('os.environ/') ? lp.api_key.slice('os.environ/'.length) : null;
    const providerName =
      typeof sb.provider === 'string' && sb.provider.trim()
        ? sb.provider.trim()
        : keyRef
          ? keyRef.replace(/_API_KEY$/, '').replace(/_/g, ' ')
          : `${KIND_SPECS[kind].label}${apiBase ? ` ${hostOf(apiBase)}` : ''}`;
    const params = sb.params && typeof sb.params === 'object' ? { ...(sb.params as Record<string, unknown>) } : paramsFromInfo(type, info);
    const input = perMillion(info.input_cost_per_token);
    const output = perMillion(info.output_cost_per_token);
    entries.push({
      index,
      displayName: item.model_name.trim(),
      modelId: rest.join('/'),
      type,
      providerName,
      providerKind: kind,
      apiBase: apiBase && apiBase !== KIND_SPECS[kind].api_base.default ? apiBase : null,
      apiVersion: typeof lp.api_version === 'string' ? lp.api_version : null,
      apiKeyEnv: keyRef,
      rpm: typeof lp.rpm === 'number' ? lp.rpm : null,
      tpm: typeof lp.tpm === 'number' ? lp.tpm : null,
      params,
      pricing: input !== null && output !== null ? { input_per_million: input, output_per_million: output } : null,
      capabilities: Array.isArray(sb.capabilities) ? sb.capabilities.map(String) : [],
    });
  });
  return { entries, errors };
}

function paramsFromInfo(type: ModelType, info: Record<string, unknown>): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  if (type === 'embedding') {
    if (typeof info.output_vector_size === 'number') params.dimensions = info.output_vector_size;
    return params;
  }
  if (typeof info.max_input_tokens === 'number') params.context_window = info.max_input_tokens;
  if (typeof info.max_output_tokens === 'number') params.max_output_tokens = info.max_output_tokens;
  return params;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function sortKeys(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).sort(([a], [b]) => a.localeCompare(b)));
}
