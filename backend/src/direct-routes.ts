import { RequestMethod } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { AuthGuard } from './auth/auth.guard.js';
import { ROLES_KEY } from './auth/roles.decorator.js';
import type { Role } from './auth/user.entity.js';
import { GatewayController } from './gateway/gateway.controller.js';
import { sendOpenAiError } from './gateway/openai-errors.js';
import { accessLevel } from './logging.js';

/**
 * Routes fastify hands straight to their controller method, past Nest's per-request pipeline
 * (execution context, guard lookups, filters, the logging middleware's child logger and async
 * context): together about a tenth of a gateway call's CPU and of what it allocates. Nest still
 * declares them, so the OpenAPI document and the route checks see them as any other route.
 */
export const DIRECT_ROUTES = [{ path: 'v1/chat/completions', method: RequestMethod.POST }];

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** Swaps in the direct handlers as Nest registers these routes: call before the app is initialised. */
export function serveDirectRoutes(app: NestFastifyApplication, fastify: FastifyInstance): void {
  const guard = app.get(AuthGuard);
  const gateway = app.get(GatewayController);
  const roles = Reflect.getMetadata(ROLES_KEY, GatewayController) as Role[];
  const handlers = new Map<string, Handler>([
    ['POST /v1/chat/completions', (request, reply) => gateway.createChatCompletion(request, reply)],
  ]);
  fastify.addHook('onRoute', (route) => {
    const handler = handlers.get(`${String(route.method)} ${route.url}`);
    if (handler) route.handler = direct(handler, guard, roles);
  });
}

/** The guard's checks with the route's roles, the handler, errors in OpenAI's shape, and one access line. */
function direct(handler: Handler, guard: AuthGuard, roles: readonly Role[]): Handler {
  return async (request, reply) => {
    const log = PinoLogger.root;
    const started = performance.now();
    // What pino-http would write: the same serializers turn these into the same line.
    const writeAccessLine = () => {
      const level = accessLevel(reply.raw.statusCode);
      if (!log.isLevelEnabled(level)) return;
      log[level]({ req: request.raw, res: reply.raw, responseTime: Math.round(performance.now() - started) }, 'request completed');
    };
    // Below info only refusals are logged, so a successful call adds no listener.
    const everyCall = log.isLevelEnabled('info');
    if (everyCall) reply.raw.once('close', writeAccessLine);
    try {
      await guard.admit(request, roles);
      await handler(request, reply);
    } catch (error) {
      if (!everyCall) reply.raw.once('close', writeAccessLine);
      sendOpenAiError(request, reply, error);
    }
  };
}
