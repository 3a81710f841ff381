import type { ErrorDetails, ErrorReply, FakeCall, FakeModel, FakeRoute, FakeServerOptions } from './fake-server.js';
import { OpenAiCompatibleFake } from './openai-compatible.js';

export const OPENAI_DEFAULT_KEY = 'sk-fake-openai';

export const OPENAI_DEFAULT_MODELS: readonly FakeModel[] = [
  { id: 'gpt-4o-mini', type: 'generation', contextWindow: 128_000, maxOutputTokens: 16_384 },
  { id: 'gpt-4o', type: 'generation', contextWindow: 128_000, maxOutputTokens: 16_384 },
  { id: 'text-embedding-3-small', type: 'embedding', contextWindow: 8191, dimensions: 1536 },
  { id: 'text-embedding-3-large', type: 'embedding', contextWindow: 8191, dimensions: 3072 },
];

export interface OpenAiFakeOptions extends FakeServerOptions {
  /**
   * Path prefixes the API is served under. OpenAI itself: ['/v1'] (default). LiteLLM and many
   * OpenAI-compatible servers answer both with and without it: ['/v1', ''].
   */
  basePaths?: readonly string[];
  /** Name reported in errors and logs, e.g. 'litellm'. */
  name?: string;
}

const defaultMessages: Record<number, { message: string; type: string; code: string | null }> = {
  400: { message: 'Invalid request.', type: 'invalid_request_error', code: null },
  401: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' },
  403: { message: 'You are not allowed to access this model.', type: 'invalid_request_error', code: 'model_not_found' },
  404: { message: 'The model does not exist or you do not have access to it.', type: 'invalid_request_error', code: 'model_not_found' },
  429: { message: 'Rate limit reached for requests.', type: 'requests', code: 'rate_limit_exceeded' },
  500: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', code: null },
  503: { message: 'The engine is currently overloaded, please try again later.', type: 'server_error', code: null },
};

/** OpenAI error body: {"error":{"message","type","param","code"}}. */
export function openAiErrorBody(status: number, details: ErrorDetails): { error: Record<string, unknown> } {
  const fallback = defaultMessages[status] ?? {
    message: `Upstream error ${status}.`,
    type: status >= 500 ? 'server_error' : 'invalid_request_error',
    code: null,
  };
  let message = details.message ?? fallback.message;
  if (status === 429 && details.retryAfter !== undefined && !details.message) message += ` Please try again in ${details.retryAfter}s.`;
  return { error: { message, type: fallback.type, param: null, code: details.code === undefined ? fallback.code : details.code } };
}

/** Masks a key the way OpenAI quotes it back: first three and last four characters. */
export function maskKey(key: string): string {
  return key.length > 8 ? `${key.slice(0, 3)}${'*'.repeat(Math.max(4, key.length - 7))}${key.slice(-4)}` : '****';
}

/** OpenAI (and any OpenAI-compatible server, e.g. LiteLLM): Bearer auth, /v1/chat/completions, /v1/embeddings, /v1/models. */
export class OpenAiFake extends OpenAiCompatibleFake {
  readonly provider: string;
  private readonly basePaths: readonly string[];

  constructor(options: OpenAiFakeOptions = {}) {
    super(options, { apiKeys: [OPENAI_DEFAULT_KEY], models: OPENAI_DEFAULT_MODELS });
    this.provider = options.name ?? 'openai';
    this.basePaths = options.basePaths ?? ['/v1'];
  }

  protected routes(): FakeRoute[] {
    const prefix = `(?:${this.basePaths.map((p) => p.replace(/[/.]/g, '\\$&')).join('|')})`;
    const at = (path: string) => new RegExp(`^${prefix}${path}$`);
    return [
      { method: 'POST', path: at('/chat/completions'), handle: (call) => this.chatCompletions(call) },
      { method: 'POST', path: at('/embeddings'), handle: (call) => this.embeddings(call) },
      { method: 'GET', path: at('/models'), handle: (call) => this.listModels(call) },
      { method: 'GET', path: at('/models/([^/]+)'), handle: (call) => this.retrieveModel(call, call.params[0]!) },
    ];
  }

  protected authFailure(call: FakeCall): ({ status: number } & ErrorDetails) | undefined {
    if (this.apiKeys.size === 0) return undefined;
    const authorization = call.header('authorization');
    const key = authorization?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
    if (!key) {
      return {
        status: 401,
        message:
          "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        code: null,
      };
    }
    if (!this.apiKeys.has(key)) return { status: 401, message: `Incorrect API key provided: ${maskKey(key)}.`, code: 'invalid_api_key' };
    return undefined;
  }

  protected errorReply(status: number, details: ErrorDetails): ErrorReply {
    return { status, body: openAiErrorBody(status, details), headers: { 'x-request-id': this.nextId('req_') } };
  }

  protected override streamErrorFrame(status: number): string {
    return `data: ${JSON.stringify(openAiErrorBody(status, {}))}\n\n`;
  }

  protected modelFor(call: FakeCall): FakeModel | undefined {
    const requested = (call.body as { model?: unknown }).model;
    if (typeof requested !== 'string' || requested === '') {
      this.sendError(call, 400, { message: 'you must provide a model parameter' });
      return undefined;
    }
    const model = this.findModel(requested);
    if (!model)
      this.sendError(call, 404, {
        message: `The model \`${requested}\` does not exist or you do not have access to it.`,
        code: 'model_not_found',
      });
    return model;
  }
}
