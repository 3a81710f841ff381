import { createParser } from 'eventsource-parser';
import type { TokenUsage } from '../upstream/upstream.types.js';

export interface RelayedStream {
  /**
   * Data payloads to send on, in order ('[DONE]' is not among them), in batches: the events that
   * one read of the upstream body completed, so they go on together in one write.
   */
  events: AsyncIterable<string[]>;
  /** The usage the upstream reported, known once `events` is exhausted. */
  usage(): TokenUsage;
}

/**
 * Puts the model's display name where the upstream wrote its own id, in OpenAI-format JSON text as
 * it came (`"model":"<id>"`, as OpenAI and its look-alikes write it). The pattern cannot occur
 * inside a string value, where its quotes would be escaped.
 */
export class ModelRename {
  private readonly from: string;
  private readonly to: string;

  constructor(upstreamId: string, displayName: string) {
    this.from = `"model":${JSON.stringify(upstreamId)}`;
    this.to = `"model":${JSON.stringify(displayName)}`;
  }

  /** The text with the first occurrence renamed; the text itself when there is none. */
  apply(json: string): string {
    return json.includes(this.from) ? json.replace(this.from, () => this.to) : json;
  }
}

/**
 * Re-frames an OpenAI-format SSE byte stream event by event (eventsource-parser does the framing):
 * payloads pass through untouched except for the model name, the final usage is captured, and the
 * usage-only chunk is withheld when the client did not ask for it (Switchboard always asks).
 */
export function relayEvents(body: AsyncIterable<Buffer>, rename: ModelRename, forwardUsageChunk: boolean): RelayedStream {
  let usage: TokenUsage = { inputTokens: 0, outputTokens: 0 };
  async function* events(): AsyncIterable<string[]> {
    let ready: string[] = [];
    const parser = createParser({ onEvent: (event) => ready.push(event.data) });
    const decoder = new TextDecoder();
    for await (const chunk of body) {
      parser.feed(decoder.decode(chunk, { stream: true }));
      if (ready.length === 0) continue;
      const batch: string[] = [];
      for (const data of ready) {
        if (data === '[DONE]') continue;
        if (data.includes('"usage":{')) {
          const parsed = JSON.parse(data) as { choices?: unknown[]; usage?: { prompt_tokens?: number; completion_tokens?: number } };
          if (parsed.usage) usage = { inputTokens: parsed.usage.prompt_tokens ?? 0, outputTokens: parsed.usage.completion_tokens ?? 0 };
          if (!forwardUsageChunk && parsed.choices?.length === 0) continue;
        }
        batch.push(rename.apply(data));
      }
      ready = [];
      if (batch.length > 0) yield batch;
    }
  }
  return { events: events(), usage: () => usage };
}
