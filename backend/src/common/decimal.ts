import { registerDecorator, type ValidationOptions } from 'class-validator';

const DECIMAL = /^\d{1,8}(\.\d{1,6})?$/;

/** A non-negative amount with up to 8 integer and 6 fractional digits, as a JSON number or string. */
export function IsDecimalAmount(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isDecimalAmount',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: `${String(propertyName)} must be a non-negative decimal with at most 6 decimal places`, ...options },
      validator: {
        validate: (value: unknown) =>
          (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'string'
            ? DECIMAL.test(toDecimalString(value as number | string))
            : false,
      },
    });
}

/** Exact text of a decimal input (numbers are printed without exponent for the range we accept). */
export function toDecimalString(value: number | string): string {
  if (typeof value === 'string') return value.trim();
  return value.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 });
}

/** Canonical text of a stored numeric: no trailing zeros ("0.150000" → "0.15"). */
export function normaliseDecimal(value: string | null): string | null {
  if (value === null) return null;
  return value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') : value;
}
