import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { type FieldError, validationFailed } from './domain-error.js';

/** Flattens class-validator's tree into `a.b[0].c`-style field errors. */
export function toFieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? (/^\d+$/.test(error.property) ? `${parent}[${error.property}]` : `${parent}.${error.property}`) : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([code, message]) =>
      code === 'whitelistValidation'
        ? { field, code: 'unknown_field', message: `${field} is not a known field` }
        : { field, code, message },
    );
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
    stopAtFirstError: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => validationFailed(toFieldErrors(errors)),
  });
}
