import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { type FieldError, validationFailed } from './domain-error.js';

/**
 * Flattens class-validator's tree into `a.b[0].c`-style field errors, one per field: the failed
 * check written first. DTOs list a field's checks from the most basic (type, presence) to the
 * finer ones (format, length), and class-validator runs them bottom-up, so stopping at the first
 * failure answered a missing `name` with "name must be shorter than or equal to 100 characters".
 * Validation runs every check (`stopAtFirstError: false`) and the last one in `constraints` — the
 * topmost decorator that failed — is the one reported.
 */
export function toFieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? (/^\d+$/.test(error.property) ? `${parent}[${error.property}]` : `${parent}.${error.property}`) : error.property;
    const failed = Object.entries(error.constraints ?? {}).at(-1);
    const own = !failed
      ? []
      : failed[0] === 'whitelistValidation'
        ? [{ field, code: 'unknown_field', message: `${field} is not a known field` }]
        : [{ field, code: failed[0], message: failed[1] }];
    return [...own, ...toFieldErrors(error.children ?? [], field)];
  });
}

/**
 * Unknown fields are refused (mass assignment is an error, not silently ignored), types are
 * converted only where a DTO says so, and failures become 422 with per-field errors.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    stopAtFirstError: false,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => validationFailed(toFieldErrors(errors)),
  });
}
