import { kindSpec, type ProviderKind } from '../providers/provider-kinds.js';
import { extraHeaders, rootOf } from './adapters/upstream-adapter.js';
import type { UpstreamTarget } from './upstream.types.js';

/** Kinds that already speak OpenAI's chat/embeddings format, so the gateway can pass bytes through. */
const RELAYABLE: ReadonlySet<ProviderKind> = new Set(['openai', 'azure', 'litellm', 'openai_compatible']);

export const isRelayable = (kind: ProviderKind) => RELAYABLE.has(kind);

/** Those kinds by their labels, for messages that name them: "OpenAI, Azure OpenAI, …". */
export const relayableLabels = () => [...RELAYABLE].map((kind) => kindSpec(kind).label).join(', ');

export type RelayOperation = 'chat/completions' | 'embeddings';

export interface RelayRequest {
  url: string;
  headers: Record<string, string>;
}

/** Where an OpenAI-format call goes for this provider, and with which credentials. */
export function relayRequest(target: UpstreamTarget, modelId: string, operation: RelayOperation): RelayRequest {
  const headers: Record<string, string> = {
    ...extraHeaders(target),
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
  };
  if (target.kind === 'azure') {
    if (target.apiKey) headers['api-key'] = target.apiKey;
    const root = rootOf(target.baseUrl, ['/openai/v1', '/openai']);
    const version = encodeURIComponent(target.apiVersion ?? '2024-10-21');
    return { url: `${root}/openai/deployments/${encodeURIComponent(modelId)}/${operation}?api-version=${version}`, headers };
  }
  if (target.apiKey) headers.authorization = `Bearer ${target.apiKey}`;
  if (target.kind === 'openai') {
    if (target.config.organization) headers['openai-organization'] = target.config.organization;
    if (target.config.project) headers['openai-project'] = target.config.project;
  }
  return { url: `${rootOf(target.baseUrl)}/${operation}`, headers };
}
