import { embedMany, generateText, streamText, type EmbeddingModel, type JSONValue, type LanguageModel, type LanguageModelUsage } from 'ai';
import { kindSpec } from '../../providers/provider-kinds.js';
import type { GuardedFetch } from '../guarded-fetch.js';
import { contextOf, streamCutShort } from '../error-classifier.js';
import { UpstreamError } from '../upstream-error.js';
import { jsonText, sdkPrompt, toolCallOf } from './sdk-prompt.js';
import type {
  ChatRequest,
  ChatResult,
  ChatStreamEvent,
  EmbedRequest,
  EmbedResult,
  ListedModel,
  TokenUsage,
  UpstreamTarget,
} from '../upstream.types.js';

/** What one call needs: the resolved provider and the SSRF-guarded ways to reach it. */
export interface AdapterContext {
  target: UpstreamTarget;
  fetch: typeof globalThis.fetch;
  /** undici's lighter request over the same guarded pool (no redirects followed). */
  request: GuardedFetch['request'];
}

/** One provider kind's wire protocol. Adapters throw raw errors; the caller classifies them. */
export interface UpstreamAdapter {
  /** What the provider calls a model in messages ("deployment" for Azure). */
  readonly modelWord: string;
  /** False where the key cannot list what it may call (Azure deployments): the model stage is skipped. */
  readonly listsCallableModels: boolean;
  chat(ctx: AdapterContext, request: ChatRequest): Promise<ChatResult>;
  /** Deltas, then exactly one `done` with the usage. */
  chatStream(ctx: AdapterContext, request: ChatRequest): AsyncIterable<ChatStreamEvent>;
  embed(ctx: AdapterContext, request: EmbedRequest): Promise<EmbedResult>;
  listModels(ctx: AdapterContext, signal?: AbortSignal): Promise<ListedModel[]>;
  /** Limits the list does not carry (Ollama's /api/show). */
  describeModel?(ctx: AdapterContext, modelId: string, signal?: AbortSignal): Promise<ListedModel | null>;
}

/** Chat, streaming and embeddings through the Vercel AI SDK; each kind supplies its models and listing. */
export abstract class SdkAdapter implements UpstreamAdapter {
  readonly modelWord: string = 'model';
  readonly listsCallableModels: boolean = true;

  protected abstract languageModel(ctx: AdapterContext, modelId: string): LanguageModel;
  /** Null where the kind serves no embeddings. */
  protected abstract embeddingModel(ctx: AdapterContext, modelId: string): EmbeddingModel | null;
  abstract listModels(ctx: AdapterContext, signal?: AbortSignal): Promise<ListedModel[]>;

  async chat(ctx: AdapterContext, request: ChatRequest): Promise<ChatResult> {
    const result = await generateText({ ...this.callOptions(ctx, request) });
    return {
      text: result.text,
      ...(result.toolCalls.length > 0 && { toolCalls: result.toolCalls.map(toolCallOf) }),
      usage: usageOf(result.usage, request),
      finishReason: result.finishReason,
    };
  }

