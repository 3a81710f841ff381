import type { Actor } from '../common/actor.js';
import { DomainError } from '../common/domain-error.js';
import { STATUS_BY_KIND } from '../common/problem.js';
import { totalCostUsd } from '../conversations/reply-accounting.js';
import type { Model } from '../models/model.entity.js';
import type { TokenUsage } from '../upstream/upstream.types.js';
import type { UsageEntry, UsageRecorder } from './usage-recorder.service.js';

/** Whom a call is charged to: the user, and the API key when one made it. */
export type UsageCaller = Pick<UsageEntry, 'userId' | 'apiKeyId'>;

export const callerOf = (actor: Actor): UsageCaller => ({ userId: actor.userId, apiKeyId: actor.type === 'api_key' ? actor.id : null });

/** The status and error class a failed call is recorded with (499: the caller hung up). */
export function failedCall(aborted: boolean, error: unknown): Pick<UsageEntry, 'statusCode' | 'errorClass'> {
  if (aborted) return { statusCode: 499, errorClass: 'client_closed' };
  const domain = error instanceof DomainError ? error : null;
  return {
    statusCode: domain ? STATUS_BY_KIND[domain.kind] : 500,
    errorClass: (domain?.options.extensions?.error_class as string) ?? domain?.code ?? 'internal_error',
  };
}

/** A call to a model made on a caller's behalf outside the gateway's and a turn's own recording. */
export interface MeteredCall {
  source: UsageEntry['source'];
  endpoint: string;
  caller: UsageCaller;
  model: Model;
  /** The caller's signal: aborted, a failure is recorded as the caller hanging up (499). */
  signal?: AbortSignal;
}

/** Runs the call and records it: its tokens and exact cost when it answers, its status and error class when it fails. */
export async function metered<R>(
  usage: UsageRecorder,
  call: MeteredCall,
  run: () => Promise<R>,
  tokensOf: (result: R) => TokenUsage,
): Promise<R> {
  const started = performance.now();
  const record = (outcome: Pick<UsageEntry, 'statusCode' | 'errorClass' | 'inputTokens' | 'outputTokens' | 'costUsd'>) =>
    usage.record({
      source: call.source,
      endpoint: call.endpoint,
      ...call.caller,
      modelId: call.model.id,
      providerId: call.model.providerId,
      modelName: call.model.displayName,
      ...outcome,
      latencyMs: performance.now() - started,
      ttftMs: null,
    });
  try {
    const result = await run();
    const tokens = tokensOf(result);
    record({ statusCode: 200, errorClass: null, ...tokens, costUsd: totalCostUsd(call.model, tokens) });
    return result;
  } catch (error) {
    record({ ...failedCall(call.signal?.aborted ?? false, error), inputTokens: 0, outputTokens: 0, costUsd: '0' });
    throw error;
  }
}
