import { Injectable } from '@nestjs/common';
import { totalCostUsd } from '../conversations/reply-accounting.js';
import type { Model } from '../models/model.entity.js';
import type { EmbedResult } from '../upstream/upstream.types.js';
import { failedCall, type UsageCaller } from '../usage/usage-caller.js';
import { UsageRecorder, type UsageEntry } from '../usage/usage-recorder.service.js';

export interface EmbeddingCall {
  /** `indexing`: a document's chunks for its index; `retrieval`: a query, for a search or a conversation. */
  source: 'indexing' | 'retrieval';
  endpoint: string;
  caller: UsageCaller;
  model: Model;
  signal?: AbortSignal;
}

/** Whom a search's query embedding is charged to, and for which endpoint. */
export type ChargedTo = Pick<EmbeddingCall, 'caller' | 'endpoint'>;

/** The embedding calls knowledge bases make, in usage like any other call: they are paid for at the provider. */
@Injectable()
export class EmbeddingUsage {
  constructor(private readonly usage: UsageRecorder) {}

  /** Runs the call and records it: its tokens and cost when it answers, its status and error class when it fails. */
  async measure(call: EmbeddingCall, embed: () => Promise<EmbedResult>): Promise<EmbedResult> {
    const started = performance.now();
    try {
      const result = await embed();
      const usage = { inputTokens: result.usage.inputTokens, outputTokens: 0 };
      this.record(call, started, { statusCode: 200, errorClass: null, ...usage, costUsd: totalCostUsd(call.model, usage) });
      return result;
    } catch (error) {
      this.record(call, started, { ...failedCall(call.signal?.aborted ?? false, error), inputTokens: 0, outputTokens: 0, costUsd: '0' });
      throw error;
    }
  }

  private record(
    call: EmbeddingCall,
    started: number,
    outcome: Pick<UsageEntry, 'statusCode' | 'errorClass' | 'inputTokens' | 'outputTokens' | 'costUsd'>,
  ): void {
    this.usage.record({
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
  }
}
