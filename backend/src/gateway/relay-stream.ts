import { createParser } from 'eventsource-parser';
import type { TokenUsage } from '../upstream/upstream.types.js';

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
 *
 * Fed one read of the upstream body at a time by the caller's own loop, not an async generator of
 * its own: a second generator between the body and the response kept each stream's objects alive
 * through young-generation collections (~4 MB promoted per scavenge at 180 streams/s, against
 * ~0.55 MB without it; bench/RESULTS.md).
 */
export class RelayedEvents {
  private ready: string[] = [];
  private readonly parser = createParser({ onEvent: (event) => this.ready.push(event.data) });
  private readonly decoder = new TextDecoder();
  private reported: TokenUsage = { inputTokens: 0, outputTokens: 0 };

  constructor(
    private readonly rename: ModelRename,
    private readonly forwardUsageChunk: boolean,
  ) {}

  /**
   * The data payloads one read of the upstream body completed, in order and to go on together in
   * one write; '[DONE]' is not among them. Empty while an event is still incomplete.
   */
  take(chunk: Uint8Array): string[] {
    this.parser.feed(this.decoder.decode(chunk, { stream: true }));
    if (this.ready.length === 0) return [];
    const batch: string[] = [];
    for (const data of this.ready) {
      if (data === '[DONE]') continue;
      if (data.includes('"usage":{')) {
        const parsed = JSON.parse(data) as { choices?: unknown[]; usage?: { prompt_tokens?: number; completion_tokens?: number } };
        if (parsed.usage)
          this.reported = { inputTokens: parsed.usage.prompt_tokens ?? 0, outputTokens: parsed.usage.completion_tokens ?? 0 };
        if (!this.forwardUsageChunk && parsed.choices?.length === 0) continue;
      }
      batch.push(this.rename.apply(data));
    }
    this.ready = [];
    return batch;
  }

  /** The usage the upstream reported, known once the body has been read to its end. */
  usage(): TokenUsage {
    return this.reported;
  }
}
