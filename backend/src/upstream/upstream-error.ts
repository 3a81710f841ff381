import { DomainError, type ErrorKind } from '../common/domain-error.js';
import type { ErrorClass } from './upstream.types.js';

const KIND_BY_CLASS: Record<ErrorClass, ErrorKind> = {
  authentication_error: 'upstream',
  permission_error: 'upstream',
  not_found: 'upstream',
  rate_limited: 'rate_limited',
  timeout_error: 'upstream_timeout',
  connection_error: 'upstream',
  tls_error: 'upstream',
  invalid_request: 'upstream',
  invalid_response: 'upstream',
  dimension_mismatch: 'upstream',
  upstream_error: 'upstream',
  circuit_open: 'unavailable',
  blocked_destination: 'upstream',
};

export interface UpstreamErrorDetails {
  /** The upstream's HTTP status, when it answered. */
  status?: number | null;
  /** How long the upstream (or our own limit) asked to wait. */
  retryAfterMs?: number;
  /** Worth another attempt (429, 5xx, dropped connections). */
  retryable?: boolean;
  /** Raised by Switchboard's own limits, not by the upstream: never retried, never counted by the breaker. */
  local?: boolean;
  /** Counts toward opening the provider's circuit breaker (the provider looks down). */
  countsAsOutage?: boolean;
}

/**
 * An upstream failure in domain terms: a class, the upstream status and a one-line explanation
 * with the fix. It is a DomainError, so the problem filter turns it into problem+json
 * (502, 504, 429 or 503 with Retry-After). Its message never contains a secret, and it keeps no
 * reference to the SDK error it came from (those carry request bodies and URLs).
 */
export class UpstreamError extends DomainError {
  readonly errorClass: ErrorClass;
  readonly status: number | null;
  readonly retryAfterMs: number | undefined;
  readonly retryable: boolean;
  readonly local: boolean;
  readonly countsAsOutage: boolean;

  constructor(errorClass: ErrorClass, message: string, details: UpstreamErrorDetails = {}) {
    const retryAfterSeconds =
      details.retryAfterMs !== undefined
        ? Math.max(1, Math.ceil(details.retryAfterMs / 1000))
        : errorClass === 'rate_limited'
          ? 1
          : undefined;
    super(KIND_BY_CLASS[errorClass], `upstream.${errorClass}`, message, {
      retryAfterSeconds,
      extensions: { error_class: errorClass, upstream_status: details.status ?? null },
    });
    this.name = 'UpstreamError';
    this.errorClass = errorClass;
    this.status = details.status ?? null;
    this.retryAfterMs = details.retryAfterMs;
    this.retryable = details.retryable ?? false;
    this.local = details.local ?? false;
    this.countsAsOutage = details.countsAsOutage ?? false;
  }
}

/** Shape check rather than instanceof: errors may come from another realm (Jest's VM). */
export function isUpstreamError(error: unknown): error is UpstreamError {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'UpstreamError' && 'errorClass' in error;
}
