/**
 * What went wrong, in domain terms; the problem filter turns each kind into an HTTP status so
 * services never deal in status numbers.
 */
export type ErrorKind =
  | 'bad_request'
  | 'validation'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'gone'
  | 'too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'upstream'
  | 'upstream_timeout'
  | 'unavailable';

export interface FieldError {
  /** Dotted path of the offending field in the request, e.g. `params.temperature`. */
  field: string;
  message: string;
  code?: string;
}

export interface DomainErrorOptions {
  errors?: FieldError[];
  retryAfterSeconds?: number;
  /** Extra members added to the problem document (e.g. `dependents`). */
  extensions?: Record<string, unknown>;
  headers?: Record<string, string>;
}

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    /** Stable machine-readable code, e.g. `model.default_required`. */
    readonly code: string,
    message: string,
    readonly options: DomainErrorOptions = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (entity: string, id?: string) =>
  new DomainError(
    'not_found',
    `${entity.toLowerCase().replace(/ /g, '_')}.not_found`,
    id ? `No ${entity} with id ${id}` : `No such ${entity}`,
  );

export const validationFailed = (errors: FieldError[], message?: string) =>
  new DomainError(
    'validation',
    'validation_failed',
    message ??
      `The request has ${errors.length} invalid field${errors.length === 1 ? '' : 's'}: ${[...new Set(errors.map((e) => e.field))].join(', ')}`,
    { errors },
  );

export const fieldError = (field: string, message: string, code?: string) => validationFailed([{ field, message, code }]);
