import {
  argumentPieces,
  estimateTokens,
  fakeAnswer,
  fakeCall,
  isRecord,
  limitReply,
  promptTokens,
  replyChunks,
  textOf,
} from './content.js';
import {
  FakeServer,
  type ErrorDetails,
  type ErrorReply,
  type FakeCall,
  type FakeModel,
  type FakeRoute,
  type FakeServerOptions,
} from './fake-server.js';

export const ANTHROPIC_DEFAULT_KEY = 'sk-ant-fake';

export const ANTHROPIC_DEFAULT_MODELS: readonly FakeModel[] = [
  { id: 'claude-sonnet-4-5', type: 'generation', contextWindow: 200_000, maxOutputTokens: 64_000, displayName: 'Claude Sonnet 4.5' },
  { id: 'claude-haiku-4-5', type: 'generation', contextWindow: 200_000, maxOutputTokens: 64_000, displayName: 'Claude Haiku 4.5' },
  { id: 'claude-opus-4-1', type: 'generation', contextWindow: 200_000, maxOutputTokens: 32_000, displayName: 'Claude Opus 4.1' },
];

const errorTypes: Record<number, { type: string; message: string }> = {
  400: { type: 'invalid_request_error', message: 'Invalid request.' },
  401: { type: 'authentication_error', message: 'invalid x-api-key' },
  403: { type: 'permission_error', message: 'Your API key does not have permission to use the specified resource.' },
  404: { type: 'not_found_error', message: 'Not found.' },
  413: { type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' },
  429: { type: 'rate_limit_error', message: 'Number of requests has exceeded your per-minute rate limit.' },
  500: { type: 'api_error', message: 'Internal server error' },
  503: { type: 'api_error', message: 'Service unavailable' },
  529: { type: 'overloaded_error', message: 'Overloaded' },
};

function anthropicErrorBody(status: number, details: ErrorDetails): Record<string, unknown> {
  const fallback = errorTypes[status] ?? { type: status >= 500 ? 'api_error' : 'invalid_request_error', message: `Error ${status}` };
  return { type: 'error', error: { type: details.code ?? fallback.type, message: details.message ?? fallback.message } };
}

/** Anthropic Messages API: x-api-key + anthropic-version, /v1/messages (whole and SSE), /v1/models. */
export class AnthropicFake extends FakeServer {
  readonly provider = 'anthropic';

  constructor(options: FakeServerOptions = {}) {
    super(options, { apiKeys: [ANTHROPIC_DEFAULT_KEY], models: ANTHROPIC_DEFAULT_MODELS });
  }

  protected routes(): FakeRoute[] {
    return [
      { method: 'POST', path: /^\/v1\/messages$/, handle: (call) => this.messages(call) },
      { method: 'POST', path: /^\/v1\/messages\/count_tokens$/, handle: (call) => this.countTokens(call) },
      { method: 'GET', path: /^\/v1\/models$/, handle: (call) => this.listModels(call) },
      { method: 'GET', path: /^\/v1\/models\/([^/]+)$/, handle: (call) => this.retrieveModel(call) },
    ];
  }

  /**
   * Credentials first, then the version header. The key comes as `x-api-key` (the documented
   * header, used by the AI SDK) or as `Authorization: Bearer` (what @anthropic-ai/sdk 1.x sends).
   */
  protected authFailure(call: FakeCall): ({ status: number } & ErrorDetails) | undefined {
    if (this.apiKeys.size > 0) {
      const key =
        call.header('x-api-key') ??
        call
          .header('authorization')
          ?.match(/^Bearer\s+(.+)$/i)?.[1]
          ?.trim();
      if (!key) return { status: 401, message: 'x-api-key header is required' };
      if (!this.apiKeys.has(key)) return { status: 401, message: 'invalid x-api-key' };
    }
    if (!call.header('anthropic-version')) return { status: 400, message: 'anthropic-version: header is required' };
    return undefined;
  }

  protected errorReply(status: number, details: ErrorDetails): ErrorReply {
    const requestId = this.nextId('req_');
    return { status, body: { ...anthropicErrorBody(status, details), request_id: requestId }, headers: { 'request-id': requestId } };
  }

  protected override streamErrorFrame(status: number): string {
    return `event: error\ndata: ${JSON.stringify(anthropicErrorBody(status, {}))}\n\n`;
  }

  private async messages(call: FakeCall): Promise<void> {
    const body = isRecord(call.body) ? call.body : {};
    const invalid = (message: string) => this.sendError(call, 400, { message });
    if (typeof body['model'] !== 'string') return invalid('model: Field required');
    if (typeof body['max_tokens'] !== 'number') return invalid('max_tokens: Field required');
    if (!Array.isArray(body['messages']) || body['messages'].length === 0) return invalid('messages: Field required');
    const model = this.findModel(body['model']);
    if (!model) return this.sendError(call, 404, { message: `model: ${body['model']}` });
    const maxTokens = body['max_tokens'];
    if (model.maxOutputTokens && maxTokens > model.maxOutputTokens) {
      return invalid(
        `max_tokens: ${maxTokens} > ${model.maxOutputTokens}, which is the maximum allowed number of output tokens for ${model.id}`,
      );
    }
    const messages = body['messages'].filter(isRecord);
    const inputTokens = promptTokens([textOf(body['system']), ...messages.map((m) => textOf(m['content']))]);
    if (inputTokens > model.contextWindow) return invalid(`prompt is too long: ${inputTokens} tokens > ${model.contextWindow} maximum`);
    const unanswered = unmatchedToolResult(messages);
    if (unanswered) return invalid(unanswered);
    const lastUser = [...messages].reverse().find((m) => m['role'] === 'user');
    const promptText = textOf(lastUser?.['content']);
    const tool = toolUseFor(body, lastUser, promptText);
    // Structured output: output_config.format holds the schema the reply must match.
    const format = isRecord(body['output_config']) ? body['output_config']['format'] : undefined;
    const json = isRecord(format) && format['type'] === 'json_schema' ? { schema: format['schema'] } : undefined;
    const { text, truncated } = tool ? { text: '', truncated: false } : limitReply(fakeAnswer(promptText, json), maxTokens);
    const toolUse = tool && { type: 'tool_use', id: this.nextId('toolu_'), name: tool.name, input: JSON.parse(tool.arguments) as unknown };
    const outputTokens = estimateTokens(tool ? tool.name + tool.arguments : text);
    const stopReason = tool ? 'tool_use' : truncated ? 'max_tokens' : 'end_turn';
    const message = {
      id: this.nextId('msg_'),
      type: 'message',
      role: 'assistant',
      model: body['model'],
      stop_sequence: null,
    };
    const usage = (outputTokens: number) => ({
      input_tokens: inputTokens,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: outputTokens,
      service_tier: 'standard',
    });

    if (body['stream'] !== true) {
      return this.sendJson(call, {
        ...message,
        content: toolUse ? [toolUse] : [{ type: 'text', text }],
        stop_reason: stopReason,
        usage: usage(outputTokens),
      });
    }
    const stream = this.openStream(call, 'sse', { 'request-id': this.nextId('req_') });
    const send = (data: Record<string, unknown>) => stream.event(data, data['type'] as string);
    if (!(await send({ type: 'message_start', message: { ...message, content: [], stop_reason: null, usage: usage(1) } }))) return;
    const block = toolUse ? { ...toolUse, input: {} } : { type: 'text', text: '' };
    if (!(await send({ type: 'content_block_start', index: 0, content_block: block }))) return;
    if (!(await send({ type: 'ping' }))) return;
    // A tool's input comes as pieces of its JSON text, as Anthropic streams it.
    const deltas = tool
      ? argumentPieces(tool.arguments).map((piece) => ({ type: 'input_json_delta', partial_json: piece }))
      : replyChunks(text).map((piece) => ({ type: 'text_delta', text: piece }));
    for (const delta of deltas) {
      if (!(await send({ type: 'content_block_delta', index: 0, delta }))) return;
    }
    if (!(await send({ type: 'content_block_stop', index: 0 }))) return;
    const finalUsage = { output_tokens: outputTokens };
    if (!(await send({ type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: finalUsage }))) return;
    if (await send({ type: 'message_stop' })) stream.end();
  }

  private countTokens(call: FakeCall): void {
    const body = isRecord(call.body) ? call.body : {};
    const messages = Array.isArray(body['messages']) ? body['messages'].filter(isRecord) : [];
    this.sendJson(call, { input_tokens: promptTokens([textOf(body['system']), ...messages.map((m) => textOf(m['content']))]) });
  }

  private listModels(call: FakeCall): void {
    const limit = Number(call.url.searchParams.get('limit') ?? 20);
    const afterId = call.url.searchParams.get('after_id');
    const start = afterId ? this.models.findIndex((m) => m.id === afterId) + 1 : 0;
    const page = this.models.slice(start, start + limit).map((m) => this.modelInfo(m));
    this.sendJson(call, {
      data: page,
      has_more: start + limit < this.models.length,
      first_id: page[0]?.['id'] ?? null,
      last_id: page.at(-1)?.['id'] ?? null,
    });
  }

  private retrieveModel(call: FakeCall): void {
    const model = this.models.find((m) => m.id === call.params[0]);
    if (!model) return this.sendError(call, 404, { message: `model: ${call.params[0]}` });
    this.sendJson(call, this.modelInfo(model));
  }

  private modelInfo(model: FakeModel): Record<string, unknown> {
    return {
      type: 'model',
      id: model.id,
      display_name: model.displayName ?? model.id,
      created_at: '2025-01-01T00:00:00Z',
      max_input_tokens: model.contextWindow,
      max_tokens: model.maxOutputTokens ?? null,
      capabilities: null,
      lifecycle: 'active',
      line: null,
      deprecated_at: null,
      retires_at: null,
    };
  }
}

/** The tool_use a fake Claude answers with: offered tools, a user turn that is not a tool's result, and tool_choice not "none". */
function toolUseFor(body: Record<string, unknown>, lastUser: Record<string, unknown> | undefined, promptText: string) {
  const choice = isRecord(body['tool_choice']) ? body['tool_choice'] : {};
  if (!Array.isArray(body['tools']) || choice['type'] === 'none' || hasBlock(lastUser, 'tool_result')) return undefined;
  const functions = body['tools'].filter(isRecord).map((t) => ({ name: t['name'], parameters: t['input_schema'] }));
  return fakeCall(functions, choice['type'] === 'tool' ? choice['name'] : undefined, promptText);
}

/** Anthropic's rule: a tool_result answers a tool_use of the message just before it. */
function unmatchedToolResult(messages: Record<string, unknown>[]): string | undefined {
  for (const [i, message] of messages.entries()) {
    const results = blocksOf(message, 'tool_result');
    const used = new Set(blocksOf(messages[i - 1], 'tool_use').map((b) => b['id']));
    const stray = results.find((b) => !used.has(b['tool_use_id']));
    if (stray)
      return `messages.${i}.content: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(stray['tool_use_id'])}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
  }
  return undefined;
}

const blocksOf = (message: Record<string, unknown> | undefined, type: string): Record<string, unknown>[] =>
  Array.isArray(message?.['content']) ? message['content'].filter((b) => isRecord(b) && b['type'] === type) : [];

const hasBlock = (message: Record<string, unknown> | undefined, type: string) => blocksOf(message, type).length > 0;
