import { InjectionToken } from '@angular/core';

/**
 * Where the refresh token survives a page reload. sessionStorage rather than localStorage: refresh
 * tokens rotate on every use and a reused one revokes its whole family, so two tabs sharing one
 * token would sign each other out. A tab keeps its own session and closing it forgets the token.
 */
export const REFRESH_TOKEN_STORAGE = new InjectionToken<Storage>('REFRESH_TOKEN_STORAGE', {
  providedIn: 'root',
  factory: () => sessionStorage,
});

export const REFRESH_TOKEN_KEY = 'switchboard.refresh_token';
