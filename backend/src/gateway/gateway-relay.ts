import { Injectable } from '@nestjs/common';
import { UpstreamClient } from '../upstream/upstream.client.js';
import { GatewayUsage, type GatewayCall, type GatewayRoute } from './gateway-usage.js';
import type { ChatCompletionInput } from './openai-requests.js';
import { ModelRename, RelayedEvents } from './relay-stream.js';

/**
 * Chat completions passed through to upstreams that already speak OpenAI's format: the client's
 * body goes on with the model's defaults and output cap applied, and the answer comes back as it
 * is, renamed to the model's display name, its usage read on the way.
 */
@Injectable()
export class GatewayRelay {
  constructor(
    private readonly upstream: UpstreamClient,
    private readonly usage: GatewayUsage,
  ) {}

  /** The upstream's answer as JSON text: passed on as it came, but for the model's name. */
  async complete(call: GatewayCall, route: GatewayRoute, input: ChatCompletionInput, started: number): Promise<string> {
    const relayed = await this.upstream.relay(route.model, 'chat/completions', relayBody(route, input, false), {
      signal: call.signal,
    });
    const text = await relayed.body.text();
    // Parsed for the usage (and to be sure it is JSON); what goes back is the text itself.
    const answer = JSON.parse(text) as { model?: unknown; usage?: { prompt_tokens?: number; completion_tokens?: number } };
    const usage = { inputTokens: answer.usage?.prompt_tokens ?? 0, outputTokens: answer.usage?.completion_tokens ?? 0 };
    void relayed.record(usage.inputTokens + usage.outputTokens);
    this.usage.answered(call, route, started, usage, null);
    const renamed = new ModelRename(route.model.modelId, route.model.displayName).apply(text);
    // An upstream that spaces its JSON differently (or names another model) still gets the name replaced.
    return renamed !== text || answer.model === route.model.displayName
      ? renamed
      : JSON.stringify({ ...answer, model: route.model.displayName });
  }

  async *stream(call: GatewayCall, route: GatewayRoute, input: ChatCompletionInput): AsyncIterable<string[]> {
    const started = performance.now();
    let ttft: number | null = null;
    try {
      const relayed = await this.upstream.relay(route.model, 'chat/completions', relayBody(route, input, true), {
        signal: call.signal,
        stream: true,
      });
      try {
        const events = new RelayedEvents(new ModelRename(route.model.modelId, route.model.displayName), input.includeUsage);
        for await (const chunk of relayed.body as AsyncIterable<Buffer>) {
          const batch = events.take(chunk);
          if (batch.length === 0) continue;
          ttft ??= performance.now() - started;
          yield batch;
        }
        const usage = events.usage();
        void relayed.record(usage.inputTokens + usage.outputTokens);
        this.usage.answered(call, route, started, usage, ttft);
      } finally {
        relayed.release();
      }
    } catch (error) {
      this.usage.failed(call, route, started, error, ttft);
      throw error;
    }
  }
}

/**
 * The body sent on: the client's, with the model's defaults filled in and its output cap enforced;
 * members Switchboard does not act on (tools, response_format, …) go on as they came.
 */
function relayBody(route: GatewayRoute, input: ChatCompletionInput, stream: boolean): Record<string, unknown> {
  const params = route.model.params as { max_output_tokens?: number; temperature?: number; top_p?: number };
  const max = input.maxOutputTokens ?? params.max_output_tokens;
  return {
    ...input.passThrough,
    messages: input.wireMessages,
    ...(max !== undefined && { max_tokens: params.max_output_tokens ? Math.min(max, params.max_output_tokens) : max }),
    ...((input.temperature ?? params.temperature) !== undefined && { temperature: input.temperature ?? params.temperature }),
    ...((input.topP ?? params.top_p) !== undefined && { top_p: input.topP ?? params.top_p }),
    ...(input.stop && { stop: input.stop }),
    ...(stream && { stream: true, stream_options: { include_usage: true } }),
  };
}
