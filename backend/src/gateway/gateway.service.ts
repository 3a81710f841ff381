import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../common/actor.js';
import { DomainError } from '../common/domain-error.js';
import { RequestBudget } from '../common/request-budget.js';
import { assertKeyMayCall, routeModel } from '../models/model-routing.js';
import type { ModelType } from '../providers/provider-kinds.js';
import { RegistryCache } from '../registry/registry-cache.js';
import { SettingsService } from '../settings/settings.service.js';
import { isRelayable } from '../upstream/relay.js';
import { UpstreamClient } from '../upstream/upstream.client.js';
import type { ChatStreamEvent, TokenUsage, ToolCall } from '../upstream/upstream.types.js';
import { GatewayRelay } from './gateway-relay.js';
import { GatewayUsage, type GatewayCall, type GatewayRoute } from './gateway-usage.js';
import { type ChatCompletionInput, type EmbeddingsInput, parseChatCompletion, parseEmbeddings, toBase64Floats } from './openai-requests.js';
import { reachesProvider, translatedTools } from './provider-reach.js';

export type { GatewayCall, GatewayRoute } from './gateway-usage.js';

/**
 * The OpenAI-compatible API over the registry: a model is named by its display name, routed
 * through its lifecycle (deprecation headers, sunset → successor or 410), called through the
 * upstream client (limits, retries, breaker) and its usage recorded off the request path.
 */
@Injectable()
export class GatewayService {
  private readonly budget = new RequestBudget('gateway', (points) => `This key may make ${points} requests per minute`);

  constructor(
    private readonly cache: RegistryCache,
    private readonly upstream: UpstreamClient,
    private readonly relay: GatewayRelay,
    private readonly usage: GatewayUsage,
    private readonly settings: SettingsService,
  ) {}

  /** Parses, admits and routes a chat completion request; a refusal is recorded before it is thrown. */
  acceptChat(call: GatewayCall, body: unknown): Promise<{ input: ChatCompletionInput; route: GatewayRoute }> {
    return this.accept(call, body, parseChatCompletion, ['generation', 'ner'], reachesProvider);
  }

  /** Parses, admits and routes an embeddings request; a refusal is recorded before it is thrown. */
  acceptEmbeddings(call: GatewayCall, body: unknown): Promise<{ input: EmbeddingsInput; route: GatewayRoute }> {
    return this.accept(call, body, parseEmbeddings, ['embedding']);
  }

  // Refusals (invalid body, unknown or wrong-type model, sunset without successor, key over budget)
  // are calls too: the usage report counts them against the key, with no model to charge.
  private async accept<T extends { model: string }>(
    call: GatewayCall,
    body: unknown,
    parse: (body: unknown) => T,
    kinds: ModelType[],
    fits?: (input: T, route: GatewayRoute) => void,
  ): Promise<{ input: T; route: GatewayRoute }> {
    const started = performance.now();
    try {
      const input = parse(body);
      await this.admit(call.actor);
      const route = await this.route(input.model, kinds, call.actor);
      fits?.(input, route);
      return { input, route };
    } catch (error) {
      this.usage.refused(call, (body as { model?: unknown } | null)?.model, started, error);
      throw error;
    }
  }

  private async route(name: string, kinds: ModelType[], actor: Actor): Promise<GatewayRoute> {
    const snapshot = await this.cache.get();
    const model = snapshot.modelsByLowerName.get(name.toLowerCase());
    if (!model)
      throw new DomainError('not_found', 'model_not_found', `The model ${name} does not exist; GET /v1/models lists the ones you can use`, {
        errors: [{ field: 'model', message: 'unknown model' }],
      });
    assertKeyMayCall(actor, model);
    if (!kinds.includes(model.type)) {
      throw new DomainError('bad_request', 'model_wrong_type', `${model.displayName} is a ${model.type} model`, {
        errors: [{ field: 'model', message: `not a ${kinds.join(' or ')} model` }],
      });
    }
    const routed = routeModel(snapshot, model);
    return { ...routed, kind: snapshot.providers.get(routed.model.providerId)!.kind };
  }

  /** Per-key request budget from the `gateway.requests_per_minute_per_key` setting (0: none). */
  private async admit(actor: Actor): Promise<void> {
    await this.budget.take(actor.id ?? 'anonymous', (await this.settings.snapshot()).value('gateway.requests_per_minute_per_key'));
  }

