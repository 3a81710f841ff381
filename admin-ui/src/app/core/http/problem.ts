import { HttpErrorResponse } from '@angular/common/http';
import type { ProblemResponse } from '../../api/models';

/** The API's application/problem+json body, when the error carries one. */
export function asProblem(error: unknown): ProblemResponse | null {
  if (!(error instanceof HttpErrorResponse)) return null;
  const body: unknown = error.error;
  if (body && typeof body === 'object' && typeof (body as ProblemResponse).detail === 'string') {
    return body as ProblemResponse;
  }
  return null;
}

/** A sentence to show the user: the problem's `detail`, or what we can tell from the status. */
export function problemMessage(error: unknown): string {
  const problem = asProblem(error);
  if (problem) return problem.detail;
  if (error instanceof HttpErrorResponse) {
    if (error.status === 0) return 'The server cannot be reached. Check your connection and try again.';
    return `The request failed (${error.status}${error.statusText ? ' ' + error.statusText : ''}).`;
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
