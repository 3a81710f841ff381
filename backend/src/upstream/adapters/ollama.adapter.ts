import type { EmbeddingModel, JSONValue, LanguageModel } from 'ai';
import { createOllama } from 'ollama-ai-provider-v2';
import { contextOf, invalidResponse, scrub, streamCutShort } from '../error-classifier.js';
import { UpstreamError } from '../upstream-error.js';
import type { ChatRequest, ListedModel } from '../upstream.types.js';
import { arrayOf, isRecord, numberOf, requestJson } from './http-json.js';
import { extraHeaders, rootOf, SdkAdapter, type AdapterContext } from './upstream-adapter.js';

/**
 * Ollama's native API (/api/chat, /api/embed, /api/tags, /api/show). It has no auth of its own; a
 * key, when set, is sent as a Bearer token for the reverse proxy in front of it.
 */
export class OllamaAdapter extends SdkAdapter {
  protected languageModel(ctx: AdapterContext, modelId: string): LanguageModel {
    return this.sdk(ctx)(modelId);
  }

  protected embeddingModel(ctx: AdapterContext, modelId: string): EmbeddingModel {
    return this.sdk(ctx).embedding(modelId);
  }

  /**
   * Ollama reads sampling settings from `options` (num_predict, temperature, …); the provider
   * package sends them as top-level fields, which Ollama ignores, so they go here as well.
   */
  protected override providerOptions(request: ChatRequest): Record<string, Record<string, JSONValue>> {
    const options = Object.fromEntries(
      Object.entries({
        num_predict: request.maxOutputTokens,
        temperature: request.temperature,
        top_p: request.topP,
        top_k: request.topK,
        stop: request.stop,
        seed: request.seed,
      }).filter(([, v]) => v !== undefined),
    ) as Record<string, JSONValue>;
    return { ollama: { options } };
  }

  async listModels(ctx: AdapterContext, signal?: AbortSignal): Promise<ListedModel[]> {
    const body = await requestJson(ctx, `${apiRoot(ctx.target.baseUrl)}/api/tags`, { headers: auth(ctx), signal });
    return arrayOf((body as { models?: unknown })?.models)
      .filter((m) => typeof m['name'] === 'string')
      .map((m) => {
        const details = isRecord(m['details']) ? m['details'] : {};
        const bert = typeof details['family'] === 'string' && /bert/i.test(details['family']);
        return { id: m['name'] as string, type: bert || /embed/i.test(m['name'] as string) ? 'embedding' : 'generation' };
      });
  }

  /** /api/show: the context length, and for embedding models the vector length. */
  async describeModel(ctx: AdapterContext, modelId: string, signal?: AbortSignal): Promise<ListedModel | null> {
    const body = await requestJson(ctx, `${apiRoot(ctx.target.baseUrl)}/api/show`, {
      headers: auth(ctx),
      body: { model: modelId },
      signal,
    });
    if (!isRecord(body)) return null;
    const info = isRecord(body['model_info']) ? body['model_info'] : {};
    const arch = typeof info['general.architecture'] === 'string' ? info['general.architecture'] : '';
    const capabilities = Array.isArray(body['capabilities']) ? (body['capabilities'] as unknown[]) : [];
    const embedding = capabilities.includes('embedding') && !capabilities.includes('completion');
    return {
      id: modelId,
      type: embedding ? 'embedding' : 'generation',
      contextWindow: numberOf(info[`${arch}.context_length`]),
      dimensions: embedding ? numberOf(info[`${arch}.embedding_length`]) : undefined,
    };
  }

  private sdk(ctx: AdapterContext) {
    return createOllama({
      baseURL: `${apiRoot(ctx.target.baseUrl)}/api`,
      headers: { ...extraHeaders(ctx.target), ...auth(ctx) },
      fetch: checkedStreams(ctx),
    });
  }
}

/**
 * The provider package skips NDJSON lines it cannot read (with a console warning) and reports a
 * stream that ends early as finished, so Ollama's in-stream `{"error":"…"}` line, a broken line, or
 * a stream closed before its `"done":true` line would reach the caller as a complete (cut) reply.
 * This fetch hands a streamed chat on line by line and fails the stream at the first such line.
 */
function checkedStreams(ctx: AdapterContext): typeof globalThis.fetch {
  return async (input, init) => {
    const response = await ctx.fetch(input, init);
    const streaming = typeof init?.body === 'string' && /"stream"\s*:\s*true/.test(init.body);
    if (!streaming || !response.ok || !response.body) return response;
    return new Response(checkedLines(ctx, response.body), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

function checkedLines(ctx: AdapterContext, body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  const lines: string[] = [];
  let buffer = '';
  let ended = false;
  let finished = false;
  const fail = (controller: ReadableStreamDefaultController<Uint8Array>, error: UpstreamError) => {
    controller.error(error);
    void reader.cancel().catch(() => undefined);
  };
  // One line per pull (no read-ahead), so every line before a failure reaches the reader first.
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        while (lines.length === 0) {
          if (ended) {
            if (finished) controller.close();
            else fail(controller, streamCutShort(contextOf(ctx.target)));
            return;
          }
          const { done, value } = await reader.read();
          buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
          const parts = buffer.split('\n');
          buffer = done ? '' : (parts.pop() ?? '');
          lines.push(...parts.filter((line) => line.trim() !== ''));
          ended = done;
        }
        const line = lines.shift()!;
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch {
          return fail(controller, invalidResponse(contextOf(ctx.target), 'valid NDJSON'));
        }
        if (isRecord(parsed) && parsed['error'] !== undefined) {
          const said = typeof parsed['error'] === 'string' ? parsed['error'] : JSON.stringify(parsed['error']);
          return fail(
            controller,
            new UpstreamError(
              'upstream_error',
              `${contextOf(ctx.target).host} reported an error mid-stream: ${scrub(said, [ctx.target.apiKey], 160)}`,
              { countsAsOutage: true },
            ),
          );
        }
        if (isRecord(parsed) && parsed['done'] === true) finished = true;
        controller.enqueue(encoder.encode(`${line}\n`));
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

const auth = (ctx: AdapterContext): Record<string, string> => (ctx.target.apiKey ? { authorization: `Bearer ${ctx.target.apiKey}` } : {});

/** The server root, also when the admin pasted the /api or OpenAI-compatible /v1 path. */
const apiRoot = (baseUrl: string) => rootOf(baseUrl, ['/api', '/v1']);
