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
 * Re-frames an OpenAI-format SSE byte stream event by event (eventsource-parser does the framing):
 * payloads pass through untouched except for the model name, the final usage is captured, and the
 * usage-only chunk is withheld when the client did not ask for it (Switchboard always asks).
 */
export function relayEvents(body: AsyncIterable<Buffer>, rename: { from: string; to: string }, forwardUsageChunk: boolean): RelayedStream {
  let usage: TokenUsage = { inputTokens: 0, outputTokens: 0 };
  const from = `"model":${JSON.stringify(rename.from)}`;
  const to = `"model":${JSON.stringify(rename.to)}`;
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
        batch.push(data.includes(from) ? data.replace(from, to) : data);
      }
      ready = [];
      if (batch.length > 0) yield batch;
    }
  }
  return { events: events(), usage: () => usage };
}
