import { AbstractControl, ValidationErrors, ValidatorFn } from '@angular/forms';
import { fieldErrors } from '../core/http/problem';

/** A whole number (the API's `@IsInt()`); empty values are left to `required`. */
export const integer: ValidatorFn = (control) => {
  const value: unknown = control.value;
  if (value === null || value === undefined || value === '') return null;
  return Number.isInteger(Number(value)) ? null : { integer: true };
};

/** A decimal amount such as a price: digits with an optional fraction, no sign or exponent. */
export const decimal: ValidatorFn = (control) => {
  const value: unknown = control.value;
  if (value === null || value === undefined || value === '') return null;
  return /^\d{1,12}(\.\d{1,10})?$/.test(String(value).trim()) ? null : { decimal: true };
};

/**
 * The message to show under a field for its first error. `overrides` words an error for this
 * field (`{ required: 'Enter a name' }`); a server error (from a 422) is shown as sent.
 */
export function validationMessage(control: AbstractControl | null, overrides: Record<string, string> = {}): string {
  const errors: ValidationErrors | null | undefined = control?.errors;
  if (!errors) return '';
  const [key, detail] = Object.entries(errors)[0] as [string, unknown];
  if (overrides[key]) return overrides[key];
  const info = (detail ?? {}) as Record<string, number>;
  switch (key) {
    case 'server':
      return String(detail);
    case 'required':
      return 'Required';
    case 'min':
      return `Must be at least ${info['min']}`;
    case 'max':
      return `Must be at most ${info['max']}`;
    case 'minlength':
      return `Use at least ${info['requiredLength']} characters`;
    case 'maxlength':
      return `Use at most ${info['requiredLength']} characters`;
    case 'email':
      return 'Enter a valid email address, like name@example.com';
    case 'integer':
      return 'Enter a whole number';
    case 'decimal':
      return 'Enter an amount such as 0.15';
    default:
      return 'Check this value';
  }
}

/**
 * Puts the field errors of a 422 on the controls they name, as a `server` error, and returns the
 * messages no control could take (to show with the form's general error). `resolve` maps an API
 * field path to a control when the form is not shaped like the request.
 */
export function applyServerErrors(
  form: AbstractControl,
  error: unknown,
  resolve: (field: string) => AbstractControl | null = (field) => form.get(field),
): string[] {
  const unplaced: string[] = [];
  for (const [field, message] of Object.entries(fieldErrors(error))) {
    const control = resolve(field);
    if (control && control.enabled) {
      control.setErrors({ ...control.errors, server: message });
      control.markAsTouched();
    } else {
      unplaced.push(message);
    }
  }
  return unplaced;
}

/** A number input's value for the API: empty stays absent, anything else becomes a number. */
export function numberOrNull(value: number | string | null | undefined): number | null {
  if (value === null || value === undefined || value === '') return null;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : null;
}

/** Copies an object without its undefined and null members, so the API receives only what was set. */
export function compact<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, member]) => member !== undefined && member !== null)) as Partial<T>;
}
