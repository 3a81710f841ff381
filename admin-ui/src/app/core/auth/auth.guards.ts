import { inject } from '@angular/core';
import { CanActivateFn, CanMatchFn, Router, UrlSegment } from '@angular/router';
import { AreaId, canOpen } from '../navigation/console-areas';
import { SessionService } from './session.service';

/** The console behind sign-in; remembers where the user was going. */
export const requireSession: CanMatchFn = (_route, segments: UrlSegment[]) => {
  if (inject(SessionService).signedIn()) return true;
  const target = '/' + segments.map((segment) => segment.path).join('/');
  const queryParams = target === '/' ? {} : { returnUrl: target };
  return inject(Router).createUrlTree(['/sign-in'], { queryParams });
};

/** An area the role may not open is not matched at all (its code is never loaded): go home. */
export function requireArea(id: AreaId): CanMatchFn {
  return () => canOpen(inject(SessionService).role(), id) || inject(Router).createUrlTree(['/']);
}

/** Signed-in users have nothing to do on the sign-in page. */
export const redirectSignedIn: CanActivateFn = () => !inject(SessionService).signedIn() || inject(Router).createUrlTree(['/']);

/** Only paths inside the console are followed after sign-in (no open redirect). */
export function safeReturnUrl(candidate: string | null | undefined): string {
  return candidate && candidate.startsWith('/') && !candidate.startsWith('//') && !candidate.startsWith('/sign-in') ? candidate : '/';
}
