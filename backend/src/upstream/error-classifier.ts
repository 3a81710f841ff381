import { isUpstreamError, UpstreamError } from './upstream-error.js';
import type { UpstreamTarget } from './upstream.types.js';

/** What the classifier needs to word an explanation: where the call went and what it was for. */
export interface FailureContext {
  /** `api.openai.com` or `127.0.0.1:4000`. */
  host: string;
  modelId?: string;
  /** Azure calls models deployments; the fix names what the admin actually typed. */
  modelWord?: string;
  timeoutMs: number;
  /** Values that must never appear in a message (the API key). */
  secrets: (string | null)[];
}

/** The context for calls to a target, optionally about one model. */
export function contextOf(target: UpstreamTarget, modelId?: string, modelWord?: string): FailureContext {
  let host = target.baseUrl;
  try {
    host = new URL(target.baseUrl).host;
  } catch {
    // keep the text as given; the guard refuses it anyway
  }
  return { host, modelId, modelWord, timeoutMs: target.timeoutMs, secrets: [target.apiKey] };
}

const RESPONSE_ERROR_NAMES = new Set([
  'AI_JSONParseError',
  'AI_TypeValidationError',
  'AI_InvalidResponseDataError',
  'AI_EmptyResponseBodyError',
  'AI_NoContentGeneratedError',
  'SyntaxError',
]);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNABORTED']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const TLS_CODE = /^(CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_TLS_|ERR_SSL_|EPROTO$|HOSTNAME_MISMATCH)/;

interface ErrorLike {
  name?: string;
  code?: string | number | null;
  type?: unknown;
  message?: string;
  statusCode?: number;
  responseBody?: string;
  responseHeaders?: Record<string, string>;
  cause?: unknown;
  errors?: unknown[];
}

/** The error and everything it wraps (cause chains, AggregateError members), nearest first. */
function* chain(error: unknown, depth = 0): Generator<ErrorLike> {
  if (typeof error !== 'object' || error === null || depth > 8) return;
  const e = error as ErrorLike;
  yield e;
  if (Array.isArray(e.errors)) for (const inner of e.errors) yield* chain(inner, depth + 1);
  if (e.cause !== undefined) yield* chain(e.cause, depth + 1);
}

/**
 * An error the upstream reported inside a 200 stream without a status: the AI SDK's
 * StreamProviderError around an OpenAI-style `{"message","type","code"}` (what
 * @ai-sdk/openai-compatible passes on), or that plain object itself.
 */
const isReportedError = (e: ErrorLike): boolean =>
  typeof e.message === 'string' && (e.name === 'AI_StreamProviderError' || (e.name === undefined && typeof e.type === 'string'));

/** The HTTP status such an in-stream error stands for, inferred the way @ai-sdk/openai does for OpenAI itself. */
function reportedStatus(e: ErrorLike): number {
  const explicit = typeof e.code === 'string' && /^\d{3}$/.test(e.code) ? Number(e.code) : e.code;
  if (typeof explicit === 'number' && Number.isInteger(explicit) && explicit >= 400 && explicit <= 599) return explicit;
  const said = [e.code, e.type]
    .filter((v) => typeof v === 'string')
    .join(' ')
    .toLowerCase();
  if (/insufficient_quota|rate_limit/.test(said)) return 429;
  if (said.includes('authentication')) return 401;
  if (said.includes('permission')) return 403;
  if (said.includes('not_found')) return 404;
  if (/invalid|bad_request|context_length/.test(said)) return 400;
  if (said.includes('overload')) return 503;
  if (said.includes('timeout')) return 504;
  return 500;
}

