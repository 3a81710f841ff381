import { HttpErrorResponse, HttpInterceptorFn, HttpRequest } from '@angular/common/http';
import { inject } from '@angular/core';
import { catchError, from, switchMap, throwError } from 'rxjs';
import { ANONYMOUS_REQUEST, NO_RENEWAL } from './session-context';
import { SessionService } from './session.service';

/**
 * Adds the access token to API calls. On a 401 it renews the token once and retries the request
 * once; when renewal is refused, or the retry is refused too, the session ends (back to sign in).
 */
export const authInterceptor: HttpInterceptorFn = (request, next) => {
  if (!isApiCall(request) || request.context.get(ANONYMOUS_REQUEST)) return next(request);
  const session = inject(SessionService);

  return next(withBearer(request, session.accessToken())).pipe(
    catchError((error: unknown) => {
      if (!isUnauthorized(error) || request.context.get(NO_RENEWAL)) return throwError(() => error);
      return from(session.renew()).pipe(
        switchMap((outcome) => {
          if (outcome !== 'renewed') return throwError(() => error);
          return next(withBearer(request, session.accessToken())).pipe(
            catchError((retryError: unknown) => {
              if (isUnauthorized(retryError)) session.expire();
              return throwError(() => retryError);
            }),
          );
        }),
      );
    }),
  );
};

// Only same-origin API paths get the token, so it never leaks to another host.
function isApiCall(request: HttpRequest<unknown>): boolean {
  return request.url.startsWith('/api/');
}

function withBearer(request: HttpRequest<unknown>, token: string | null): HttpRequest<unknown> {
  return token ? request.clone({ setHeaders: { Authorization: `Bearer ${token}` } }) : request;
}

function isUnauthorized(error: unknown): boolean {
  return error instanceof HttpErrorResponse && error.status === 401;
}
