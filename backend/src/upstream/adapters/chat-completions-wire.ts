import { createParser } from 'eventsource-parser';
import { classifyReported, contextOf, invalidResponse, streamCutShort } from '../error-classifier.js';
import { relayRequest } from '../relay.js';
import { UpstreamError } from '../upstream-error.js';
import type { ChatRequest, ChatResult, ChatStreamEvent, TokenUsage } from '../upstream.types.js';
import { isRecord, refusedAnswer } from './http-json.js';
import { estimatePromptTokens, type AdapterContext } from './upstream-adapter.js';

/**
 * OpenAI's Chat Completions spoken directly over the guarded pool, for servers that speak exactly
 * that format (LiteLLM, vLLM and other OpenAI-compatible servers). It sends and reads what
 * @ai-sdk/openai-compatible does, without its per-call provider, schemas and web streams, which
 * took about a third of a conversation turn's CPU. Errors come out raw or classified, as the SDK's do.
 */
export async function chatCompletion(ctx: AdapterContext, request: ChatRequest): Promise<ChatResult> {
  const body = await post(ctx, request, false);
  const answer = parseJson(await body.text(), ctx, request);
  const choice = Array.isArray(answer['choices']) ? answer['choices'][0] : undefined;
  const message = isRecord(choice) ? choice['message'] : undefined;
  if (!isRecord(choice) || !isRecord(message)) throw invalidResponse(contextOf(ctx.target, request.model));
  return {
    text: typeof message['content'] === 'string' ? message['content'] : '',
    usage: usageOf(answer['usage'], request),
    finishReason: finishReasonOf(choice['finish_reason']) ?? 'other',
  };
}

/** Deltas as they arrive, then `done` once the server has sent its finish reason and ended the stream. */
export async function* chatCompletionStream(ctx: AdapterContext, request: ChatRequest): AsyncIterable<ChatStreamEvent> {
  const body = await post(ctx, request, true);
  const ready: string[] = [];
  const parser = createParser({ onEvent: (event) => ready.push(event.data) });
  const decoder = new TextDecoder();
  let finishReason: string | undefined;
  let usage: unknown;
  let ended = false;
  try {
    reading: for await (const chunk of body) {
      parser.feed(decoder.decode(chunk as Buffer, { stream: true }));
      for (const data of ready.splice(0)) {
        if (data === '[DONE]') break reading;
        const event = parseJson(data, ctx, request);
        if (event['error'] !== undefined) throw classifyReported(event['error'], contextOf(ctx.target, request.model));
        if (isRecord(event['usage'])) usage = event['usage'];
        const choice = Array.isArray(event['choices']) ? event['choices'][0] : undefined;
        if (!isRecord(choice)) continue;
        const delta = isRecord(choice['delta']) ? choice['delta']['content'] : undefined;
        if (typeof delta === 'string' && delta) yield { type: 'delta', text: delta };
        finishReason = finishReasonOf(choice['finish_reason']) ?? finishReason;
      }
    }
    ended = true;
  } finally {
    // Stopped early (the caller went away, a timeout, a bad event): free the pooled connection.
    if (!ended) body.destroy();
  }
  // A stream that stops before the server's finish reason is a cut-short reply, not a complete one.
  if (finishReason === undefined) throw streamCutShort(contextOf(ctx.target, request.model));
  yield { type: 'done', usage: usageOf(usage, request), finishReason };
}

async function post(ctx: AdapterContext, request: ChatRequest, stream: boolean) {
  const { url, headers } = relayRequest(ctx.target, request.model, 'chat/completions');
  const response = await ctx.request(url, {
    method: 'POST',
    headers,
    body: JSON.stringify(requestBody(request, stream)),
    signal: request.signal,
  });
  if (response.statusCode >= 200 && response.statusCode < 300) return response.body;
  const failure = contextOf(ctx.target, request.model);
  if (response.statusCode >= 300 && response.statusCode < 400) {
    await response.body.text().catch(() => '');
    throw new UpstreamError(
      'invalid_response',
      `${failure.host} redirected the request (${response.statusCode}): use the final URL as api_base`,
    );
  }
  throw await refusedAnswer(response, failure);
}

/** The body @ai-sdk/openai-compatible sends: top_k is not part of the format, so it is left out as there. */
function requestBody(request: ChatRequest, stream: boolean): Record<string, unknown> {
  return {
    model: request.model,
    messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
    ...(request.maxOutputTokens !== undefined && { max_tokens: request.maxOutputTokens }),
    ...(request.temperature !== undefined && { temperature: request.temperature }),
    ...(request.topP !== undefined && { top_p: request.topP }),
    ...(request.stop?.length && { stop: request.stop }),
    ...(stream && { stream: true, stream_options: { include_usage: true } }),
  };
}

function parseJson(text: string, ctx: AdapterContext, request: ChatRequest): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidResponse(contextOf(ctx.target, request.model));
  }
  if (!isRecord(parsed)) throw invalidResponse(contextOf(ctx.target, request.model));
  return parsed;
}

/** The reported usage; where there is none, the input estimated from the prompt (as the SDK path does). */
function usageOf(usage: unknown, request: ChatRequest): TokenUsage {
  const reported = isRecord(usage) ? usage : {};
  const count = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined);
  return {
    inputTokens: count(reported['prompt_tokens']) ?? estimatePromptTokens(request),
    outputTokens: count(reported['completion_tokens']) ?? 0,
  };
}

const FINISH_REASONS: Record<string, string> = {
  stop: 'stop',
  length: 'length',
  content_filter: 'content-filter',
  tool_calls: 'tool-calls',
  function_call: 'tool-calls',
};

/** OpenAI's finish reason in the SDK's words, as the SDK path reports it ('other' for the rest). */
function finishReasonOf(reason: unknown): string | undefined {
  return typeof reason === 'string' ? (FINISH_REASONS[reason] ?? 'other') : undefined;
}
