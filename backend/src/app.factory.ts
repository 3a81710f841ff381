import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import fastifyMultipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { AppModule, type AppModuleOptions } from './app.module.js';
import { DomainError } from './common/domain-error.js';
import { serveDirectRoutes } from './direct-routes.js';
import { sendProblem, toProblem } from './common/problem.filter.js';
import { TurnPacer } from './common/turn-pacer.js';
import { OPENAI_ERRORS, toOpenAiError } from './gateway/openai-errors.js';
import { problem } from './common/problem.js';
import { createValidationPipe } from './common/validation.js';
import { MetricsService } from './health/metrics.service.js';
import { buildOpenApiDocument, setupSwaggerUi } from './openapi/openapi.js';
import { logRequests } from './request-logging.js';

export const API_PREFIX = 'api/v1';
/** Served outside /api/v1: probes and scrapers expect these at the root. */
export const ROOT_ROUTES = [
  { path: 'health/live', method: RequestMethod.GET },
  { path: 'health/ready', method: RequestMethod.GET },
  { path: 'metrics', method: RequestMethod.GET },
  // The OpenAI-compatible API lives at /v1, where OpenAI SDKs expect it.
  { path: 'v1/chat/completions', method: RequestMethod.POST },
  { path: 'v1/embeddings', method: RequestMethod.POST },
  { path: 'v1/models', method: RequestMethod.GET },
  { path: 'v1/models/:model', method: RequestMethod.GET },
];
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface CreateAppOptions extends AppModuleOptions {
  /** Folder holding the built console (index.html); not served when absent. */
  consoleDir?: string;
  /** Only build metadata (OpenAPI generation): no database, no providers. */
  preview?: boolean;
}

export async function createApp(options: CreateAppOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: options.config.BODY_LIMIT_BYTES,
    trustProxy: options.config.TRUST_PROXY,
    requestIdHeader: false,
    routerOptions: { maxParamLength: 500 },
    // Router-level refusals (malformed URL, over-long path parameter) come before Nest; answer them as problems too.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const status = error.statusCode ?? 400;
      const found = problem(status, error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'path_too_long' : 'malformed_url', error.message);
      if (request.url.startsWith(OPENAI_ERRORS.prefix)) {
        // The OpenAI-compatible routes answer in OpenAI's error shape, even before routing.
        const openAi = toOpenAiError(new DomainError('bad_request', found.code, found.detail));
        void reply.status(status).header('x-request-id', String(request.id)).send(openAi.body);
        return;
      }
      sendProblem(request, reply, found);
    },
    genReqId: (req: import('node:http').IncomingMessage) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(options), adapter, {
    bufferLogs: true,
    preview: options.preview,
    abortOnError: false,
  });
  if (!options.preview) app.useLogger(app.get(Logger));
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  const pacer = options.preview ? new TurnPacer() : app.get(TurnPacer);
  fastify.addHook('onRequest', (request, reply, done) => {
    (request.raw as typeof request.raw & { id?: string }).id = String(request.id);
    void reply.header('x-request-id', request.id);
    pacer.admit(done);
  });
  if (!options.preview) await logRequests(app, fastify);
  if (!options.preview) app.get(MetricsService).instrument(fastify);
  closeSilentConnectionsOnStop(fastify);
  // Document uploads; each route passes its own size limit (knowledge.max_upload_bytes) when reading.
  await fastify.register(fastifyMultipart, { limits: { files: 1, fields: 5, parts: 6 } });
  if (!options.preview) serveDirectRoutes(app, fastify);
  app.setGlobalPrefix(API_PREFIX, { exclude: ROOT_ROUTES });
  app.useGlobalPipes(createValidationPipe());
  setupSwaggerUi(app, buildOpenApiDocument(app));
  if (options.consoleDir && existsSync(join(options.consoleDir, 'index.html'))) {
    await serveConsole(fastify, options.consoleDir);
  }
  return app;
}

/**
 * A client may open a connection and not send a byte (a pool connecting ahead of a request it then
 * dropped). Node counts such a connection as busy until its headers time out, so stopping would
 * wait a minute for it; nothing can be in flight on it, so it is closed with the server.
 */
function closeSilentConnectionsOnStop(fastify: FastifyInstance): void {
  const open = new Set<Socket>();
  fastify.server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  fastify.addHook('preClose', (done) => {
    for (const socket of open) if (socket.bytesRead === 0) socket.destroy();
    done();
  });
}

/** The Angular console at `/`, with every non-API path falling back to index.html for its router. */
async function serveConsole(fastify: FastifyInstance, dir: string): Promise<void> {
  const index = await readFile(join(dir, 'index.html'));
  await fastify.register(fastifyStatic, { root: dir, wildcard: false, index: false });
  const sendIndex = (reply: import('fastify').FastifyReply) =>
    reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').send(index);
  fastify.get('/', (_request, reply) => sendIndex(reply));
  fastify.get('/*', (request, reply) => {
    const path = request.url.split('?')[0];
    if (/^\/(api|v1|health|metrics)(\/|$)/.test(path) || /\.[a-z0-9]+$/i.test(path)) {
      const notFound = new DomainError('not_found', 'not_found', `No route: GET ${path}`);
      if (path.startsWith(OPENAI_ERRORS.prefix)) return OPENAI_ERRORS.send(request, reply, notFound);
      return sendProblem(request, reply, toProblem(notFound));
    }
    return sendIndex(reply);
  });
}
