import { estimateTokens, fakeAnswer, fakeCall, fakeEmbedding, isRecord, limitReply, promptTokens, replyChunks, textOf } from './content.js';
import {
  FakeServer,
  type ErrorDetails,
  type ErrorReply,
  type FakeCall,
  type FakeModel,
  type FakeRoute,
  type FakeServerOptions,
} from './fake-server.js';

export const GEMINI_DEFAULT_KEY = 'fake-gemini-key';

export const GEMINI_DEFAULT_MODELS: readonly FakeModel[] = [
  { id: 'gemini-2.5-flash', type: 'generation', contextWindow: 1_048_576, maxOutputTokens: 65_536, displayName: 'Gemini 2.5 Flash' },
  { id: 'gemini-2.0-flash', type: 'generation', contextWindow: 1_048_576, maxOutputTokens: 8192, displayName: 'Gemini 2.0 Flash' },
  { id: 'gemini-embedding-001', type: 'embedding', contextWindow: 2048, dimensions: 3072, displayName: 'Gemini Embedding 001' },
  { id: 'text-embedding-004', type: 'embedding', contextWindow: 2048, dimensions: 768, displayName: 'Text Embedding 004' },
];

const statusNames: Record<number, { status: string; message: string }> = {
  400: { status: 'INVALID_ARGUMENT', message: 'Request contains an invalid argument.' },
  401: {
    status: 'UNAUTHENTICATED',
    message:
      'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
  },
  403: { status: 'PERMISSION_DENIED', message: 'The caller does not have permission' },
  404: { status: 'NOT_FOUND', message: 'Requested entity was not found.' },
  429: { status: 'RESOURCE_EXHAUSTED', message: 'You exceeded your current quota, please check your plan and billing details.' },
  500: {
    status: 'INTERNAL',
    message: 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
  },
  503: { status: 'UNAVAILABLE', message: 'The model is overloaded. Please try again later.' },
  504: { status: 'DEADLINE_EXCEEDED', message: 'The request timed out. Please try again.' },
};