/** Turns whatever an SDK, undici or our own guard threw into a classified, secret-free UpstreamError. */
export function classifyFailure(error: unknown, ctx: FailureContext): UpstreamError {
  const links = [...chain(error)];
  const known = links.find((e) => isUpstreamError(e));
  if (known) return known as UpstreamError;
  const blocked = links.find((e) => e.code === 'SB_BLOCKED_DESTINATION');
  if (blocked) return new UpstreamError('blocked_destination', blocked.message ?? 'the destination is refused');
  const answered = links.find((e) => typeof e.statusCode === 'number' && e.statusCode >= 400);
  if (answered) return classifyStatus(answered.statusCode!, ctx, answered.responseBody ?? answered.message ?? '', answered.responseHeaders);
  const reported = links.find(isReportedError);
  if (reported) return classifyReported(reported, ctx);
  for (const e of links) {
    const byCode = typeof e.code === 'string' ? classifyCode(e.code, ctx) : undefined;
    if (byCode) return byCode;
  }
  if (links.some((e) => e.name === 'TimeoutError' || e.name === 'AbortError')) return timedOut(ctx);
  if (links.some((e) => e.message === 'terminated' || /other side closed/i.test(e.message ?? ''))) return connectionClosed(ctx);
  // @ai-sdk/openai-compatible's word for a stream that stopped before its finish_reason.
  if (links.some((e) => /stream ended without a finish reason/i.test(e.message ?? ''))) return streamCutShort(ctx);
  if (links.some((e) => RESPONSE_ERROR_NAMES.has(e.name ?? '') || /Invalid JSON response/i.test(e.message ?? ''))) {
    return invalidResponse(ctx);
  }
  const first = links[0];
  return new UpstreamError('upstream_error', `calling ${ctx.host} failed: ${scrub(first?.message ?? String(error), ctx.secrets, 160)}`, {
    retryable: false,
  });
}

/** An error an OpenAI-format server sent inside a 200 stream: `{"message","type","code"}`, without a status. */
export function classifyReported(error: unknown, ctx: FailureContext): UpstreamError {
  const e: ErrorLike = typeof error === 'object' && error !== null ? (error as ErrorLike) : { message: String(error) };
  return classifyStatus(reportedStatus(e), ctx, JSON.stringify({ error: { message: e.message } }));
}

/** An HTTP error answer, worded by status (and by the provider's error body where it matters). */
export function classifyStatus(status: number, ctx: FailureContext, body: string, headers?: Record<string, string>): UpstreamError {
  const { host } = ctx;
  const detail = upstreamMessage(body, ctx.secrets);
  const what = ctx.modelWord ?? 'model';
  if (status === 401 || (status === 400 && /API_KEY_INVALID|API key not valid/i.test(body))) {
    return new UpstreamError('authentication_error', `the key was rejected by ${host} (${status}): check the key`, { status });
  }
  if (status === 403) {
    // A missing or bad key (Google answers "unregistered callers" with 403), not a key without access to this.
    if (
      /unregistered callers|(api[ -]?key|credential)s?\b.{0,20}\b(not valid|invalid|missing|expired|revoked)|invalid (api[ -]?key|credential)/i.test(
        detail,
      )
    ) {
      return new UpstreamError('authentication_error', `the key was rejected by ${host} (403): check the key`, { status });
    }
    return new UpstreamError(
      'permission_error',
      `${host} refused access (403): the key may not use ${ctx.modelId ? `${what} ${ctx.modelId}` : 'this API'}; check its permissions, project or organisation`,
      { status },
    );
  }
  if (status === 404) {
    const message = ctx.modelId
      ? `${host} does not know the ${what} ${ctx.modelId} (404): check the ${what} name`
      : `${host} has no such endpoint (404): check api_base`;
    return new UpstreamError('not_found', message, { status });
  }
  if (status === 429) {
    const retryAfterMs = retryAfterOf(headers, body);
    const wait = retryAfterMs !== undefined ? `retry after ${Math.ceil(retryAfterMs / 1000)} s` : 'retry later';
    return new UpstreamError('rate_limited', `${host} is rate limiting this key (429): ${wait}, or raise the provider's quota or limits`, {
      status,
      retryAfterMs,
      retryable: true,
    });
  }
  if (status === 408 || status === 504) {
    return new UpstreamError('timeout_error', `${host} timed out answering (${status}): retry later`, {
      status,
      retryable: true,
      countsAsOutage: true,
    });
  }
  if (status >= 500) {
    return new UpstreamError('upstream_error', `${host} failed (${status}): the provider is having trouble; retry later`, {
      status,
      retryable: true,
      countsAsOutage: true,
      retryAfterMs: retryAfterOf(headers, body),
    });
  }
  return new UpstreamError('invalid_request', `${host} refused the request (${status})${detail ? `: ${detail}` : ''}`, { status });
}

