import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import { MetricsService } from '../health/metrics.service.js';
import type { Model } from '../models/model.entity.js';
import { effectiveApiBase } from '../providers/provider-rules.js';
import type { Provider } from '../providers/provider.entity.js';
import { ProvidersService } from '../providers/providers.service.js';
import { RegistryCache } from '../registry/registry-cache.js';
import { SettingsService, type SettingsSnapshot } from '../settings/settings.service.js';
import { adapterFor, type AdapterContext, type UpstreamAdapter } from './adapters/index.js';
import { refusedAnswer } from './adapters/http-json.js';
import { Deadline } from './deadline.js';
import { DestinationGuard } from './destination-guard.js';
import type { GuardedFetch } from './guarded-fetch.js';
import { classifyFailure, contextOf, timedOut, type FailureContext } from './error-classifier.js';
import { relayRequest, type RelayOperation } from './relay.js';
import { StreamAttempt } from './stream-attempt.js';
import type { ProviderPolicy } from './provider-policy.js';
import { isUpstreamError } from './upstream-error.js';
import { UpstreamPolicies } from './upstream-policies.js';
import type { ChatRequest, ChatResult, ChatStreamEvent, EmbedResult, ListedModel, UpstreamTarget } from './upstream.types.js';

export interface RelayOptions {
  signal?: AbortSignal;
  stream?: boolean;
}

export interface RelayResult {
  status: number;
  /** The upstream's body as it arrives (undici BodyReadable). */
  body: AsyncIterable<Buffer> & { text(): Promise<string> };
  /** Frees the concurrency slot of a stream once it is read to its end. */
  release: () => void;
  /** Counts the call's tokens against the provider's tpm budget. */
  record: (tokens: number) => Promise<void>;
}

/** A chat request for a registered model: the model id and its default parameters come from the registry. */
export type ChatInput = Omit<ChatRequest, 'model'>;

export interface EmbedOptions {
  signal?: AbortSignal;
  /** Ask for this many dimensions where the model can choose (OpenAI text-embedding-3, Gemini, Cohere v4). */
  dimensions?: number;
}

const DEFAULT_EMBED_BATCH = 96;

interface Call {
  provider: Provider;
  adapter: UpstreamAdapter;
  ctx: AdapterContext;
  policy: ProviderPolicy;
}

/**
 * The one way the rest of the app calls upstreams. Every call goes through the SSRF guard, the
 * provider's timeout, its rpm/tpm budgets and max_concurrency, retries (429/5xx/network, honouring
 * Retry-After, never after the first streamed byte) and its circuit breaker. Failures are
 * UpstreamErrors (problem+json 502/504/429/503); a caller's own abort is rethrown as its reason.
 */
@Injectable()
export class UpstreamClient {
  private readonly logger = new Logger('Upstream');
  private readonly calls = new WeakMap<Provider, { settings: SettingsSnapshot; guarded: GuardedFetch; call: Call }>();

  constructor(
    private readonly providers: ProvidersService,
    private readonly cache: RegistryCache,
    private readonly settings: SettingsService,
    private readonly guard: DestinationGuard,
    private readonly policies: UpstreamPolicies,
    private readonly metrics: MetricsService,
  ) {}

  /** The provider as calls see it: effective endpoint, decrypted key, timeout. Never returned by an endpoint. */
  async target(provider: Provider): Promise<UpstreamTarget> {
    return this.targetOf(provider, await this.settings.snapshot());
  }

  private targetOf(provider: Provider, settings: SettingsSnapshot): UpstreamTarget {
    return {
      providerId: provider.id,
      providerName: provider.name,
      kind: provider.kind,
      baseUrl: effectiveApiBase(provider.kind, provider.apiBase).replace(/\/+$/, ''),
      apiKey: this.providers.openKey(provider),
      apiVersion: provider.apiVersion,
      config: provider.config ?? {},
      timeoutMs: provider.config?.timeout_ms ?? settings.value('upstream.default_timeout_ms'),
    };
  }

  async chat(model: Model, input: ChatInput): Promise<ChatResult> {
    const call = await this.prepare(model);
    const request = withDefaults(model, input);
    const result = await this.measured(call, 'chat', () =>
      call.policy.run(
        () => this.attempt(call, model.modelId, input.signal, (signal) => call.adapter.chat(call.ctx, { ...request, signal })),
        input.signal,
      ),
    );
    await call.policy.record(result.usage.inputTokens + result.usage.outputTokens);
    return result;
  }