/** Google's error body: {"error":{"code","message","status","details"}} with ErrorInfo/RetryInfo details. */
function geminiErrorBody(status: number, details: ErrorDetails): { error: Record<string, unknown> } {
  const fallback = statusNames[status] ?? { status: status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION', message: `Error ${status}` };
  const extra: Record<string, unknown>[] = [];
  if (details.code) {
    extra.push({
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: details.code,
      domain: 'googleapis.com',
      metadata: { service: 'generativelanguage.googleapis.com' },
    });
  }
  if (details.retryAfter !== undefined)
    extra.push({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${details.retryAfter}s` });
  return {
    error: {
      code: status,
      message: details.message ?? fallback.message,
      status: fallback.status,
      ...(extra.length > 0 && { details: extra }),
    },
  };
}

const methods = 'generateContent|streamGenerateContent|embedContent|batchEmbedContents|countTokens';

/**
 * Gemini API (generativelanguage): x-goog-api-key header or ?key=, models/{m}:generateContent,
 * :streamGenerateContent (SSE with alt=sse, else a JSON array), :embedContent, :batchEmbedContents.
 */
export class GeminiFake extends FakeServer {
  readonly provider = 'gemini';

  constructor(options: FakeServerOptions = {}) {
    super(options, { apiKeys: [GEMINI_DEFAULT_KEY], models: GEMINI_DEFAULT_MODELS });
  }

  protected routes(): FakeRoute[] {
    return [
      { method: 'GET', path: /^\/(v1|v1beta|v1alpha)\/models$/, handle: (call) => this.listModels(call) },
      { method: 'GET', path: /^\/(v1|v1beta|v1alpha)\/models\/([^/:]+)$/, modelOf: (p) => p[1], handle: (call) => this.getModel(call) },
      {
        method: 'POST',
        path: new RegExp(`^/(v1|v1beta|v1alpha)/models/([^/:]+):(${methods})$`),
        modelOf: (p) => p[1],
        handle: (call) => this.modelMethod(call),
      },
    ];
  }

  protected authFailure(call: FakeCall): ({ status: number } & ErrorDetails) | undefined {
    if (this.apiKeys.size === 0) return undefined;
    const key = call.header('x-goog-api-key') ?? call.url.searchParams.get('key');
    if (!key) {
      return {
        status: 403,
        message:
          "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
      };
    }
    // Google answers a wrong key with 400, not 401.
    if (!this.apiKeys.has(key)) return { status: 400, message: 'API key not valid. Please pass a valid API key.', code: 'API_KEY_INVALID' };
    return undefined;
  }

  protected errorReply(status: number, details: ErrorDetails): ErrorReply {
    return { status, body: geminiErrorBody(status, details), headers: { 'content-type': 'application/json; charset=UTF-8' } };
  }

  protected override streamErrorFrame(status: number): string {
    return `data: ${JSON.stringify(geminiErrorBody(status, {}))}\n\n`;
  }

  private modelMethod(call: FakeCall): Promise<void> | void {
    const [version, modelId, method] = call.params as [string, string, string];
    const model = this.findModel(modelId);
    const wanted = method === 'embedContent' || method === 'batchEmbedContents' ? 'embedding' : 'generation';
    if (!model || (model.type !== wanted && method !== 'countTokens')) {
      return this.sendError(call, 404, {
        message: `models/${modelId} is not found for API version ${version}, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.`,
      });
    }
    const body = isRecord(call.body) ? call.body : {};
    if (method === 'embedContent') return this.embedContent(call, model, body);
    if (method === 'batchEmbedContents') return this.batchEmbedContents(call, model, modelId, body);
    const contents = Array.isArray(body['contents']) ? body['contents'].filter(isRecord) : [];
    if (contents.length === 0)
      return this.sendError(call, 400, { message: '* GenerateContentRequest.contents: contents is not specified' });
    const inputTokens = promptTokens([textOf(body['systemInstruction']), ...contents.map((c) => textOf(c['parts']))]);
    if (method === 'countTokens') return this.sendJson(call, { totalTokens: inputTokens });
    if (inputTokens > model.contextWindow) {
      return this.sendError(call, 400, {
        message: `The input token count (${inputTokens}) exceeds the maximum number of tokens allowed (${model.contextWindow}).`,
      });
    }
    return this.generate(call, model, body, contents, inputTokens, method === 'streamGenerateContent');
  }

  private async generate(
    call: FakeCall,
    model: FakeModel,
    body: Record<string, unknown>,
    contents: Record<string, unknown>[],
    inputTokens: number,
    streamed: boolean,
  ): Promise<void> {
    const lastUser = [...contents].reverse().find((c) => (c['role'] ?? 'user') === 'user');
    const config = isRecord(body['generationConfig']) ? body['generationConfig'] : {};
    const maxTokens = typeof config['maxOutputTokens'] === 'number' ? config['maxOutputTokens'] : undefined;
    const results = partsOf(lastUser, 'functionResponse');
    const promptText = results.length > 0 ? results.map(responseText).join('\n') : textOf(lastUser?.['parts']);
    const made = results.length > 0 ? undefined : functionCallFor(body, promptText);
    // JSON mode: a JSON MIME type, with a schema in either of Gemini's two spellings.
    const json =
      config['responseMimeType'] === 'application/json' ? { schema: config['responseJsonSchema'] ?? config['responseSchema'] } : undefined;
    const { text, truncated } = made ? { text: '', truncated: false } : limitReply(fakeAnswer(promptText, json), maxTokens);
    const outputTokens = estimateTokens(made ? made.name + made.arguments : text);
    // Gemini sends a call whole, in one part and one chunk, and finishes it with STOP.
    const callPart = made && { functionCall: { name: made.name, args: JSON.parse(made.arguments) as unknown } };
    const responseId = this.nextId('resp-');
    const usage = (candidatesTokenCount: number | undefined) => ({
      promptTokenCount: inputTokens,
      ...(candidatesTokenCount !== undefined && { candidatesTokenCount }),
      totalTokenCount: inputTokens + (candidatesTokenCount ?? 0),
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: inputTokens }],
    });
    const response = (piece: string, finished: boolean) => ({
      candidates: [
        {
          content: { parts: [callPart ?? { text: piece }], role: 'model' },
          ...(finished && { finishReason: truncated ? 'MAX_TOKENS' : 'STOP' }),
          index: 0,
        },
      ],
      usageMetadata: usage(finished ? outputTokens : undefined),
      modelVersion: model.id,
      responseId,
    });
    if (!streamed) return this.sendJson(call, response(text, true));

    const stream = this.openStream(call, call.url.searchParams.get('alt') === 'sse' ? 'sse' : 'json-array');
    const pieces = made ? [''] : replyChunks(text);
    for (const [index, piece] of pieces.entries()) {
      if (!(await stream.event(response(piece, index === pieces.length - 1)))) return;
    }
    stream.end();
  }

  private embedContent(call: FakeCall, model: FakeModel, body: Record<string, unknown>): void {
    const dimensions = this.outputDimensions(call, model, body['outputDimensionality']);
    if (dimensions === undefined) return;
    this.sendJson(call, { embedding: { values: fakeEmbedding(textOf(body['content']), dimensions) } });
  }

  private batchEmbedContents(call: FakeCall, model: FakeModel, modelId: string, body: Record<string, unknown>): void {
    const requests = Array.isArray(body['requests']) ? body['requests'].filter(isRecord) : [];
    if (requests.length === 0)
      return this.sendError(call, 400, { message: '* BatchEmbedContentsRequest.requests: requests is not specified' });
    const foreign = requests.find((r) => r['model'] !== undefined && r['model'] !== `models/${modelId}`);
    if (foreign)
      return this.sendError(call, 400, { message: `Model ${String(foreign['model'])} in the request does not match models/${modelId}.` });
    const embeddings: { values: number[] }[] = [];
    for (const request of requests) {
      const dimensions = this.outputDimensions(call, model, request['outputDimensionality']);
      if (dimensions === undefined) return;
      embeddings.push({ values: fakeEmbedding(textOf(request['content']), dimensions) });
    }
    this.sendJson(call, { embeddings });
  }

  /** The requested output dimensionality, or undefined after answering 400 for an invalid one. */
  private outputDimensions(call: FakeCall, model: FakeModel, requested: unknown): number | undefined {
    const full = model.dimensions ?? 768;
    if (requested === undefined) return full;
    if (typeof requested === 'number' && Number.isInteger(requested) && requested >= 1 && requested <= full) return requested;
    this.sendError(call, 400, { message: `* EmbedContentRequest.output_dimensionality: must be between 1 and ${full}` });
    return undefined;
  }

  private listModels(call: FakeCall): void {
    const pageSize = Math.min(Number(call.url.searchParams.get('pageSize') ?? 50) || 50, 1000);
    const offset = Number(call.url.searchParams.get('pageToken') ?? 0) || 0;
    const page = this.models.slice(offset, offset + pageSize).map((m) => this.modelResource(m));
    const next = offset + pageSize < this.models.length ? String(offset + pageSize) : undefined;
    this.sendJson(call, { models: page, ...(next && { nextPageToken: next }) });
  }

  private getModel(call: FakeCall): void {
    const model = this.models.find((m) => m.id === call.params[1]);
    if (!model) return this.sendError(call, 404, { message: `models/${call.params[1]} is not found for API version ${call.params[0]}` });
    this.sendJson(call, this.modelResource(model));
  }

  private modelResource(model: FakeModel): Record<string, unknown> {
    const common = {
      name: `models/${model.id}`,
      version: '001',
      displayName: model.displayName ?? model.id,
      description: `Fake ${model.id}`,
      inputTokenLimit: model.contextWindow,
    };
    if (model.type === 'embedding') {
      return { ...common, outputTokenLimit: 1, supportedGenerationMethods: ['embedContent', 'countTextTokens', 'countTokens'] };
    }
    return {
      ...common,
      outputTokenLimit: model.maxOutputTokens ?? 8192,
      supportedGenerationMethods: ['generateContent', 'countTokens', 'createCachedContent', 'batchGenerateContent'],
      temperature: 1,
      topP: 0.95,
      topK: 64,
      maxTemperature: 2,
    };
  }
}

/** The functionCall a fake Gemini answers with: functions declared, and a calling mode other than NONE. */
function functionCallFor(body: Record<string, unknown>, promptText: string) {
  const config =
    isRecord(body['toolConfig']) && isRecord(body['toolConfig']['functionCallingConfig'])
      ? body['toolConfig']['functionCallingConfig']
      : {};
  if (!Array.isArray(body['tools']) || config['mode'] === 'NONE') return undefined;
  const functions = body['tools']
    .filter(isRecord)
    .flatMap((t) => (Array.isArray(t['functionDeclarations']) ? t['functionDeclarations'].filter(isRecord) : []))
    .map((f) => ({ name: f['name'], parameters: f['parametersJsonSchema'] ?? f['parameters'] }));
  const allowed = Array.isArray(config['allowedFunctionNames']) ? config['allowedFunctionNames'] : [];
  return fakeCall(functions, allowed.length === 1 ? allowed[0] : undefined, promptText);
}

const partsOf = (content: Record<string, unknown> | undefined, key: string): Record<string, unknown>[] =>
  Array.isArray(content?.['parts']) ? content['parts'].flatMap((p) => (isRecord(p) && isRecord(p[key]) ? [p[key]] : [])) : [];

// What a function returned: its `content` when it is text, else the whole response as JSON.
function responseText(result: Record<string, unknown>): string {
  const response = isRecord(result['response']) ? result['response'] : {};
  return typeof response['content'] === 'string' ? response['content'] : JSON.stringify(response);
}
