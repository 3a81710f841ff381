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

/** Every operation can answer 422/500 as problem+json; saying so once keeps controllers short. */
function withProblemDefaults(document: OpenAPIObject): OpenAPIObject {
  const problemContent = { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemResponse' } } };
  for (const path of Object.values(document.paths)) {
    for (const operation of Object.values(path)) {
      if (typeof operation !== 'object' || !operation || !('responses' in operation)) continue;
      const responses = operation.responses as Record<string, { description: string; content?: unknown }>;
      for (const [status, response] of Object.entries(responses)) {
        if (Number(status) >= 400) response.content = problemContent;
      }
      const hasBody = 'requestBody' in operation || ('parameters' in operation && (operation.parameters as unknown[]).length > 0);
      if (hasBody) responses['422'] ??= { description: 'Validation failed (field errors)', content: problemContent };
      responses['500'] ??= { description: 'Unexpected error (request id in the body)', content: problemContent };
    }
  }
  return document;
}

export function setupSwaggerUi(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup(DOCS_PATH, app, document, {
    jsonDocumentUrl: `${DOCS_PATH}-json`,
    customSiteTitle: 'Switchboard API',
    swaggerOptions: { persistAuthorization: true },
  });
}