  /**
   * Streams a reply. Opening the stream (up to its first event) is retried like any call; once an
   * event has been yielded, a failure ends the stream with an UpstreamError. The provider's timeout
   * applies to each wait for the next event. Stopping early cancels the upstream request.
   */
  async *chatStream(model: Model, input: ChatInput): AsyncIterable<ChatStreamEvent> {
    const call = await this.prepare(model);
    const request = withDefaults(model, input);
    const context = contextOf(call.ctx.target, model.modelId, call.adapter.modelWord);
    let stream: StreamAttempt | undefined;
    const opened = await this.measured(call, 'chat_stream', () =>
      call.policy.open(async () => {
        stream?.cancel();
        stream = new StreamAttempt(call.ctx.target.timeoutMs, input.signal);
        const events = call.adapter.chatStream(call.ctx, { ...request, signal: stream.signal })[Symbol.asyncIterator]();
        return stream.next(events, (error) => this.failure(context, error, input.signal, stream!));
      }, input.signal),
    ).catch((error: unknown) => {
      stream?.cancel();
      throw error;
    });
    const { value: first, release } = opened;
    const attempt = stream!;
    try {
      for (
        let event = first;
        ;
        event = await attempt.next(attempt.events!, (error) => this.failure(context, error, input.signal, attempt))
      ) {
        yield event;
        if (event.type === 'done') {
          await call.policy.record(event.usage.inputTokens + event.usage.outputTokens);
          return;
        }
      }
    } finally {
      attempt.cancel();
      release();
    }
  }

  /** Embeds in batches of the model's `batch_size`; each batch is one call with its own retries. */
  async embed(model: Model, inputs: string[], options: EmbedOptions = {}): Promise<EmbedResult> {
    const call = await this.prepare(model);
    const batchSize = typeof model.params?.['batch_size'] === 'number' ? model.params['batch_size'] : DEFAULT_EMBED_BATCH;
    const embeddings: number[][] = [];
    let inputTokens = 0;
    for (let start = 0; start < inputs.length; start += batchSize) {
      const batch = inputs.slice(start, start + batchSize);
      const result = await this.measured(call, 'embed', () =>
        call.policy.run(
          () =>
            this.attempt(call, model.modelId, options.signal, (signal) =>
              call.adapter.embed(call.ctx, { model: model.modelId, inputs: batch, dimensions: options.dimensions, signal }),
            ),
          options.signal,
        ),
      );
      embeddings.push(...result.embeddings);
      inputTokens += result.usage.inputTokens;
      await call.policy.record(result.usage.inputTokens);
    }
    return { embeddings, usage: { inputTokens } };
  }

  /** What the provider serves (one guarded call with the provider's timeout; no retries). */
  async listModels(provider: Provider, signal?: AbortSignal): Promise<ListedModel[]> {
    const call = await this.prepareProvider(provider);
    return this.attempt(call, undefined, signal, (s) => call.adapter.listModels(call.ctx, s));
  }

  /** Limits the list leaves out (Ollama's /api/show); null where the kind has no such call. */
  async describeModel(provider: Provider, modelId: string, signal?: AbortSignal): Promise<ListedModel | null> {
    const call = await this.prepareProvider(provider);
    const describe = call.adapter.describeModel?.bind(call.adapter);
    return describe ? this.attempt(call, modelId, signal, (s) => describe(call.ctx, modelId, s)) : null;
  }