function classifyCode(code: string, ctx: FailureContext): UpstreamError | undefined {
  const { host } = ctx;
  const hostname = host.replace(/:\d+$/, '');
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NODATA' || code === 'EAI_NONAME') {
    return new UpstreamError('connection_error', `could not resolve ${hostname}: check the host name in api_base`, {
      countsAsOutage: true,
    });
  }
  if (code === 'ECONNREFUSED') {
    return new UpstreamError(
      'connection_error',
      `nothing is listening at ${host} (connection refused): check api_base and that the server is running`,
      { retryable: true, countsAsOutage: true },
    );
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return new UpstreamError('connection_error', `${host} cannot be reached from this server (${code}): check routing and firewalls`, {
      countsAsOutage: true,
    });
  }
  if (RESET_CODES.has(code)) return connectionClosed(ctx);
  if (TIMEOUT_CODES.has(code)) return timedOut(ctx);
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG') {
    return new UpstreamError('tls_error', `${host} does not speak TLS on that port: use http:// or the server's TLS port`);
  }
  if (TLS_CODE.test(code)) {
    return new UpstreamError(
      'tls_error',
      `the TLS certificate of ${hostname} could not be verified (${code}): use a certificate from a trusted CA that names this host`,
    );
  }
  return undefined;
}

export function timedOut(ctx: FailureContext): UpstreamError {
  const seconds = Math.round(ctx.timeoutMs / 100) / 10;
  return new UpstreamError(
    'timeout_error',
    `${ctx.host} did not answer within ${seconds} s: check the server, or raise config.timeout_ms`,
    {
      countsAsOutage: true,
    },
  );
}

function connectionClosed(ctx: FailureContext): UpstreamError {
  return new UpstreamError('connection_error', `${ctx.host} closed the connection: retry, or check a proxy or firewall in between`, {
    retryable: true,
    countsAsOutage: true,
  });
}

/** A stream that ended cleanly but before the provider's final frame (a proxy cutting it, a crashed worker). */
export function streamCutShort(ctx: FailureContext): UpstreamError {
  return new UpstreamError(
    'connection_error',
    `${ctx.host} ended the stream before the reply was complete: retry, or check a proxy or firewall in between`,
    { retryable: true, countsAsOutage: true },
  );
}

export function invalidResponse(ctx: FailureContext, what = 'a valid API response'): UpstreamError {
  return new UpstreamError('invalid_response', `${ctx.host} did not answer with ${what}: check that api_base points at the API itself`);
}

/** Retry-After in ms from `retry-after-ms`, `retry-after` (seconds or a date) or Google's RetryInfo. */
export function retryAfterOf(headers: Record<string, string> | undefined, body = ''): number | undefined {
  const get = (name: string) => headers?.[name] ?? headers?.[name.toLowerCase()];
  const ms = Number(get('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const value = get('retry-after');
  if (value) {
    const seconds = Number(value);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const date = Date.parse(value);
    if (!Number.isNaN(date)) return Math.max(0, date - Date.now());
  }
  const retryInfo = /"retryDelay"\s*:\s*"(\d+(?:\.\d+)?)s"/.exec(body);
  return retryInfo ? Number(retryInfo[1]) * 1000 : undefined;
}

/** The provider's own error text from its JSON body, secret-free and short. */
function upstreamMessage(body: string, secrets: (string | null)[]): string {
  let text = body;
  try {
    const parsed = JSON.parse(body) as { error?: { message?: string } | string; message?: string };
    text = (typeof parsed.error === 'object' ? parsed.error?.message : parsed.error) ?? parsed.message ?? body;
  } catch {
    // not JSON: use the text as it is
  }
  return scrub(String(text), secrets, 200);
}

/** Removes the given secrets and anything shaped like a credential, and keeps one short line. */
export function scrub(text: string, secrets: (string | null)[], max = 200): string {
  let clean = text;
  for (const secret of secrets) if (secret && secret.length >= 4) clean = clean.split(secret).join('****');
  clean = clean
    .replace(/\b(sk|pk|rk|key|api)[-_][A-Za-z0-9_*-]{6,}/gi, '****')
    .replace(/(bearer|basic)\s+\S+/gi, '$1 ****')
    .replace(/([?&](key|api[-_]?key|token)=)[^&\s]+/gi, '$1****')
    .replace(/\s+/g, ' ')
    .trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
