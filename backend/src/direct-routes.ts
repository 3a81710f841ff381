import type { Type } from '@nestjs/common';
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
import { writeAccessLineOnClose } from './request-logging.js';

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/**
 * Routes fastify hands straight to their controller method, past Nest's per-request pipeline
 * (execution context, guard and pipe lookups, filters) and the request's log context: together
 * about a tenth of a gateway call's CPU and of what it allocates. Nest still declares them, so the
 * OpenAPI document and the route checks see them as any other route.
 *
 * Swaps in the direct handlers as Nest registers these routes: call before the app is initialised.
 */
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
    if (!handler) return;
    route.handler = handler;
    route.config = { ...route.config, servedDirectly: true };
  });
}

/** The guard's checks with the controller's roles, the handler, errors as the global filter answers them, and one access line. */
function direct(controller: Type, guard: AuthGuard, handler: Handler): Handler {
  const roles = Reflect.getMetadata(ROLES_KEY, controller) as Role[];
  return async (request, reply) => {
    const started = performance.now();
    // Below info only refusals are logged, so a successful call adds no listener.
    const everyCall = PinoLogger.root.isLevelEnabled('info');
    if (everyCall) writeAccessLineOnClose(request, reply, started);
    try {
      await guard.admit(request, roles);
      await handler(request, reply);
    } catch (error) {
      if (!everyCall) writeAccessLineOnClose(request, reply, started);
      GLOBAL_ERRORS.send(request, reply, error);
    }
  };
}
