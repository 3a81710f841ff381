import { createHash } from 'node:crypto';
import {
  embeddingInputs,
  estimateTokens,
  fakeAnswer,
  fakeEmbedding,
  fakeToolCall,
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

export const OLLAMA_VERSION = '0.12.6';

/** `dimensions` of a generation model is its hidden size, which Ollama also reports as `<arch>.embedding_length`. */
export const OLLAMA_DEFAULT_MODELS: readonly FakeModel[] = [
  { id: 'llama3.2', type: 'generation', contextWindow: 131_072, dimensions: 3072, architecture: 'llama' },
  { id: 'nomic-embed-text', type: 'embedding', contextWindow: 2048, dimensions: 768, architecture: 'nomic-bert' },
  { id: 'mxbai-embed-large', type: 'embedding', contextWindow: 512, dimensions: 1024, architecture: 'bert' },
];

const defaultMessages: Record<number, string> = {
  400: 'invalid request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not found',
  429: 'too many requests',
  500: 'internal server error',
  503: 'server busy, please try again.  maximum pending requests exceeded',
};

const withTag = (name: string) => (name.includes(':') ? name : `${name}:latest`);
// Fake but stable timings (nanoseconds), so responses have every field clients read.
const durations = { total_duration: 123_456_789, load_duration: 1_234_567, prompt_eval_duration: 2_345_678, eval_duration: 98_765_432 };

/** Ollama: no auth by default, /api/chat (NDJSON stream by default), /api/embed, /api/tags, /api/show, /api/version. */
export class OllamaFake extends FakeServer {
  readonly provider = 'ollama';

  constructor(options: FakeServerOptions = {}) {
    super(options, { apiKeys: [], models: OLLAMA_DEFAULT_MODELS });
  }

  protected routes(): FakeRoute[] {
    return [
      // The health probe most clients use.
      {
        method: 'GET',
        path: /^\/$/,
        handle: ({ res }) => {
          res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('Ollama is running');
        },
      },
      { method: 'POST', path: /^\/api\/chat$/, handle: (call) => this.chat(call) },
      { method: 'POST', path: /^\/api\/embed$/, handle: (call) => this.embed(call) },
      { method: 'POST', path: /^\/api\/embeddings$/, handle: (call) => this.legacyEmbeddings(call) },
      { method: 'GET', path: /^\/api\/tags$/, handle: (call) => this.tags(call) },
      { method: 'POST', path: /^\/api\/show$/, modelOf: (_p, body) => modelName(body), handle: (call) => this.show(call) },
      { method: 'GET', path: /^\/api\/version$/, handle: (call) => this.sendJson(call, { version: OLLAMA_VERSION }) },
    ];
  }

  /** Ollama has no auth; with keys configured it checks Bearer tokens, as a reverse proxy in front of it would. */
  protected authFailure(call: FakeCall): ({ status: number } & ErrorDetails) | undefined {
    if (this.apiKeys.size === 0 || call.url.pathname === '/') return undefined;
    const key = call
      .header('authorization')
      ?.match(/^Bearer\s+(.+)$/i)?.[1]
      ?.trim();
    return key && this.apiKeys.has(key) ? undefined : { status: 401 };
  }

  protected errorReply(status: number, details: ErrorDetails): ErrorReply {
    return { status, body: { error: details.message ?? defaultMessages[status] ?? `error ${status}` } };
  }

  protected override streamErrorFrame(status: number): string {
    return `${JSON.stringify({ error: defaultMessages[status] ?? `error ${status}` })}\n`;
  }

  protected override sameModel(catalogueId: string, requestedId: string): boolean {
    return withTag(catalogueId) === withTag(requestedId);
  }

  private modelOrError(call: FakeCall, name: string | undefined, type: FakeModel['type']): FakeModel | undefined {
    if (!name) {
      this.sendError(call, 400, { message: 'model is required' });
      return undefined;
    }
    const model = this.findModel(name);
    if (!model) {
      this.sendError(call, 404, { message: `model "${name}" not found, try pulling it first` });
      return undefined;
    }
    if (model.type !== type) {
      this.sendError(call, 400, { message: `"${name}" does not support ${type === 'embedding' ? 'embeddings' : 'chat'}` });
      return undefined;
    }
    return model;
  }

  private async chat(call: FakeCall): Promise<void> {
    const body = isRecord(call.body) ? call.body : {};
    const name = modelName(body);
    const model = this.modelOrError(call, name, 'generation');
    if (!model) return;
    const messages = Array.isArray(body['messages']) ? body['messages'].filter(isRecord) : [];
    const options = isRecord(body['options']) ? body['options'] : {};
    const numPredict = typeof options['num_predict'] === 'number' && options['num_predict'] >= 0 ? options['num_predict'] : undefined;
    // A tool's result is answered like a user's message; a user's message with tools offered gets a call.
    const prompt = [...messages].reverse().find((m) => m['role'] === 'user' || m['role'] === 'tool');
    const promptText = textOf(prompt?.['content']);
    // Ollama has no tool_choice: a model offered tools calls one or not, here always the first.
    const tool = prompt?.['role'] === 'user' ? fakeToolCall(body['tools'], undefined, promptText) : undefined;
    // `format`: "json", or a JSON schema the reply must match.
    const format = body['format'];
    const json = format === 'json' ? {} : isRecord(format) ? { schema: format } : undefined;
    const { text, truncated } = tool ? { text: '', truncated: false } : limitReply(fakeAnswer(promptText, json), numPredict);
    const head = { model: name, created_at: new Date().toISOString() };
    const final = {
      done_reason: truncated ? 'length' : 'stop',
      done: true,
      ...durations,
      prompt_eval_count: promptTokens(messages.map((m) => textOf(m['content']))),
      eval_count: estimateTokens(tool ? tool.name + tool.arguments : text),
    };
    // Ollama gives a call's arguments as an object, and the whole call in one message.
    const toolCalls = tool && [{ function: { index: 0, name: tool.name, arguments: JSON.parse(tool.arguments) as unknown } }];
    // Unlike the other APIs, Ollama streams unless told not to.
    if (body['stream'] === false) {
      return this.sendJson(call, {
        ...head,
        message: { role: 'assistant', content: text, ...(toolCalls && { tool_calls: toolCalls }) },
        ...final,
      });
    }
    const stream = this.openStream(call, 'ndjson');
    if (toolCalls && !(await stream.event({ ...head, message: { role: 'assistant', content: '', tool_calls: toolCalls }, done: false })))
      return;
    for (const piece of tool ? [] : replyChunks(text)) {
      if (!(await stream.event({ ...head, message: { role: 'assistant', content: piece }, done: false }))) return;
    }
    if (await stream.event({ ...head, message: { role: 'assistant', content: '' }, ...final })) stream.end();
  }

  private embed(call: FakeCall): void {
    const body = isRecord(call.body) ? call.body : {};
    const inputs = embeddingInputs(body['input']);
    if (!inputs) return this.sendError(call, 400, { message: 'invalid input type' });
    const model = this.modelOrError(call, modelName(body), 'embedding');
    if (!model) return;
    const full = model.dimensions ?? 768;
    const dimensions = typeof body['dimensions'] === 'number' ? body['dimensions'] : full;
    if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > full) {
      return this.sendError(call, 400, { message: `invalid dimensions: must be between 1 and ${full}` });
    }
    this.sendJson(call, {
      model: modelName(body),
      embeddings: inputs.map((input) => fakeEmbedding(input, dimensions)),
      total_duration: durations.total_duration,
      load_duration: durations.load_duration,
      prompt_eval_count: promptTokens(inputs),
    });
  }

  /** The deprecated single-prompt endpoint, still used by older clients. */
  private legacyEmbeddings(call: FakeCall): void {
    const body = isRecord(call.body) ? call.body : {};
    const model = this.modelOrError(call, modelName(body), 'embedding');
    if (!model) return;
    this.sendJson(call, { embedding: fakeEmbedding(typeof body['prompt'] === 'string' ? body['prompt'] : '', model.dimensions ?? 768) });
  }

  private tags(call: FakeCall): void {
    this.sendJson(call, {
      models: this.models.map((m) => ({
        name: withTag(m.id),
        model: withTag(m.id),
        modified_at: '2025-01-01T00:00:00Z',
        size: m.type === 'embedding' ? 274_302_450 : 2_019_393_189,
        digest: createHash('sha256').update(m.id).digest('hex'),
        details: this.details(m),
      })),
    });
  }

  private show(call: FakeCall): void {
    const name = modelName(call.body);
    const model = name ? this.findModel(name) : undefined;
    if (!model) return this.sendError(call, 404, { message: `model '${name ?? ''}' not found` });
    const arch = model.architecture ?? 'llama';
    this.sendJson(call, {
      license: 'Fake license',
      modelfile: `FROM ${withTag(model.id)}`,
      parameters: model.type === 'generation' ? 'stop "<|eot_id|>"' : '',
      template: '{{ .Prompt }}',
      details: this.details(model),
      model_info: {
        'general.architecture': arch,
        'general.parameter_count': model.type === 'embedding' ? 136_727_040 : 3_212_749_888,
        [`${arch}.context_length`]: model.contextWindow,
        [`${arch}.embedding_length`]: model.dimensions ?? 3072,
      },
      capabilities: model.type === 'embedding' ? ['embedding'] : ['completion', 'tools'],
      modified_at: '2025-01-01T00:00:00Z',
    });
  }

  private details(model: FakeModel): Record<string, unknown> {
    const family = model.architecture ?? 'llama';
    return {
      parent_model: '',
      format: 'gguf',
      family,
      families: [family],
      parameter_size: model.type === 'embedding' ? '137M' : '3.2B',
      quantization_level: model.type === 'embedding' ? 'F16' : 'Q4_K_M',
    };
  }
}

/** Ollama accepts the model as `model` or, in older clients, `name`. */
function modelName(body: unknown): string | undefined {
  if (!isRecord(body)) return undefined;
  const name = body['model'] ?? body['name'];
  return typeof name === 'string' && name !== '' ? name : undefined;
}