  async *chatStream(ctx: AdapterContext, request: ChatRequest): AsyncIterable<ChatStreamEvent> {
    // Errors arrive as stream parts; the no-op handler keeps the SDK from logging them itself.
    const result = streamText({ ...this.callOptions(ctx, request), onError: () => undefined });
    // Calls by their SDK id, numbered in the order they began (OpenAI's chunks index them so).
    const calls = new Map<string, number>();
    for await (const part of result.fullStream) {
      if (part.type === 'text-delta' && part.text) yield { type: 'delta', text: part.text };
      else if (part.type === 'tool-input-start') {
        calls.set(part.id, calls.size);
        yield { type: 'tool-call', index: calls.get(part.id)!, id: part.id, name: part.toolName, arguments: '' };
      } else if (part.type === 'tool-input-delta' && part.delta) {
        yield { type: 'tool-call', index: calls.get(part.id) ?? 0, arguments: part.delta };
      } else if (part.type === 'tool-call' && !calls.has(part.toolCallId)) {
        // A provider that sends a call whole, with no input streamed before it.
        calls.set(part.toolCallId, calls.size);
        yield { type: 'tool-call', index: calls.get(part.toolCallId)!, ...toolCallOf(part) };
      } else if (part.type === 'error') throw part.error;
      else if (part.type === 'abort') throw abortReason(request.signal);
      else if (part.type === 'finish') {
        // The SDKs finish a stream that simply stops as "interrupted" (or "other") without the
        // provider's own finish reason: that is a cut-short reply, not a complete one.
        if (part.rawFinishReason === undefined && (part.finishReason === 'interrupted' || part.finishReason === 'other')) {
          throw streamCutShort(contextOf(ctx.target, request.model));
        }
        yield { type: 'done', usage: usageOf(part.totalUsage, request), finishReason: part.finishReason };
        return;
      }
    }
    // Some SDKs end the parts without a finish when the provider's last frame never came.
    throw streamCutShort(contextOf(ctx.target, request.model));
  }

  async embed(ctx: AdapterContext, request: EmbedRequest): Promise<EmbedResult> {
    const model = this.embeddingModel(ctx, request.model);
    if (!model) throw new UpstreamError('invalid_request', `${kindSpec(ctx.target.kind).label} serves no embedding models`);
    const result = await embedMany({
      model,
      values: request.inputs,
      dimensions: request.dimensions,
      maxRetries: 0,
      maxParallelCalls: 1,
      abortSignal: request.signal,
    });
    const reported = result.usage.tokens;
    const tokens = Number.isFinite(reported) ? reported : request.inputs.reduce((sum, text) => sum + estimateTokens(text), 0);
    return { embeddings: result.embeddings, usage: { inputTokens: tokens } };
  }

  /** Provider-specific options for a chat call (none by default). */
  protected providerOptions(_request: ChatRequest): Record<string, Record<string, JSONValue>> | undefined {
    return undefined;
  }

  /** The SDK retries nothing: UpstreamClient owns retries, so they are counted and bounded in one place. */
  private callOptions(ctx: AdapterContext, request: ChatRequest) {
    return {
      model: this.languageModel(ctx, request.model),
      ...sdkPrompt(request),
      maxOutputTokens: request.maxOutputTokens,
      temperature: request.temperature,
      topP: request.topP,
      topK: request.topK,
      stopSequences: request.stop,
      seed: request.seed,
      frequencyPenalty: request.frequencyPenalty,
      presencePenalty: request.presencePenalty,
      ...(request.responseFormat && { output: jsonText(request.responseFormat) }),
      providerOptions: this.providerOptions(request),
      maxRetries: 0,
      abortSignal: request.signal,
    };
  }
}

/** Rough token count (four characters a token) where an upstream reports no usage. */
export const estimateTokens = (text: string) => Math.ceil(text.length / 4);

/** The same estimate for a whole prompt. */
export const estimatePromptTokens = (request: ChatRequest) => request.messages.reduce((sum, m) => sum + estimateTokens(m.content), 0);

function usageOf(usage: LanguageModelUsage | undefined, request: ChatRequest): TokenUsage {
  const input = usage?.inputTokens ?? estimatePromptTokens(request);
  return { inputTokens: input, outputTokens: usage?.outputTokens ?? 0 };
}

function abortReason(signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) return signal.reason;
  const error = new Error('The upstream call was aborted');
  error.name = 'AbortError';
  return error;
}

/** Headers every kind sends: the admin's non-secret extras. */
export const extraHeaders = (target: UpstreamTarget): Record<string, string> => ({ ...(target.config.extra_headers ?? {}) });

/** The endpoint without trailing slashes, and without any of the given suffixes the admin may have pasted. */
export function rootOf(baseUrl: string, strip: string[] = []): string {
  let root = baseUrl.replace(/\/+$/, '');
  for (const suffix of strip) if (root.toLowerCase().endsWith(suffix)) root = root.slice(0, -suffix.length);
  return root.replace(/\/+$/, '');
}
