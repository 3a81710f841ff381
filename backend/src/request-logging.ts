import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { accessLevel } from './logging.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set on the routes direct-routes.ts serves: they write their own access line and run outside a log context. */
    servedDirectly?: boolean;
  }
}

const servedDirectly = (request: FastifyRequest) => request.routeOptions.config.servedDirectly === true;

/** The request's access line, written from the root logger when its response closes: the line pino-http writes. */
export function writeAccessLineOnClose(request: FastifyRequest, reply: FastifyReply, started = performance.now()): void {
  reply.raw.once('close', () => {
    const log = PinoLogger.root;
    const level = accessLevel(reply.raw.statusCode);
    if (!log.isLevelEnabled(level)) return;
    log[level]({ req: request.raw, res: reply.raw, responseTime: Math.round(performance.now() - started) }, 'request completed');
  });
}

/**
 * Request logging as two fastify hooks instead of nestjs-pino's Nest middleware. With no Nest
 * middleware at all, @fastify/middie has nothing to run; before, it matched every request against
 * the middleware's paths, the routes served directly included though they were excluded (~6 % of
 * a relayed call's CPU and ~4.5 KB of its garbage). Every other request gets its access line and,
 * from its pre-handler on (after the body is read), a log context binding the request, so each line
 * logged while serving it carries its id.
 */
export async function logRequests(app: NestFastifyApplication, fastify: FastifyInstance): Promise<void> {
  const context = await app.resolve(PinoLogger);
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!servedDirectly(request)) writeAccessLineOnClose(request, reply);
    done();
  });
  fastify.addHook('preHandler', (request, _reply, done) => {
    if (servedDirectly(request)) return done();
    context.runInContext(() => done(), { bindings: { req: request.raw } });
  });
}
