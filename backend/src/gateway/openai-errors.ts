import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorShape, toProblem } from '../common/problem.filter.js';
import { isUpstreamError } from '../upstream/upstream-error.js';

/** OpenAI's error body: what its SDKs parse into their typed errors. */
export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

const TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'invalid_request_error',
  409: 'invalid_request_error',
  410: 'invalid_request_error',
  413: 'invalid_request_error',
  422: 'invalid_request_error',
  429: 'rate_limit_error',
};

/** Renders any error on the OpenAI-compatible routes in OpenAI's shape instead of problem+json. */
const logger = new Logger('Gateway');

export function toOpenAiError(error: unknown): { status: number; body: OpenAiErrorBody; headers: Record<string, string> } {
  const { headers = {}, ...problem } = toProblem(error, logger);
  const firstField = problem.errors?.[0]?.field ?? null;
  const message = problem.errors?.length ? `${problem.detail}: ${problem.errors.map((e) => e.message).join('; ')}` : problem.detail;
  // An upstream that refuses the request as malformed is answering what the client sent (tools,
  // response_format and the like go on as they came): a 400 for the client to fix, which OpenAI's
  // SDKs do not retry, rather than a 502 they would.
  const status = refusedAsMalformed(error) ? 400 : problem.status;
  return {
    status,
    headers: { ...headers, 'x-request-id': String(problem.request_id ?? '') },
    body: {
      error: {
        message,
        type: TYPE_BY_STATUS[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error'),
        param: firstField,
        code: problem.code,
      },
    },
  };
}

export const refusedAsMalformed = (error: unknown) =>
  isUpstreamError(error) && error.errorClass === 'invalid_request' && (error.status === 400 || error.status === 422);

@Catch()
export class OpenAiErrorFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    sendOpenAiError(host.switchToHttp().getRequest<FastifyRequest>(), host.switchToHttp().getResponse<FastifyReply>(), error);
  }
}

export function sendOpenAiError(request: FastifyRequest, reply: FastifyReply, error: unknown): void {
  if (reply.sent) return;
  const { status, body, headers } = toOpenAiError(error);
  for (const [name, value] of Object.entries(headers)) if (name !== 'x-request-id') void reply.header(name, value);
  void reply.status(status).header('x-request-id', String(request.id)).send(body);
}

/** Everything under /v1/ answers in OpenAI's shape, refusals before the route (bad JSON, 413, 404) included. */
export const OPENAI_ERRORS: ErrorShape = { prefix: '/v1/', send: sendOpenAiError };
