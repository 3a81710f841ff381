import { HttpErrorResponse, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, TestRequest } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import { Api } from '../../api/api';
import { me } from '../../api/fn/auth/me';
import { aProblem, aTokenResponse, aUser, resetIssuedTokens } from '../../../testing/session-fixtures';
import { authInterceptor } from './auth.interceptor';
import { REFRESH_TOKEN_KEY } from './refresh-token.store';
import { SessionService } from './session.service';

@Component({ template: '' })
class BlankPage {}

const LOGIN = '/api/v1/auth/login';
const REFRESH = '/api/v1/auth/refresh';
const LOGOUT = '/api/v1/auth/logout';
const ME = '/api/v1/auth/me';

describe('SessionService with the auth interceptor', () => {
  let session: SessionService;
  let api: Api;
  let http: HttpTestingController;
  let router: Router;

  beforeEach(async () => {
    vi.useFakeTimers();
    sessionStorage.clear();
    localStorage.clear();
    resetIssuedTokens();
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([authInterceptor])),
        provideHttpClientTesting(),
        provideRouter([
          { path: 'sign-in', component: BlankPage },
          { path: 'audit', component: BlankPage },
        ]),
      ],
    });
    session = TestBed.inject(SessionService);
    api = TestBed.inject(Api);
    http = TestBed.inject(HttpTestingController);
    router = TestBed.inject(Router);
  });

  afterEach(() => {
    http.verify();
    TestBed.resetTestingModule();
    vi.useRealTimers();
  });

  async function signIn(role: 'admin' | 'member' | 'auditor' = 'admin', expiresIn = 900) {
    const done = session.signIn({ email: `${role}@example.com`, password: 'secret-password' });
    http.expectOne(LOGIN).flush(aTokenResponse(aUser(role), expiresIn));
    await done;
  }

  // The next request to `url`, once the promises in between have run.
  const nextRequest = (url: string): Promise<TestRequest> => vi.waitFor(() => http.expectOne(url));

  const unauthorized = { status: 401, statusText: 'Unauthorized' };

  it('signs in without a bearer token, keeps the refresh token in sessionStorage and exposes the user', async () => {
    const done = session.signIn({ email: 'member@example.com', password: 'secret-password' });
    const login = http.expectOne(LOGIN);
    expect(login.request.method).toBe('POST');
    expect(login.request.body).toEqual({ email: 'member@example.com', password: 'secret-password' });
    expect(login.request.headers.has('Authorization')).toBe(false);
    login.flush(aTokenResponse(aUser('member')));
    await done;

    expect(session.signedIn()).toBe(true);
    expect(session.role()).toBe('member');
    expect(sessionStorage.getItem(REFRESH_TOKEN_KEY)).toBe('refresh-1');
    expect(localStorage.length).toBe(0);
  });

  it('sends the access token with API calls', async () => {
    await signIn();
    const call = api.invoke(me);
    const request = http.expectOne(ME);
    expect(request.request.headers.get('Authorization')).toBe('Bearer access-1');
    request.flush(aUser());
    await expect(call).resolves.toMatchObject({ role: 'admin' });
  });

  it('a refused sign-in is an answer, not an expired session: no renewal is attempted', async () => {
    const done = session.signIn({ email: 'admin@example.com', password: 'wrong' });
    http.expectOne(LOGIN).flush(aProblem(401, 'The email or password is incorrect'), unauthorized);
    await expect(done).rejects.toBeInstanceOf(HttpErrorResponse);
    http.expectNone(REFRESH);
    expect(session.signedIn()).toBe(false);
  });

  it('renews the access token shortly before it expires, with the rotating refresh token', async () => {
    await signIn('admin', 900);
    await vi.advanceTimersByTimeAsync(839_000);
    http.expectNone(REFRESH);

    await vi.advanceTimersByTimeAsync(2_000);
    const renewal = http.expectOne(REFRESH);
    expect(renewal.request.body).toEqual({ refresh_token: 'refresh-1' });
    expect(renewal.request.headers.has('Authorization')).toBe(false);
    renewal.flush(aTokenResponse());
    await vi.waitFor(() => expect(sessionStorage.getItem(REFRESH_TOKEN_KEY)).toBe('refresh-2'));

    void api.invoke(me);
    const call = http.expectOne(ME);
    expect(call.request.headers.get('Authorization')).toBe('Bearer access-2');
    call.flush(aUser());
  });

  it('keeps the session when the server cannot be reached for a scheduled renewal, and tries again', async () => {
    await signIn('admin', 900);
    await vi.advanceTimersByTimeAsync(841_000);
    http.expectOne(REFRESH).error(new ProgressEvent('error'), { status: 0 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(session.signedIn()).toBe(true);

    await vi.advanceTimersByTimeAsync(15_000);
    http.expectOne(REFRESH).flush(aTokenResponse());
    await vi.waitFor(() => expect(sessionStorage.getItem(REFRESH_TOKEN_KEY)).toBe('refresh-2'));
  });

  it('on a 401 renews once and retries the request with the new token', async () => {
    await signIn();
    const call = api.invoke(me);
    http.expectOne(ME).flush(aProblem(401, 'Token expired'), unauthorized);

    (await nextRequest(REFRESH)).flush(aTokenResponse());
    const retry = await nextRequest(ME);
    expect(retry.request.headers.get('Authorization')).toBe('Bearer access-2');
    retry.flush(aUser('admin', { display_name: 'Renewed' }));

    await expect(call).resolves.toMatchObject({ display_name: 'Renewed' });
    expect(session.signedIn()).toBe(true);
  });

  it('requests refused at the same moment share one renewal', async () => {
    await signIn();
    const first = api.invoke(me);
    const second = api.invoke(me);
    for (const request of http.match(ME)) request.flush(aProblem(401, 'Token expired'), unauthorized);

    (await nextRequest(REFRESH)).flush(aTokenResponse());
    const retries = await vi.waitFor(() => {
      const pending = http.match(ME);
      expect(pending).toHaveLength(2);
      return pending;
    });
    for (const retry of retries) {
      expect(retry.request.headers.get('Authorization')).toBe('Bearer access-2');
      retry.flush(aUser());
    }
    await expect(Promise.all([first, second])).resolves.toHaveLength(2);
  });

  it('a refused renewal ends the session and sends the user to sign in, remembering the page', async () => {
    await router.navigateByUrl('/audit');
    await signIn();
    const call = api.invoke(me);
    http.expectOne(ME).flush(aProblem(401, 'Token expired'), unauthorized);
    (await nextRequest(REFRESH)).flush(aProblem(401, 'The refresh token is invalid'), unauthorized);

    await expect(call).rejects.toMatchObject({ status: 401 });
    expect(session.signedIn()).toBe(false);
    expect(sessionStorage.getItem(REFRESH_TOKEN_KEY)).toBeNull();
    await vi.waitFor(() => expect(router.url).toBe('/sign-in?reason=expired&returnUrl=%2Faudit'));
  });

  it('retries only once: a 401 on the retried request ends the session', async () => {
    await router.navigateByUrl('/audit');
    await signIn();
    const call = api.invoke(me);
    http.expectOne(ME).flush(aProblem(401, 'Token expired'), unauthorized);
    (await nextRequest(REFRESH)).flush(aTokenResponse());
    (await nextRequest(ME)).flush(aProblem(401, 'Account disabled'), unauthorized);

    await expect(call).rejects.toMatchObject({ status: 401 });
    http.expectNone(REFRESH);
    expect(session.signedIn()).toBe(false);
    await vi.waitFor(() => expect(router.url).toBe('/sign-in?reason=expired&returnUrl=%2Faudit'));
  });

  it('passes other errors through untouched', async () => {
    await signIn();
    const call = api.invoke(me);
    http.expectOne(ME).flush(aProblem(403, 'Requires role: admin'), { status: 403, statusText: 'Forbidden' });
    await expect(call).rejects.toMatchObject({ status: 403 });
    http.expectNone(REFRESH);
    expect(session.signedIn()).toBe(true);
  });

  it('resumes the session of this tab from its stored refresh token', async () => {
    sessionStorage.setItem(REFRESH_TOKEN_KEY, 'stored-refresh');
    const restored = session.restore();
    const renewal = http.expectOne(REFRESH);
    expect(renewal.request.body).toEqual({ refresh_token: 'stored-refresh' });
    renewal.flush(aTokenResponse(aUser('auditor')));
    await restored;
    expect(session.role()).toBe('auditor');
    expect(session.readOnly()).toBe(true);
  });

  it('without a stored refresh token there is nothing to resume', async () => {
    await session.restore();
    http.expectNone(REFRESH);
    expect(session.signedIn()).toBe(false);
  });

  it('signs out on the server, forgets the tokens and shows the sign-in page', async () => {
    await signIn();
    const done = session.signOut();
    const logoutCall = http.expectOne(LOGOUT);
    expect(logoutCall.request.body).toEqual({ refresh_token: 'refresh-1' });
    expect(logoutCall.request.headers.get('Authorization')).toBe('Bearer access-1');
    logoutCall.flush(null, { status: 204, statusText: 'No Content' });
    await done;

    expect(session.signedIn()).toBe(false);
    expect(sessionStorage.getItem(REFRESH_TOKEN_KEY)).toBeNull();
    expect(router.url).toBe('/sign-in');
    // The renewal timer went with the session.
    await vi.advanceTimersByTimeAsync(900_000);
    http.expectNone(REFRESH);
  });

  it('signs out locally even when the server refuses the sign-out, without trying to renew', async () => {
    await signIn();
    const done = session.signOut();
    http.expectOne(LOGOUT).flush(aProblem(401, 'Token expired'), unauthorized);
    await done;
    http.expectNone(REFRESH);
    expect(session.signedIn()).toBe(false);
    expect(router.url).toBe('/sign-in');
  });
});
