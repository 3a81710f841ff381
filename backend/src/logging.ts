import type { IncomingMessage } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { Options as PinoHttpOptions } from 'pino-http';
import type { AppConfig } from './config/app-config.js';

/**
 * Fields that may hold credentials in anything logged; pino replaces them before writing. Request and
 * response headers never reach a log line at all (the req/res serializers below keep none), so no
 * header paths: each path is paid for on every request's logger, whether or not a line is written.
 */
export const REDACTED_PATHS = ['*.password', '*.api_key', '*.apiKey', '*.secret', '*.refresh_token', '*.access_token'];

/** One JSON line per request with its id, and the same id on every log line made while serving it. */
export function loggerOptions(config: AppConfig, stream?: DestinationStream): Params {
  const options: PinoHttpOptions = {
    level: config.LOG_LEVEL,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id?: string }).id ?? 'unknown',
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
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
  return { pinoHttp: stream ? [options, stream] : options };
}
