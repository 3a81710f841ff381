import { HttpContext, HttpContextToken } from '@angular/common/http';

/** Sign-in and token refresh: sent without a bearer token, and their 401s are answers, not expiry. */
export const ANONYMOUS_REQUEST = new HttpContextToken<boolean>(() => false);

/** Sent with the bearer token, but a 401 must not trigger a renewal (sign-out). */
export const NO_RENEWAL = new HttpContextToken<boolean>(() => false);

export const anonymous = () => new HttpContext().set(ANONYMOUS_REQUEST, true);
export const withoutRenewal = () => new HttpContext().set(NO_RENEWAL, true);
