import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ProblemResponse } from '../common/problem.dto.js';

export const DOCS_PATH = 'api/docs';

/** The OpenAPI document: operation ids are the handler names (`listModels`), so the generated client reads well. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Switchboard API')
    .setDescription(
      'Registry and gateway for large language models. Errors are application/problem+json (RFC 9457); ' +
        'validation failures are 422 with a per-field `errors` list. Each operation lists the roles allowed in `x-roles`.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A JWT from /auth/login, or an API key (sbk_…)' })
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (_controllerKey, methodKey) => methodKey,
    extraModels: [ProblemResponse],
  });
  return withProblemDefaults(document);
}

/**
 * Operations that can refuse with 429, by operation id: the login throttle, the gateway's per-key
 * budget (and upstream rate limits it passes on), and the per-user message budget of conversations.
 * The budgets live in services, not in decorators, so they are listed here; the OpenAPI test keeps
 * this list honest.
 */
export const THROTTLED_OPERATIONS: Record<string, string> = {
  login: 'Ten failed sign-ins within a minute from this IP or for this email',
  createChatCompletion: 'Over the key’s requests per minute (gateway.requests_per_minute_per_key), or the provider is rate limiting',
  createEmbeddings: 'Over the key’s requests per minute (gateway.requests_per_minute_per_key), or the provider is rate limiting',
  sendMessage: 'Over your messages per minute (conversations.messages_per_minute_per_user), or the provider is rate limiting',
};

/** The OpenAI-compatible routes answer errors in OpenAI's shape, not problem+json. */
const OPENAI_ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['message', 'type', 'param', 'code'],
      properties: {
        message: { type: 'string', example: 'This key may make 60 requests per minute' },
        type: { type: 'string', example: 'rate_limit_error' },
        param: { type: 'string', nullable: true, example: null },
        code: { type: 'string', nullable: true, example: 'rate_limit_exceeded' },
      },
    },
  },
};

type Responses = Record<string, { description: string; content?: unknown; headers?: Record<string, unknown> }>;

/**
 * Errors every operation shares, declared once here to keep controllers short: 422 and 500
 * everywhere, 404 where the path names something, 400 where a JSON body can be malformed, 429
 * where a limit applies; and a description on every success response.
 */
function withProblemDefaults(document: OpenAPIObject): OpenAPIObject {
  const problemContent = { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemResponse' } } };
  const openAiContent = { 'application/json': { schema: { $ref: '#/components/schemas/OpenAiErrorResponse' } } };
  document.components ??= {};
  document.components.schemas = { ...document.components.schemas, OpenAiErrorResponse: OPENAI_ERROR_SCHEMA };
  const retryAfter = { 'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer' } } };
  for (const [route, path] of Object.entries(document.paths)) {
    const errorContent = route.startsWith('/v1/') ? openAiContent : problemContent;
    const notFound = notFoundDescription(route);
    for (const operation of Object.values(path)) {
      if (typeof operation !== 'object' || !operation || !('responses' in operation)) continue;
      const responses = operation.responses as Responses;
      if (notFound) responses['404'] ??= { description: notFound };
      if (operation.requestBody) {
        const json = 'content' in operation.requestBody && 'application/json' in operation.requestBody.content;
        const malformed = json ? 'the body is not valid JSON' : 'the body could not be read';
        responses['400'] = responses['400']
          ? { ...responses['400'], description: `${responses['400'].description}; or ${malformed}` }
          : { description: malformed[0].toUpperCase() + malformed.slice(1) };
      }
      const throttled = THROTTLED_OPERATIONS[operation.operationId ?? ''];
      if (throttled) responses['429'] = { ...responses['429'], description: throttled, headers: retryAfter };
      const hasBody = operation.requestBody !== undefined || (operation.parameters ?? []).length > 0;
      if (hasBody) responses['422'] ??= { description: 'Validation failed (field errors)' };
      responses['500'] ??= { description: 'Unexpected error (request id in the body)' };
      for (const [status, response] of Object.entries(responses)) {
        if (Number(status) >= 400) response.content = errorContent;
        else if (!response.description) response.description = SUCCESS_DESCRIPTIONS[status] ?? 'Success';
      }
      operation.responses = sortByStatus(responses);
    }
  }
  return document;
}

/** `/api/v1/knowledge-bases/{id}/documents/{documentId}` → "No such document". */
function notFoundDescription(route: string): string | undefined {
  const segments = route.split('/');
  const last = segments.findLastIndex((s) => /^\{\w+\}$/.test(s));
  if (last < 1) return undefined;
  const thing = segments[last - 1].replace(/s$/, '').replace(/-/g, ' ');
  return `No such ${thing}`;
}

const SUCCESS_DESCRIPTIONS: Record<string, string> = { '200': 'OK', '201': 'Created', '202': 'Accepted', '204': 'No content' };

/** Status order, so an added 400 or 404 lands where a reader expects it (and the file diffs stay small). */
function sortByStatus(responses: Responses): Responses {
  return Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
}

export function setupSwaggerUi(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup(DOCS_PATH, app, document, {
    jsonDocumentUrl: `${DOCS_PATH}-json`,
    customSiteTitle: 'Switchboard API',
    swaggerOptions: { persistAuthorization: true },
  });
}
