import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { QueryFailedError, QueryRunnerAlreadyReleasedError } from 'typeorm';
import { ClientClosedError } from './client-closed.js';
import { DomainError } from './domain-error.js';
import { PROBLEM_CONTENT_TYPE, problem, type Problem, STATUS_BY_KIND } from './problem.js';

/** Errors under a path prefix rendered in another shape (the OpenAI-compatible API's, under /v1/). */
export interface ErrorShape {
  prefix: string;
  send(request: FastifyRequest, reply: FastifyReply, error: unknown): void;
}

/**
 * Turns every error into application/problem+json (unexpected ones become a bare 500), or into the
 * shape of the path's API. As the global filter it also sees what fails before a route's own filter
 * could: malformed bodies, 413, 415 and unknown routes.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(private readonly shapes: readonly ErrorShape[] = []) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    this.send(ctx.getRequest<FastifyRequest>(), ctx.getResponse<FastifyReply>(), error);
  }

  /** Answers the request with the error, as `catch` does (routes served outside Nest's pipeline use this). */
  send(request: FastifyRequest, reply: FastifyReply, error: unknown): void {
    const shape = this.shapes.find((s) => request.url.startsWith(s.prefix));
    if (shape) return shape.send(request, reply, error);
    sendProblem(request, reply, toProblem(error, this.logger));
  }
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, body: ProblemWithHeaders): void {
  const { headers, ...doc } = body;
  doc.instance ??= request.url.split('?')[0];
  doc.request_id = String(request.id);
  if (reply.sent) return;
  for (const [name, value] of Object.entries(headers ?? {})) void reply.header(name, value);
  void reply.header('x-request-id', doc.request_id);
  void reply.status(doc.status).header('content-type', PROBLEM_CONTENT_TYPE).send(doc);
}

export type ProblemWithHeaders = Problem & { headers?: Record<string, string> };

export function toProblem(error: unknown, logger?: Logger): ProblemWithHeaders {
  if (error instanceof DomainError) return fromDomainError(error);
  if (error instanceof HttpException) return fromHttpException(error);
  // Nobody is left to read the answer; the status is what usage and access logs record.
  if (error instanceof ClientClosedError) return problem(499, 'client_closed', error.message);
  const fastify = fromFastifyError(error);
  if (fastify) return fastify;
  const database = fromDatabaseError(error);
  if (database) return database;
  logger?.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return problem(500, 'internal_error', 'An unexpected error occurred; quote the request id when reporting it');
}

function fromDomainError(error: DomainError): ProblemWithHeaders {
  const status = STATUS_BY_KIND[error.kind];
  const headers: Record<string, string> = { ...error.options.headers };
  if (error.options.retryAfterSeconds !== undefined)
    headers['retry-after'] = String(Math.max(1, Math.ceil(error.options.retryAfterSeconds)));
  if (status === 401) headers['www-authenticate'] = 'Bearer';
  return {
    ...problem(status, error.code, error.message, error.options.errors ? { errors: error.options.errors } : {}),
    ...error.options.extensions,
    headers,
  };
}

function fromHttpException(error: HttpException): ProblemWithHeaders {
  const status = error.getStatus();
  const response = error.getResponse();
  const message =
    typeof response === 'object' && response !== null && 'message' in response
      ? String((response as { message: unknown }).message)
      : error.message;
  if (status === 400 && /not valid JSON|Unexpected token|JSON/i.test(message)) {
    return problem(400, 'malformed_json', `The body is not valid JSON: ${message}`);
  }
  if (status === 413) return problem(413, 'body_too_large', 'The request body is larger than the server accepts');
  if (status === 415) return problem(415, 'unsupported_media_type', message);
  if (status === 404) return problem(404, 'not_found', message.startsWith('Cannot ') ? `No route: ${message.slice(7)}` : message);
  if (status === 429) {
    return { ...problem(429, 'rate_limited', 'Too many requests; retry later'), headers: { 'retry-after': '60' } };
  }
  const code = status === 401 ? 'unauthenticated' : status === 403 ? 'forbidden' : `http_${status}`;
  return { ...problem(status, code, message), headers: status === 401 ? { 'www-authenticate': 'Bearer' } : {} };
}

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message?: string;
}

/** Errors Fastify raises before a handler runs: unreadable bodies, sizes, media types. */
function fromFastifyError(error: unknown): Problem | undefined {
  const e = error as FastifyLikeError;
  if (typeof e?.statusCode !== 'number' || e.statusCode >= 500) return undefined;
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problem(413, 'body_too_large', 'The request body is larger than the server accepts');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return problem(415, 'unsupported_media_type', 'Send the body as application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problem(400, 'malformed_body', 'The body is empty but the content type says JSON');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return problem(400, 'malformed_body', 'The Content-Length header does not match the body');
  }
  if (e.statusCode === 400 && (error instanceof SyntaxError || /JSON/i.test(e.message ?? ''))) {
    return problem(400, 'malformed_json', `The body is not valid JSON: ${e.message}`);
  }
  if (e.statusCode >= 400) return problem(e.statusCode, `http_${e.statusCode}`, e.message ?? 'Request refused');
  return undefined;
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '08006',
  '08001',
  '08003',
]);
const UNAVAILABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|connection error and is not queryable|Connection ended/i;

/** The error and what it wraps (TypeORM's driverError, `cause`, a connect AggregateError's errors). */
function* causes(error: unknown, depth = 0): Generator<{ code?: string; message?: string }> {
  if (!error || typeof error !== 'object' || depth > 3) return;
  const e = error as { code?: string; message?: string; driverError?: unknown; cause?: unknown; errors?: unknown[] };
  yield e;
  yield* causes(e.driverError, depth + 1);
  yield* causes(e.cause, depth + 1);
  for (const inner of Array.isArray(e.errors) ? e.errors : []) yield* causes(inner, depth + 1);
}

function fromDatabaseError(error: unknown): Problem | undefined {
  const code = (error as { code?: string })?.code ?? (error as { driverError?: { code?: string } })?.driverError?.code;
  // TypeORM releases a transaction's query runner when its connection errors, so the transaction's
  // next statement throws QueryRunnerAlreadyReleasedError rather than the connection's own error.
  const unavailable =
    error instanceof QueryRunnerAlreadyReleasedError ||
    [...causes(error)].some(
      (c) => (typeof c.code === 'string' && UNAVAILABLE_CODES.has(c.code)) || UNAVAILABLE_MESSAGE.test(c.message ?? ''),
    );
  if (unavailable) {
    return problem(503, 'database_unavailable', 'The database is unavailable; nothing was changed. Retry shortly');
  }
  // Text PostgreSQL cannot store (a NUL character) in a field no validator looked at: the client's input, not our fault.
  if (code === '22021' || code === '22P05') {
    return problem(422, 'unstorable_text', 'The request holds text the database cannot store (a NUL character, \\u0000); remove it');
  }
  if (error instanceof QueryFailedError) {
    if (code === '23505') return problem(409, 'conflict', 'A record with the same unique value already exists');
    if (code === '23503') return problem(409, 'dependency', 'The record is referenced by or references another record');
    if (code === '40001' || code === '40P01') return problem(409, 'concurrent_update', 'A concurrent change got there first; retry');
  }
  return undefined;
}
