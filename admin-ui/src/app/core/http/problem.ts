import { HttpErrorResponse } from '@angular/common/http';
import type { DependentsResponse, ProblemResponse } from '../../api/models';
import { noDependents } from '../../shared/dependents';

/**
 * The HTTP error behind `error`: resources wrap what their loader threw (an HttpErrorResponse is
 * not an Error) in an Error whose `cause` is the original.
 */
function unwrap(error: unknown): unknown {
  if (error instanceof HttpErrorResponse) return error;
  if (error instanceof Error && error.cause !== undefined) return unwrap(error.cause);
  return error;
}

/** The API's application/problem+json body, when the error carries one. */
export function asProblem(error: unknown): ProblemResponse | null {
  const http = unwrap(error);
  if (!(http instanceof HttpErrorResponse)) return null;
  // Calls made with responseType 'text' (deletes, exports) get the problem document unparsed.
  let body: unknown = http.error;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      return null;
    }
  }
  if (body && typeof body === 'object' && typeof (body as ProblemResponse).detail === 'string') {
    return body as ProblemResponse;
  }
  return null;
}

/** The HTTP status of a failed call (0: unreachable), or null when the error is not an HTTP one. */
export function problemStatus(error: unknown): number | null {
  const http = unwrap(error);
  return http instanceof HttpErrorResponse ? http.status : null;
}

/** A sentence to show the user: the problem's `detail`, or what we can tell from the status. */
export function problemMessage(error: unknown): string {
  const problem = asProblem(error);
  if (problem) return problem.detail;
  const http = unwrap(error);
  if (http instanceof HttpErrorResponse) {
    if (http.status === 0) return 'The server cannot be reached. Check your connection and try again.';
    return `The request failed (${http.status}${http.statusText ? ' ' + http.statusText : ''}).`;
  }
  return 'Something went wrong. Try again.';
}

/** Field errors of a 422, keyed by field path (`params.temperature`), first message wins. */
export function fieldErrors(error: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  for (const { field, message } of asProblem(error)?.errors ?? []) {
    result[field] ??= message;
  }
  return result;
}

/** Whether a field error of the 422 carries this code (e.g. `key_reentry_required` on `api_key`). */
export function hasFieldErrorCode(error: unknown, field: string, code: string): boolean {
  return (asProblem(error)?.errors ?? []).some((candidate) => candidate.field === field && candidate.code === code);
}

/**
 * A refusal per item (`POST /models/bulk` answers 400 with `items: [{id, reason}]`). The OpenAPI
 * document does not declare this extension member, so it is read defensively.
 */
export function problemItems(error: unknown): { id: string; reason: string }[] {
  const items = (asProblem(error) as { items?: unknown } | null)?.items;
  if (!Array.isArray(items)) return [];
  return items.filter(
    (item): item is { id: string; reason: string } =>
      typeof item === 'object' && item !== null && typeof item.id === 'string' && typeof item.reason === 'string',
  );
}

/**
 * What blocked a delete or a deprecation (409 `model.in_use` carries `dependents`). Like `items`,
 * this extension member is not declared in the OpenAPI document, so it is checked before use.
 */
export function problemDependents(error: unknown): DependentsResponse | null {
  const dependents = (asProblem(error) as { dependents?: unknown } | null)?.dependents;
  if (!dependents || typeof dependents !== 'object') return null;
  const lists = ['knowledge_bases', 'conversations', 'successor_of', 'default_for', 'models', 'settings'] as const;
  const candidate = dependents as Record<string, unknown>;
  if (!lists.every((name) => candidate[name] === undefined || Array.isArray(candidate[name]))) return null;
  return noDependents({ blocks_delete: true, ...(candidate as Partial<DependentsResponse>) });
}

/** A number-valued extension member of the problem (413 `max_bytes`), or null. */
export function problemNumber(error: unknown, member: string): number | null {
  const value = (asProblem(error) as Record<string, unknown> | null)?.[member];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
