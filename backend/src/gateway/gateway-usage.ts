import { Injectable } from '@nestjs/common';
import type { Actor } from '../common/actor.js';
import { totalCostUsd } from '../conversations/reply-accounting.js';
import type { RoutedModel } from '../models/model-routing.js';
import type { ProviderKind } from '../providers/provider-kinds.js';
import type { TokenUsage } from '../upstream/upstream.types.js';
import { callerOf, failedCall } from '../usage/usage-caller.js';
import { UsageRecorder } from '../usage/usage-recorder.service.js';
import { refusedAsMalformed } from './openai-errors.js';

/** A routed model and the kind of provider that serves it (which decides pass-through or translation). */
export type GatewayRoute = RoutedModel & { kind: ProviderKind };

export interface GatewayCall {
  actor: Actor;
  signal: AbortSignal;
}

/** Every gateway call's usage record (queued; written in batches off the request path). */
@Injectable()
export class GatewayUsage {
  constructor(private readonly usage: UsageRecorder) {}

  /** A call refused before it reached a model: charged to the key, with no model. */
  refused(call: GatewayCall, requestedModel: unknown, started: number, error: unknown): void {
    this.usage.record({
      ...caller(call),
      modelId: null,
      providerId: null,
      modelName: typeof requestedModel === 'string' ? requestedModel : '',
      ...outcome(call, error),
      inputTokens: 0,
      outputTokens: 0,
      costUsd: '0',
      latencyMs: performance.now() - started,
      ttftMs: null,
    });
  }

  answered(call: GatewayCall, route: GatewayRoute, started: number, usage: TokenUsage, ttft: number | null): void {
    this.record(call, route, started, 200, null, usage, ttft);
  }

  failed(call: GatewayCall, route: GatewayRoute, started: number, error: unknown, ttft: number | null = null): void {
    const { statusCode, errorClass } = outcome(call, error);
    this.record(call, route, started, statusCode, errorClass, { inputTokens: 0, outputTokens: 0 }, ttft);
  }

  private record(
    call: GatewayCall,
    route: GatewayRoute,
    started: number,
    status: number,
    errorClass: string | null,
    usage: TokenUsage,
    ttft: number | null,
  ): void {
    this.usage.record({
      ...caller(call),
      modelId: route.model.id,
      providerId: route.model.providerId,
      modelName: route.model.displayName,
      statusCode: status,
      errorClass,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      costUsd: totalCostUsd(route.model, usage),
      latencyMs: performance.now() - started,
      ttftMs: ttft,
    });
  }
}

function caller(call: GatewayCall) {
  return { source: 'gateway' as const, endpoint: 'v1', ...callerOf(call.actor) };
}

// Recorded with the status the client was answered (see toOpenAiError).
function outcome(call: GatewayCall, error: unknown) {
  const failed = failedCall(call.signal.aborted, error);
  return refusedAsMalformed(error) && failed.statusCode !== 499 ? { ...failed, statusCode: 400 } : failed;
}