  /** A chat.completion as JSON text (passed through from upstreams that speak OpenAI's format). */
  async complete(call: GatewayCall, route: GatewayRoute, input: ChatCompletionInput): Promise<string> {
    const started = performance.now();
    try {
      if (isRelayable(route.kind)) return await this.relay.complete(call, route, input, started);
      const result = await this.upstream.chat(route.model, { ...this.options(input, route), signal: call.signal });
      this.usage.answered(call, route, started, result.usage, null);
      return JSON.stringify({
        id: `chatcmpl-${randomUUID()}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: route.model.displayName,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: result.toolCalls && !result.text ? null : result.text,
              ...(result.toolCalls && { tool_calls: result.toolCalls.map(openAiToolCall) }),
              refusal: null,
            },
            logprobs: null,
            finish_reason: finishReason(result.finishReason),
          },
        ],
        usage: usageOf(result.usage),
      });
    } catch (error) {
      this.usage.failed(call, route, started, error);
      throw error;
    }
  }

  /**
   * Chat completion chunks in OpenAI's streaming format, serialised, in batches that arrived
   * together (passed-through streams) or one by one (translated ones); `[DONE]` is the caller's to write.
   */
  stream(call: GatewayCall, route: GatewayRoute, input: ChatCompletionInput): AsyncIterable<string[]> {
    return isRelayable(route.kind) ? this.relay.stream(call, route, input) : this.translatedStream(call, route, input);
  }

  private async *translatedStream(call: GatewayCall, route: GatewayRoute, input: ChatCompletionInput): AsyncIterable<string[]> {
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const model = route.model.displayName;
    const chunk = (delta: object, finish: string | null) => ({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    });
    const started = performance.now();
    let ttft: number | null = null;
    let usage: TokenUsage = { inputTokens: 0, outputTokens: 0 };
    try {
      let first = true;
      for await (const event of this.upstream.chatStream(route.model, {
        ...this.options(input, route),
        signal: call.signal,
      }) as AsyncIterable<ChatStreamEvent>) {
        if (event.type === 'done') {
          usage = event.usage;
          yield [JSON.stringify(chunk({}, finishReason(event.finishReason)))];
          break;
        }
        ttft ??= performance.now() - started;
        const delta = event.type === 'delta' ? { content: event.text } : { tool_calls: [toolCallDelta(event)] };
        yield [JSON.stringify(chunk(first ? { role: 'assistant', ...delta } : delta, null))];
        first = false;
      }
      if (input.includeUsage)
        yield [JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: usageOf(usage) })];
      this.usage.answered(call, route, started, usage, ttft);
    } catch (error) {
      this.usage.failed(call, route, started, error, ttft);
      throw error;
    }
  }

  async embeddings(call: GatewayCall, route: GatewayRoute, input: EmbeddingsInput) {
    const started = performance.now();
    try {
      const result = await this.upstream.embed(route.model, input.inputs, { signal: call.signal, dimensions: input.dimensions });
      const usage = { inputTokens: result.usage.inputTokens, outputTokens: 0 };
      this.usage.answered(call, route, started, usage, null);
      return {
        object: 'list',
        data: result.embeddings.map((vector, index) => ({
          object: 'embedding',
          index,
          embedding: input.encoding === 'base64' ? toBase64Floats(vector) : vector,
        })),
        model: route.model.displayName,
        usage: { prompt_tokens: usage.inputTokens, total_tokens: usage.inputTokens },
      };
    } catch (error) {
      this.usage.failed(call, route, started, error);
      throw error;
    }
  }

  /** The models the caller may call: active or deprecated, on an active provider, within an API key's models. */
  async models(actor: Actor) {
    const snapshot = await this.cache.get();
    const data = snapshot.modelsByName
      .filter(
        (m) =>
          m.status !== 'inactive' && snapshot.providers.get(m.providerId)?.status === 'active' && (!actor.models || actor.models.has(m.id)),
      )
      .map((m) => {
        const params = m.params as { context_window?: number; max_output_tokens?: number; dimensions?: number };
        return {
          id: m.displayName,
          object: 'model',
          created: Math.floor(m.createdAt.getTime() / 1000),
          owned_by: snapshot.providers.get(m.providerId)!.name,
          type: m.type,
          context_window: params.context_window ?? null,
          max_output_tokens: params.max_output_tokens ?? null,
          dimensions: params.dimensions ?? null,
          // What the registry says the model can do (tools, vision, …), for clients choosing one.
          capabilities: m.capabilities ?? [],
          pricing: snapshot.responses.get(m.id)?.pricing ?? null,
          deprecated: m.status === 'deprecated',
          sunset_at: m.sunsetAt?.toISOString() ?? null,
          successor: m.successorId ? (snapshot.models.get(m.successorId)?.displayName ?? null) : null,
        };
      });
    return { object: 'list', data };
  }

  private options(input: ChatCompletionInput, route: GatewayRoute) {
    return {
      messages: input.messages,
      maxOutputTokens: input.maxOutputTokens,
      temperature: input.temperature,
      topP: input.topP,
      stop: input.stop,
      responseFormat: input.responseFormat,
      seed: input.seed,
      frequencyPenalty: input.frequencyPenalty,
      presencePenalty: input.presencePenalty,
      ...translatedTools(input, route.kind),
    };
  }
}

const openAiToolCall = (c: ToolCall) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } });

/** A piece of a streamed call in OpenAI's chunk shape: its id, type and name come with the first piece only. */
function toolCallDelta(piece: Extract<ChatStreamEvent, { type: 'tool-call' }>) {
  return piece.id === undefined
    ? { index: piece.index, function: { arguments: piece.arguments } }
    : { index: piece.index, id: piece.id, type: 'function', function: { name: piece.name, arguments: piece.arguments } };
}

const usageOf = (u: TokenUsage) => ({
  prompt_tokens: u.inputTokens,
  completion_tokens: u.outputTokens,
  total_tokens: u.inputTokens + u.outputTokens,
});

function finishReason(reason: string): string {
  if (reason === 'tool-calls') return 'tool_calls';
  return ['stop', 'length', 'content_filter', 'tool_calls'].includes(reason) ? reason : reason === 'max_tokens' ? 'length' : 'stop';
}
