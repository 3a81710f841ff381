import type { OpenAPIObject } from '@nestjs/swagger';
import { createApp } from '../../src/app.factory.js';
import { loadConfig } from '../../src/config/app-config.js';
import { buildOpenApiDocument, THROTTLED_OPERATIONS } from '../../src/openapi/openapi.js';

interface Response {
  description?: string;
  content?: Record<string, { schema?: { $ref?: string } }>;
  headers?: Record<string, unknown>;
}
interface Operation {
  operationId: string;
  requestBody?: { content: Record<string, { schema?: { $ref?: string }; example?: unknown }> };
  responses: Record<string, Response>;
}

/** The contract as `npm run openapi` writes it: built in preview mode, no database. */
describe('OpenAPI document', () => {
  let doc: OpenAPIObject;
  let operations: { route: string; method: string; op: Operation }[];

  beforeAll(async () => {
    const app = await createApp({
      config: loadConfig({ LOG_LEVEL: 'silent' }),
      database: { url: 'postgres://unused/unused' },
      keyring: { current: { kid: 'preview', key: Buffer.alloc(32) }, previous: [], source: 'environment' },
      preview: true,
    });
    doc = buildOpenApiDocument(app);
    await app.close();
    operations = Object.entries(doc.paths).flatMap(([route, methods]) =>
      Object.entries(methods)
        .filter(([, op]) => typeof op === 'object' && op !== null && 'responses' in op)
        .map(([method, op]) => ({ route, method, op: op as unknown as Operation })),
    );
  });

  const errorSchema = (route: string) =>
    route.startsWith('/v1/')
      ? { 'application/json': { schema: { $ref: '#/components/schemas/OpenAiErrorResponse' } } }
      : { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemResponse' } } };
  const missing = (test: (o: { route: string; op: Operation }) => boolean) =>
    operations.filter((o) => !test(o)).map(({ route, method }) => `${method.toUpperCase()} ${route}`);

  it('declares 404 on every operation with a path parameter', () => {
    expect(missing(({ route, op }) => !route.includes('{') || op.responses['404']?.content !== undefined)).toEqual([]);
  });

  it('declares 400 (malformed body) on every operation with a request body', () => {
    expect(missing(({ op }) => !op.requestBody || /not valid JSON|could not be read/.test(op.responses['400']?.description ?? ''))).toEqual(
      [],
    );
  });

  it('declares 429 with Retry-After where a limit applies: login, the gateway’s key budget, the conversation budget', () => {
    expect(Object.keys(THROTTLED_OPERATIONS).sort()).toEqual(['createChatCompletion', 'createEmbeddings', 'login', 'sendMessage']);
    for (const id of Object.keys(THROTTLED_OPERATIONS)) {
      const found = operations.find(({ op }) => op.operationId === id);
      expect(found?.op.responses['429']).toMatchObject({ headers: { 'Retry-After': expect.any(Object) } });
    }
    expect(missing(({ op }) => !op.responses['429'] || op.operationId in THROTTLED_OPERATIONS)).toEqual([]);
  });

  it('describes every success response', () => {
    expect(
      missing(({ op }) => Object.entries(op.responses).every(([status, r]) => Number(status) >= 300 || Boolean(r.description))),
    ).toEqual([]);
  });

  it('gives every error its wire format: problem+json, or OpenAI’s error shape on /v1', () => {
    expect(
      missing(({ route, op }) =>
        Object.entries(op.responses).every(
          ([status, r]) => Number(status) < 400 || JSON.stringify(r.content) === JSON.stringify(errorSchema(route)),
        ),
      ),
    ).toEqual([]);
    expect(doc.components?.schemas?.OpenAiErrorResponse).toBeDefined();
  });

  it('has an example on every JSON request body', () => {
    const schemas = doc.components?.schemas as Record<string, { properties?: Record<string, { example?: unknown }> }>;
    expect(
      missing(({ op }) => {
        const json = op.requestBody?.content['application/json'];
        if (!json) return true;
        if (json.example !== undefined || (json.schema as { example?: unknown } | undefined)?.example !== undefined) return true;
        const ref = json.schema?.$ref?.split('/').at(-1);
        return Object.values(schemas[ref ?? '']?.properties ?? {}).some((p) => p.example !== undefined);
      }),
    ).toEqual([]);
  });

  it('documents the 401 of sign-in and refresh', () => {
    const byId = (id: string) => operations.find(({ op }) => op.operationId === id)!.op;
    expect(byId('login').responses['401']).toBeDefined();
    expect(byId('refresh').responses['401']).toBeDefined();
  });
});
