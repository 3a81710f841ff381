import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeBehaviour } from './behaviour.js';

/** The vocabulary shared by the fake server core and the provider fakes. */

export type FakeModelType = 'generation' | 'embedding';

export interface FakeModel {
  id: string;
  type: FakeModelType;
  /** Context window (input token limit) in tokens. */
  contextWindow: number;
  /** Generation models: the largest output the model allows. */
  maxOutputTokens?: number;
  /** Embedding models: the vector length. */
  dimensions?: number;
  displayName?: string;
  /** Ollama's `general.architecture`, the prefix of its model_info keys (llama, nomic-bert, …). */
  architecture?: string;
}

export interface FakeServerOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Keys the fake accepts; any other key gets the provider's real auth error. Empty: no auth. */
  apiKeys?: readonly string[];
  models?: readonly FakeModel[];
  /** Most recent requests kept in `requests` (default 1000; 0 keeps none, e.g. for benchmarks). */
  maxLoggedRequests?: number;
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** Parsed JSON, the raw text when it is not JSON, undefined when empty. */
  body: unknown;
  receivedAt: number;
}

export interface FakeCall {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly body: unknown;
  /** The route pattern's capture groups. */
  readonly params: readonly string[];
  readonly behaviour: FakeBehaviour;
  header(name: string): string | undefined;
}

export interface FakeRoute {
  method: 'GET' | 'POST';
  path: RegExp;
  /** Where the route names its model; default: the body's `model` field. */
  modelOf?: (params: readonly string[], body: unknown) => string | undefined;
  handle: (call: FakeCall) => Promise<void> | void;
}

/** What a fake knows about an error it must render in its provider's shape. */
export interface ErrorDetails {
  /** Overrides the provider's default wording for the status. */
  message?: string;
  /** The provider's own error code or reason (e.g. OpenAI `invalid_api_key`, Gemini `API_KEY_INVALID`); null: none. */
  code?: string | null;
  /** Seconds, when the reply carries Retry-After (so the body can mention the wait, as real ones do). */
  retryAfter?: number;
}

export interface ErrorReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}
