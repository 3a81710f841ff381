import { Transform } from 'class-transformer';

/** Trims a string before it is checked; anything else passes as it is, for the type check to refuse. */
export const Trim = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

/**
 * Several field decorators as one, in the order they would be written above the field. TypeScript
 * applies stacked decorators bottom first, and `toFieldErrors` reports the topmost check that
 * failed, so they are applied here in that same order: the basic checks, written first, still win.
 */
export function fieldChecks(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, key) => {
    for (const decorate of [...decorators].reverse()) decorate(target, key);
  };
}
