import type { FastifyReply } from 'fastify';

/** Why a request's work was abandoned: its client hung up. Not a server fault, so never logged as one. */
export class ClientClosedError extends Error {
  override readonly name = 'ClientClosedError';

  constructor() {
    super('The client closed the connection before the answer was sent');
  }
}

/** Aborts, with a ClientClosedError, when the client hangs up before the response finished. */
export function closeSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) controller.abort(new ClientClosedError());
  });
  return controller.signal;
}
