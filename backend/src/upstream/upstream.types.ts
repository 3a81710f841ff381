import type { ModelType, ProviderKind } from '../providers/provider-kinds.js';
import type { ProviderConfig } from '../providers/provider.entity.js';

/** How an upstream failure is classified; the same names appear in API errors and test results. */
export const ERROR_CLASSES = [
  'authentication_error',
  'permission_error',
  'not_found',
  'rate_limited',
  'timeout_error',
  'connection_error',
  'tls_error',
  'invalid_request',
  'invalid_response',
  'dimension_mismatch',
  'upstream_error',
  'circuit_open',
  'blocked_destination',
] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

/** Everything an adapter needs to reach one provider, resolved from the registry (key decrypted). */
export interface UpstreamTarget {
  providerId: string;
  providerName: string;
  kind: ProviderKind;
  /** The effective endpoint (configured, or the kind's default). */
  baseUrl: string;
  apiKey: string | null;
  apiVersion: string | null;
  config: ProviderConfig;
  timeoutMs: number;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  /** The calls an assistant message made. */
  toolCalls?: ToolCall[];
  /** On a tool message: the call whose result the content is. */
  toolCallId?: string;
  /** A user message with images: its text and images in order (`content` holds the text alone). */
  parts?: ChatPart[];
}

/** An image travels as base64 bytes, never as a URL for Switchboard (or an SDK) to fetch. */
export type ChatPart = { type: 'text'; text: string } | { type: 'image'; mediaType: string; data: string };

/** A function call a model asked for; `arguments` is JSON text, as the model wrote it. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** A function the model may call; `parameters` is a JSON Schema of its arguments. */
export interface ToolDefinition {
  name: string;
  description?: string;
  parameters: Record<string, unknown>;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

export interface ChatRequest {
  /** The upstream's model id (for Azure: the deployment). */
  model: string;
  messages: ChatMessage[];
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stop?: string[];
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  /** A reply that is a JSON object: any, or one that matches `schema`. */
  responseFormat?: JsonResponseFormat;
  seed?: number;
  frequencyPenalty?: number;
  presencePenalty?: number;
  /** Aborts the upstream call (client went away, timeout). */
  signal?: AbortSignal;
}

export interface JsonResponseFormat {
  type: 'json';
  schema?: Record<string, unknown>;
  name?: string;
  description?: string;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

export interface ChatResult {
  text: string;
  /** The calls the model made instead of (or besides) answering, when it was offered tools. */
  toolCalls?: ToolCall[];
  usage: TokenUsage;
  finishReason: string;
}

export type ChatStreamEvent =
  | { type: 'delta'; text: string }
  /** Part of the `index`th call: its id and name come with the first part, its arguments' text in pieces. */
  | { type: 'tool-call'; index: number; id?: string; name?: string; arguments: string }
  | { type: 'done'; usage: TokenUsage; finishReason: string };

export interface EmbedRequest {
  model: string;
  inputs: string[];
  /** Requested output dimensions where the provider supports choosing them. */
  dimensions?: number;
  signal?: AbortSignal;
}

export interface EmbedResult {
  embeddings: number[][];
  usage: { inputTokens: number };
}

/** A model as an upstream lists it, with whatever it tells about type and limits. */
export interface ListedModel {
  id: string;
  type?: ModelType;
  contextWindow?: number;
  maxOutputTokens?: number;
  dimensions?: number;
}
