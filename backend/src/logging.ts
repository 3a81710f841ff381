import type { IncomingMessage } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { Options as PinoHttpOptions } from 'pino-http';
import type { AppConfig } from './config/app-config.js';

/** Field names that may hold credentials; their values never reach a log line. */
const SECRET_FIELDS: ReadonlySet<string> = new Set(['password', 'api_key', 'apiKey', 'secret', 'refresh_token', 'access_token']);
const CENSOR = '[redacted]';

/** Plain objects and errors are looked into; other instances (responses, sockets) are the serializers' business. */
const inspectable = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && (Object.getPrototypeOf(value) === Object.prototype || value instanceof Error);

/** The same kind of error with the same fields; `stack` is read through, as V8 may keep it off the instance. */
function errorCopy(error: Error): Record<string, unknown> {
  const copy = Object.create(Object.getPrototypeOf(error) as object, Object.getOwnPropertyDescriptors(error)) as Record<string, unknown>;
  Object.defineProperty(copy, 'stack', { value: error.stack, writable: true, configurable: true });
  return copy;
}

/** A copy with the credential fields replaced (an error stays an error), or null when it holds none. */
function censored(object: Record<string, unknown>): Record<string, unknown> | null {
  let copy: Record<string, unknown> | null = null;
  for (const key in object) {
    if (!SECRET_FIELDS.has(key)) continue;
    copy ??= object instanceof Error ? errorCopy(object) : { ...object };
    copy[key] = CENSOR;
  }
  return copy;
}

/**
 * Replaces credential fields in what a line logs, and in the plain objects it holds, as the line is
 * written. Not pino's `redact`: that runs on every request's child logger whether or not a line is
 * ever written (about 3 % of the gateway’s CPU per call went there). Request and response headers
 * never reach a line at all: the req/res serializers below keep none.
 */
export function censorSecrets(object: Record<string, unknown>): Record<string, unknown> {
  let out = censored(object) ?? object;
  for (const key in out) {
    const value = out[key];
    const inner = inspectable(value) ? censored(value) : null;
    if (inner) (out === object ? (out = { ...object }) : out)[key] = inner;
  }
  return out;
}

/** One JSON line per request with its id, and the same id on every log line made while serving it. */
export function loggerOptions(config: AppConfig, stream?: DestinationStream): Params {
  const options: PinoHttpOptions = {
    level: config.LOG_LEVEL,
    formatters: { log: censorSecrets },
    genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id?: string }).id ?? 'unknown',
    customLogLevel: (_req, res, err) => accessLevel(res.statusCode, Boolean(err)),
    serializers: {
      // The raw URL can carry secrets in query strings (?key=...): log the path only.
      req: (req: { id: string; method: string; url: string; remoteAddress?: string }) => ({
        id: req.id,
        method: req.method,
        path: String(req.url).split('?')[0],
        remoteAddress: req.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
  // No Nest middleware (no routes for nestjs-pino's): fastify hooks write the access lines and bind
  // the request to its log lines (request-logging.ts). nestjs-pino still builds the root logger.
  return { pinoHttp: stream ? [options, stream] : options, forRoutes: [] };
}

export const accessLevel = (status: number, failed = false): 'error' | 'warn' | 'info' =>
  failed || status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
