import { behaviourFromModelName } from './behaviour.js';
import type { ErrorDetails, ErrorReply, FakeCall, FakeModel, FakeRoute, FakeServerOptions } from './fake-server.js';
import { OpenAiCompatibleFake } from './openai-compatible.js';
import { OPENAI_DEFAULT_MODELS, openAiErrorBody } from './openai.fake.js';

export const AZURE_DEFAULT_KEY = 'fake-azure-key';

export interface AzureFakeOptions extends FakeServerOptions {
  /** Deployment name → catalogue model id; default: one deployment per model, named like it. */
  deployments?: Record<string, string>;
}

const dateVersion = /^\d{4}-\d{2}-\d{2}(-preview)?$/;
const v1Versions: ReadonlySet<string> = new Set(['v1', 'latest', 'preview']);

const azureMessages: Record<number, { code: string; message: string }> = {
  400: { code: 'BadRequest', message: 'Bad request.' },
  401: {
    code: '401',
    message:
      'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
  },
  403: { code: '403', message: 'Access denied: the resource does not allow this request.' },
  404: {
    code: 'DeploymentNotFound',
    message:
      'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.',
  },
  429: {
    code: '429',
    message:
      'Requests to the ChatCompletions_Create Operation under Azure OpenAI API have exceeded call rate limit of your current OpenAI S0 pricing tier.',
  },
  503: { code: 'ServiceUnavailable', message: 'The service is temporarily unable to process your request. Please try again later.' },
};

const safe = { filtered: false, severity: 'safe' };

/**
 * Azure OpenAI: deployment-scoped paths with a required api-version, the newer /openai/v1 paths,
 * the `api-key` header (Bearer also accepted), Azure's error bodies and content-filter annotations.
 */
export class AzureOpenAiFake extends OpenAiCompatibleFake {
  readonly provider = 'azure';
  readonly deployments: Record<string, string>;

  constructor(options: AzureFakeOptions = {}) {
    super(options, { apiKeys: [AZURE_DEFAULT_KEY], models: OPENAI_DEFAULT_MODELS });
    this.deployments = options.deployments ?? Object.fromEntries(this.models.map((m) => [m.id, m.id]));
  }

  protected routes(): FakeRoute[] {
    const deployment = (params: readonly string[]) => params[0];
    return [
      {
        method: 'POST',
        path: /^\/openai\/deployments\/([^/]+)\/chat\/completions$/,
        modelOf: deployment,
        handle: (call) => this.versioned(call, 'dated', () => this.chatCompletions(call)),
      },
      {
        method: 'POST',
        path: /^\/openai\/deployments\/([^/]+)\/embeddings$/,
        modelOf: deployment,
        handle: (call) => this.versioned(call, 'dated', () => this.embeddings(call)),
      },
      { method: 'GET', path: /^\/openai\/models$/, handle: (call) => this.versioned(call, 'dated', () => this.listModels(call)) },
      {
        method: 'POST',
        path: /^\/openai\/v1\/chat\/completions$/,
        handle: (call) => this.versioned(call, 'v1', () => this.chatCompletions(call)),
      },
      { method: 'POST', path: /^\/openai\/v1\/embeddings$/, handle: (call) => this.versioned(call, 'v1', () => this.embeddings(call)) },
      { method: 'GET', path: /^\/openai\/v1\/models$/, handle: (call) => this.versioned(call, 'v1', () => this.listModels(call)) },
    ];
  }

  protected authFailure(call: FakeCall): ({ status: number } & ErrorDetails) | undefined {
    if (this.apiKeys.size === 0) return undefined;
    const key = call.header('api-key') ?? call.header('authorization')?.match(/^Bearer\s+(.+)$/i)?.[1];
    return key && this.apiKeys.has(key.trim()) ? undefined : { status: 401 };
  }

  protected errorReply(status: number, details: ErrorDetails): ErrorReply {
    const headers: Record<string, string> = { 'apim-request-id': this.nextId('apim-') };
    if (details.retryAfter !== undefined) headers['retry-after-ms'] = String(details.retryAfter * 1000);
    if (status >= 500 && status !== 503) return { status, body: openAiErrorBody(status, details), headers };
    const fallback = azureMessages[status] ?? { code: String(status), message: `Request failed with status ${status}.` };
    let message = details.message ?? fallback.message;
    if (status === 429 && details.retryAfter !== undefined && !details.message)
      message += ` Please retry after ${details.retryAfter} seconds.`;
    return { status, body: { error: { code: details.code ?? fallback.code, message } }, headers };
  }

  protected override streamErrorFrame(status: number): string {
    return `data: ${JSON.stringify(openAiErrorBody(status, {}))}\n\n`;
  }

  protected override contentFilterResults(): Record<string, unknown> {
    return { hate: safe, self_harm: safe, sexual: safe, violence: safe };
  }

  protected override modelEntry(model: FakeModel): Record<string, unknown> {
    return {
      id: model.id,
      object: 'model',
      created_at: 1_700_000_000,
      status: 'succeeded',
      lifecycle_status: 'generally-available',
      capabilities: {
        chat_completion: model.type === 'generation',
        completion: false,
        embeddings: model.type === 'embedding',
        fine_tune: false,
        inference: true,
      },
    };
  }

  protected modelFor(call: FakeCall): FakeModel | undefined {
    const name = call.params[0] ?? (call.body as { model?: unknown }).model;
    const modelId = typeof name === 'string' ? (this.deployments[name] ?? (behaviourFromModelName(name) ? name : undefined)) : undefined;
    const model = this.findModel(modelId);
    if (!model) this.sendError(call, 404);
    return model;
  }

  /** Azure's api-version rules: required (dated) on deployment paths, optional on /openai/v1. */
  private versioned(call: FakeCall, style: 'dated' | 'v1', handle: () => Promise<void> | void): Promise<void> | void {
    const version = call.url.searchParams.get('api-version');
    if (style === 'dated' && !version) return this.sendError(call, 404, { code: '404', message: 'Resource not found' });
    const supported = style === 'dated' ? dateVersion.test(version!) : version === null || v1Versions.has(version);
    if (!supported) return this.sendError(call, 400, { code: 'BadRequest', message: 'API version not supported' });
    return handle();
  }
}
