import {
  argumentPieces,
  estimateTokens,
  fakeAnswer,
  fakeEmbedding,
  fakeToolCall,
  isRecord,
  limitReply,
  promptTokens,
  replyChunks,
  textOf,
  unansweredToolResult,
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

export const COHERE_DEFAULT_KEY = 'fake-cohere-key';

export const COHERE_DEFAULT_MODELS: readonly FakeModel[] = [
  { id: 'command-a-03-2025', type: 'generation', contextWindow: 256_000, maxOutputTokens: 8000 },
  { id: 'command-r-08-2024', type: 'generation', contextWindow: 128_000, maxOutputTokens: 4000 },
  { id: 'embed-english-v3.0', type: 'embedding', contextWindow: 512, dimensions: 1024 },
  { id: 'embed-v4.0', type: 'embedding', contextWindow: 128_000, dimensions: 1536 },
];

const defaultMessages: Record<number, string> = {
  400: 'invalid request',
  401: 'invalid api token',
  403: 'forbidden: your API key does not have access to this resource',
  404: 'not found',
  429: 'You are past the per minute request limit, please wait and try again later.',
  500: 'internal server error, this has been reported to our developers',
  503: 'service unavailable, please try again later',
};

/** Cohere v2: Bearer auth, /v2/chat (whole and SSE), /v2/embed, /v1/models. */
export class CohereFake extends FakeServer {
  readonly provider = 'cohere';

  constructor(options: FakeServerOptions = {}) {
    super(options, { apiKeys: [COHERE_DEFAULT_KEY], models: COHERE_DEFAULT_MODELS });
  }

  protected routes(): FakeRoute[] {
    return [
      { method: 'POST', path: /^\/v2\/chat$/, handle: (call) => this.chat(call) },
      { method: 'POST', path: /^\/v2\/embed$/, handle: (call) => this.embed(call) },
      { method: 'GET', path: /^\/v1\/models$/, handle: (call) => this.listModels(call) },
      { method: 'GET', path: /^\/v1\/models\/([^/]+)$/, handle: (call) => this.getModel(call) },
    ];
  }

  protected authFailure(call: FakeCall): ({ status: number } & ErrorDetails) | undefined {
    if (this.apiKeys.size === 0) return undefined;
    const key = call
      .header('authorization')
      ?.match(/^Bearer\s+(.+)$/i)?.[1]
      ?.trim();
    if (!key) return { status: 401, message: 'no api key supplied' };
    return this.apiKeys.has(key) ? undefined : { status: 401, message: 'invalid api token' };
  }

  protected errorReply(status: number, details: ErrorDetails): ErrorReply {
    return { status, body: { id: this.nextId('err-'), message: details.message ?? defaultMessages[status] ?? `error ${status}` } };
  }

  private modelOrError(call: FakeCall, body: Record<string, unknown>, type: FakeModel['type']): FakeModel | undefined {
    const id = body['model'];
    const model = typeof id === 'string' ? this.findModel(id) : undefined;
    if (!model) {
      this.sendError(call, 404, {
        message: `model '${String(id)}' not found, make sure the correct model ID was used and that you have access to the model.`,
      });
      return undefined;
    }
    if (model.type !== type) {
      this.sendError(call, 400, {
        message: `invalid request: model '${model.id}' does not support ${type === 'embedding' ? 'embed' : 'chat'}`,
      });
      return undefined;
    }
    return model;
  }

  private async chat(call: FakeCall): Promise<void> {
    const body = isRecord(call.body) ? call.body : {};
    if (!Array.isArray(body['messages']) || body['messages'].length === 0)
      return this.sendError(call, 400, { message: 'invalid request: messages cannot be empty' });
    const model = this.modelOrError(call, body, 'generation');
    if (!model) return;
    const messages = body['messages'].filter(isRecord);
    const inputTokens = promptTokens(messages.map((m) => textOf(m['content'])));
    if (inputTokens > model.contextWindow) {
      return this.sendError(call, 400, {
        message: `invalid request: too many tokens: total number of tokens in the prompt cannot exceed ${model.contextWindow} - received ${inputTokens}.`,
      });
    }
    const stray = unansweredToolResult(messages);
    if (stray)
      return this.sendError(call, 400, { message: `invalid request: tool call id ${String(stray.id)} not found in previous tool calls` });
    // A tool's result is answered like a user's message; a user's message with tools offered gets a call.
    const prompt = [...messages].reverse().find((m) => m['role'] === 'user' || m['role'] === 'tool');
    const promptText = prompt?.['role'] === 'tool' ? toolResultText(prompt['content']) : textOf(prompt?.['content']);
    // Cohere's tools are OpenAI's; a named choice reaches it as REQUIRED with that tool alone.
    const tool =
      prompt?.['role'] === 'user'
        ? fakeToolCall(body['tools'], body['tool_choice'] === 'NONE' ? 'none' : undefined, promptText)
        : undefined;
    const maxTokens = typeof body['max_tokens'] === 'number' ? body['max_tokens'] : undefined;
    // Cohere's JSON mode is json_object, with an optional json_schema beside it.
    const format = body['response_format'];
    const json = isRecord(format) && format['type'] === 'json_object' ? { schema: format['json_schema'] } : undefined;
    const { text, truncated } = tool ? { text: '', truncated: false } : limitReply(fakeAnswer(promptText, json), maxTokens);
    const outputTokens = estimateTokens(tool ? tool.name + tool.arguments : text);
    const usage = {
      billed_units: { input_tokens: inputTokens, output_tokens: outputTokens },
      tokens: { input_tokens: inputTokens, output_tokens: outputTokens },
    };
    const finishReason = tool ? 'TOOL_CALL' : truncated ? 'MAX_TOKENS' : 'COMPLETE';
    const id = this.nextId('chat-');
    // Cohere's models say what they plan before they call (tool_plan), and write the arguments as JSON text.
    const toolPlan = tool && `I will call ${tool.name}.`;
    const toolCall = tool && { id: this.nextId(`${tool.name}_`), type: 'function', function: tool };
    if (body['stream'] !== true) {
      return this.sendJson(call, {
        id,
        message: toolCall
          ? { role: 'assistant', tool_plan: toolPlan, tool_calls: [toolCall] }
          : { role: 'assistant', content: [{ type: 'text', text }] },
        finish_reason: finishReason,
        usage,
      });
    }
    const stream = this.openStream(call, 'sse');
    const send = (data: Record<string, unknown>) => stream.event(data, data['type'] as string);
    if (
      !(await send({
        id,
        type: 'message-start',
        delta: { message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] } },
      }))
    )
      return;
    if (toolCall) {
      if (!(await send({ type: 'tool-plan-delta', delta: { message: { tool_plan: toolPlan } } }))) return;
      const named = { ...toolCall, function: { name: toolCall.function.name, arguments: '' } };
      if (!(await send({ type: 'tool-call-start', index: 0, delta: { message: { tool_calls: named } } }))) return;
      for (const piece of argumentPieces(toolCall.function.arguments)) {
        const delta = { message: { tool_calls: { function: { arguments: piece } } } };
        if (!(await send({ type: 'tool-call-delta', index: 0, delta }))) return;
      }
      if (!(await send({ type: 'tool-call-end', index: 0 }))) return;
    } else {
      if (!(await send({ type: 'content-start', index: 0, delta: { message: { content: { type: 'text', text: '' } } } }))) return;
      for (const piece of replyChunks(text)) {
        if (!(await send({ type: 'content-delta', index: 0, delta: { message: { content: { text: piece } } } }))) return;
      }
      if (!(await send({ type: 'content-end', index: 0 }))) return;
    }
    if (!(await send({ type: 'message-end', delta: { finish_reason: finishReason, usage } }))) return;
    if (await stream.raw('data: [DONE]\n\n')) stream.end();
  }

  private embed(call: FakeCall): void {
    const body = isRecord(call.body) ? call.body : {};
    const texts =
      Array.isArray(body['texts']) && body['texts'].every((t) => typeof t === 'string') ? (body['texts'] as string[]) : undefined;
    if (!texts || texts.length === 0)
      return this.sendError(call, 400, { message: 'invalid request: texts must be a non-empty list of strings' });
    if (typeof body['input_type'] !== 'string')
      return this.sendError(call, 400, { message: 'invalid request: input_type is required for embed v3 and later models' });
    const types = Array.isArray(body['embedding_types']) ? body['embedding_types'] : ['float'];
    if (types.some((t) => t !== 'float'))
      return this.sendError(call, 400, { message: 'invalid request: the fake Cohere server only serves float embeddings' });
    const model = this.modelOrError(call, body, 'embedding');
    if (!model) return;
    const full = model.dimensions ?? 1024;
    const dimensions = typeof body['output_dimension'] === 'number' ? body['output_dimension'] : full;
    if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > full) {
      return this.sendError(call, 400, { message: `invalid request: output_dimension must be between 1 and ${full}` });
    }
    this.sendJson(call, {
      id: this.nextId('embed-'),
      embeddings: { float: texts.map((text) => fakeEmbedding(text, dimensions)) },
      texts,
      meta: { api_version: { version: '2' }, billed_units: { input_tokens: promptTokens(texts) } },
      response_type: 'embeddings_by_type',
    });
  }

  private listModels(call: FakeCall): void {
    const endpoint = call.url.searchParams.get('endpoint');
    const pageSize = Number(call.url.searchParams.get('page_size') ?? 20) || 20;
    const offset = Number(call.url.searchParams.get('page_token') ?? 0) || 0;
    const matching = this.models.filter((m) => !endpoint || this.endpoints(m).includes(endpoint));
    const next = offset + pageSize < matching.length ? String(offset + pageSize) : undefined;
    this.sendJson(call, {
      models: matching.slice(offset, offset + pageSize).map((m) => this.modelEntry(m)),
      ...(next && { next_page_token: next }),
    });
  }

  private getModel(call: FakeCall): void {
    const model = this.models.find((m) => m.id === call.params[0]);
    if (!model) return this.sendError(call, 404, { message: `model '${call.params[0]}' not found` });
    this.sendJson(call, this.modelEntry(model));
  }

  private endpoints(model: FakeModel): string[] {
    return model.type === 'embedding' ? ['embed', 'embed_jobs'] : ['generate', 'chat', 'summarize'];
  }

  private modelEntry(model: FakeModel): Record<string, unknown> {
    return {
      name: model.id,
      endpoints: this.endpoints(model),
      finetuned: false,
      context_length: model.contextWindow,
      tokenizer_url: `https://storage.googleapis.com/cohere-public/tokenizers/${model.id}.json`,
      default_endpoints: [],
      features: model.type === 'embedding' ? [] : ['tools', 'json_mode', 'json_schema', 'safety_modes'],
    };
  }
}

/** A tool message's content: text, or the documents it returned (Cohere's v2 format). */
function toolResultText(content: unknown): string {
  if (!Array.isArray(content)) return textOf(content);
  return content
    .filter(isRecord)
    .map((block) => (isRecord(block['document']) ? documentText(block['document']['data']) : textOf(block)))
    .join('\n');
}

const documentText = (data: unknown) => (typeof data === 'string' ? data : JSON.stringify(data));
