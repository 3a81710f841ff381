import { RequestMethod, type Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { AuthGuard } from './auth/auth.guard.js';
import { actorOf, ROLES_KEY } from './auth/roles.decorator.js';
import type { Role } from './auth/user.entity.js';
import { uuidPipe } from './common/id-param.js';
import { createValidationPipe } from './common/validation.js';
import { ConversationsController } from './conversations/conversations.controller.js';
import { plainlyValidMessage, SendMessageRequest } from './conversations/dto/conversation.dto.js';
import { GatewayController } from './gateway/gateway.controller.js';
import { GLOBAL_ERRORS } from './global-errors.js';
import { accessLevel } from './logging.js';

/**
 * Routes fastify hands straight to their controller method, past Nest's per-request pipeline
 * (execution context, guard and pipe lookups, filters, the logging middleware's child logger and
 * async context): together about a tenth of a gateway call's CPU and of what it allocates. Nest
 * still declares them, so the OpenAPI document and the route checks see them as any other route.
 * Paths as Nest's middleware exclusion takes them (the global prefix is added there).
 */
export const DIRECT_ROUTES = [
  { path: 'v1/chat/completions', method: RequestMethod.POST },
  { path: 'conversations/:id/messages', method: RequestMethod.POST },
];

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** Swaps in the direct handlers as Nest registers these routes: call before the app is initialised. */
export function serveDirectRoutes(app: NestFastifyApplication, fastify: FastifyInstance): void {
  const guard = app.get(AuthGuard);
  const gateway = app.get(GatewayController);
  const conversations = app.get(ConversationsController);
  // What Nest would run on sendMessage's parameters: the id's UUID check, then the body's validation.
  const validation = createValidationPipe();
  const conversationId = uuidPipe('id');
  const handlers = new Map<string, Handler>([
    ['POST /v1/chat/completions', direct(GatewayController, guard, (request, reply) => gateway.createChatCompletion(request, reply))],
    [
      'POST /api/v1/conversations/:id/messages',
      direct(ConversationsController, guard, async (request, reply) => {
        const id = (await conversationId.transform((request.params as { id: string }).id, { type: 'param', data: 'id' })) as string;
        const body =
          plainlyValidMessage(request.body) ??
          ((await validation.transform(request.body, { type: 'body', metatype: SendMessageRequest })) as SendMessageRequest);
        await conversations.sendMessage(actorOf(request), id, body, request.headers.accept, reply);
      }),
    ],
  ]);
  fastify.addHook('onRoute', (route) => {
    const handler = handlers.get(`${String(route.method)} ${route.url}`);
    if (handler) route.handler = handler;
  });
}

/** The guard's checks with the controller's roles, the handler, errors as the global filter answers them, and one access line. */
function direct(controller: Type, guard: AuthGuard, handler: Handler): Handler {
  const roles = Reflect.getMetadata(ROLES_KEY, controller) as Role[];
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
      GLOBAL_ERRORS.send(request, reply, error);
    }
  };
}