  /**
   * Passes an OpenAI-format request straight to a provider that speaks that format (openai,
   * azure, litellm, openai_compatible), under the same guard, limits, retries and breaker. The
   * body is sent as given except for the model id; a 2xx answer comes back as a byte stream for
   * the caller to read (and to release, for streams, when done). Errors come out classified.
   */
  async relay(model: Model, operation: RelayOperation, payload: Record<string, unknown>, options: RelayOptions = {}): Promise<RelayResult> {
    const call = await this.prepare(model);
    const { url, headers } = relayRequest(call.ctx.target, model.modelId, operation);
    const body = JSON.stringify({ ...payload, model: model.modelId });
    const context = contextOf(call.ctx.target, model.modelId, call.adapter.modelWord);
    const send = async () => {
      const deadline = new Deadline(call.ctx.target.timeoutMs, options.signal);
      try {
        const response = await call.ctx.request(url, { method: 'POST', headers, body, signal: deadline.signal });
        if (response.statusCode >= 200 && response.statusCode < 300) {
          // The timeout still covers reading the body; it ends with it.
          response.body.once('close', () => deadline.clear());
          return response;
        }
        throw await refusedAnswer(response, context);
      } catch (error) {
        deadline.clear();
        if (options.signal?.aborted) throw options.signal.reason ?? error;
        if (isUpstreamError(error)) throw error;
        throw deadline.expired ? timedOut(context) : classifyFailure(error, context);
      }
    };
    const operationName = operation === 'embeddings' ? 'embed' : options.stream ? 'chat_stream' : 'chat';
    if (!options.stream) {
      const response = await this.measured(call, operationName, () => call.policy.run(send, options.signal));
      return { status: response.statusCode, body: response.body, release: () => undefined, record: (tokens) => call.policy.record(tokens) };
    }
    const { value, release } = await this.measured(call, operationName, () => call.policy.open(send, options.signal));
    return { status: value.statusCode, body: value.body, release, record: (tokens) => call.policy.record(tokens) };
  }

  circuitState(providerId: string) {
    return this.policies.circuitState(providerId);
  }

  private async prepare(model: Model): Promise<Call> {
    const provider = (await this.cache.get()).providers.get(model.providerId);
    if (!provider) throw new DomainError('not_found', 'provider.not_found', `The provider of ${model.displayName} no longer exists`);
    if (provider.status !== 'active') {
      throw new DomainError(
        'unavailable',
        'upstream.provider_inactive',
        `${provider.name} is inactive: activate it, or use a model of another provider`,
      );
    }
    return this.prepareProvider(provider);
  }

  private async prepareProvider(provider: Provider): Promise<Call> {
    const settings = await this.settings.snapshot();
    const guarded = await this.guard.guarded();
    const policy = await this.policies.forProvider(provider);
    // Built once per provider object (the registry's, until the provider changes) and settings snapshot.
    const kept = this.calls.get(provider);
    if (kept?.settings === settings && kept.guarded === guarded && kept.call.policy === policy) return kept.call;
    const call = { provider, adapter: adapterFor(provider.kind), ctx: guarded.context(this.targetOf(provider, settings)), policy };
    this.calls.set(provider, { settings, guarded, call });
    return call;
  }

  /** One try with the provider's timeout; whatever goes wrong comes out classified. */
  private async attempt<T>(
    call: Call,
    modelId: string | undefined,
    callerSignal: AbortSignal | undefined,
    run: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const deadline = new Deadline(call.ctx.target.timeoutMs, callerSignal);
    try {
      return await run(deadline.signal);
    } catch (error) {
      if (callerSignal?.aborted) throw callerSignal.reason ?? error;
      const context = contextOf(call.ctx.target, modelId, call.adapter.modelWord);
      throw deadline.expired ? timedOut(context) : classifyFailure(error, context);
    } finally {
      deadline.clear();
    }
  }

  private failure(context: FailureContext, error: unknown, callerSignal: AbortSignal | undefined, stream: StreamAttempt): unknown {
    if (callerSignal?.aborted) return callerSignal.reason ?? error;
    return stream.timedOut ? timedOut(context) : classifyFailure(error, context);
  }

  /** Counts the outcome and logs failures (their messages carry no secrets). */
  private async measured<T>(call: Call, operation: string, run: () => Promise<T>): Promise<T> {
    const provider = call.provider.name;
    try {
      const result = await run();
      this.metrics.upstreamCalls.inc({ provider, operation, outcome: 'ok' });
      return result;
    } catch (error) {
      const outcome = isUpstreamError(error) ? error.errorClass : 'aborted';
      this.metrics.upstreamCalls.inc({ provider, operation, outcome });
      if (isUpstreamError(error)) this.logger.warn(`${operation} on ${provider} failed: ${outcome} ${error.status ?? ''} ${error.message}`);
      throw error;
    }
  }
}

function withDefaults(model: Model, input: ChatInput): ChatRequest {
  const params = model.params ?? {};
  const num = (key: string) => (typeof params[key] === 'number' ? (params[key] as number) : undefined);
  return {
    ...input,
    model: model.modelId,
    maxOutputTokens: input.maxOutputTokens ?? num('max_output_tokens'),
    temperature: input.temperature ?? num('temperature'),
    topP: input.topP ?? num('top_p'),
    topK: input.topK ?? num('top_k'),
  };
}
