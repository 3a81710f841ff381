import { computed, linkedSignal, ResourceRef, Signal } from '@angular/core';
import { problemMessage } from '../core/http/problem';

/**
 * The last value a resource loaded, kept while it loads the next one (a new page, a new filter),
 * so a table does not blink empty between answers. `fallback` until the first answer.
 */
export function latestValue<T>(resource: ResourceRef<T | undefined>, fallback: T): Signal<T> {
  return linkedSignal<T | undefined, T>({
    source: () => (resource.hasValue() ? resource.value() : undefined),
    computation: (value, previous) => value ?? previous?.value ?? fallback,
  });
}

/** The problem's detail when the resource's last load failed, else null. */
export function loadError(resource: ResourceRef<unknown>): Signal<string | null> {
  return computed(() => {
    const error = resource.error();
    return error ? problemMessage(error) : null;
  });
}
