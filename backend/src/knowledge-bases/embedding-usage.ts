import { Injectable } from '@nestjs/common';
import type { EmbedResult } from '../upstream/upstream.types.js';
import { metered, type MeteredCall } from '../usage/usage-caller.js';
import { UsageRecorder } from '../usage/usage-recorder.service.js';

export interface EmbeddingCall extends MeteredCall {
  /** `indexing`: a document's chunks for its index; `retrieval`: a query, for a search or a conversation. */
  source: 'indexing' | 'retrieval';
}

/** Whom a search's query embedding is charged to, and for which endpoint. */
export type ChargedTo = Pick<EmbeddingCall, 'caller' | 'endpoint'>;

/** The embedding calls knowledge bases make, in usage like any other call: they are paid for at the provider. */
@Injectable()
export class EmbeddingUsage {
  constructor(private readonly usage: UsageRecorder) {}

  /** Runs the call and records it: its tokens and cost when it answers, its status and error class when it fails. */
  measure(call: EmbeddingCall, embed: () => Promise<EmbedResult>): Promise<EmbedResult> {
    return metered(this.usage, call, embed, (result) => ({ inputTokens: result.usage.inputTokens, outputTokens: 0 }));
  }
}
