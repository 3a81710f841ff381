import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import { aProblem, aTokenResponse, aUser } from '../../../testing/session-fixtures';
import { authInterceptor } from '../../core/auth/auth.interceptor';
import { SessionService } from '../../core/auth/session.service';
import { SignInPage } from './sign-in.page';

@Component({ template: '' })
class BlankPage {}

const LOGIN = '/api/v1/auth/login';

describe('SignInPage', () => {
  let fixture: ComponentFixture<SignInPage>;
  let http: HttpTestingController;
  let router: Router;

  beforeEach(async () => {
    sessionStorage.clear();
    TestBed.configureTestingModule({
      imports: [SignInPage],
      providers: [
        provideHttpClient(withInterceptors([authInterceptor])),
        provideHttpClientTesting(),
        provideRouter([
          { path: 'sign-in', component: BlankPage },
          { path: 'audit', component: BlankPage },
          { path: '', component: BlankPage },
        ]),
      ],
    });
    http = TestBed.inject(HttpTestingController);
    router = TestBed.inject(Router);
    fixture = TestBed.createComponent(SignInPage);
    await fixture.whenStable();
  });

  afterEach(() => http.verify());

  const byTestId = (id: string): HTMLElement | null => fixture.nativeElement.querySelector(`[data-testid="${id}"]`);
  const text = (id: string) => byTestId(id)?.textContent?.trim() ?? null;

  async function type(id: string, value: string) {
    const input = byTestId(id) as HTMLInputElement;
    input.value = value;
    input.dispatchEvent(new Event('input'));
    input.dispatchEvent(new Event('blur'));
    await fixture.whenStable();
  }

  async function submit() {
    (byTestId('login-submit') as HTMLButtonElement).click();
    await fixture.whenStable();
  }

  async function fillAndSubmit(email = 'ada@example.com', password = 'correct horse battery') {
    await type('login-email', email);
    await type('login-password', password);
    await submit();
  }

  it('asks for the email and password before calling the server', async () => {
    await submit();
    expect(text('login-email-error')).toBe('Enter your email address');
    expect(text('login-password-error')).toBe('Enter your password');
    http.expectNone(LOGIN);
  });

  it('explains an email address that is not one', async () => {
    await type('login-email', 'ada.example.com');
    await type('login-password', 'whatever-it-is');
    await submit();
    expect(text('login-email-error')).toContain('Enter a valid email address');
    expect(text('login-password-error')).toBeNull();
    http.expectNone(LOGIN);
  });

  it('shows progress while signing in, then the problem’s detail when the server refuses', async () => {
    await fillAndSubmit('ada@example.com', 'wrong-password');
    const login = http.expectOne(LOGIN);
    expect(login.request.body).toEqual({ email: 'ada@example.com', password: 'wrong-password' });
    expect(byTestId('login-progress')).not.toBeNull();
    expect((byTestId('login-submit') as HTMLButtonElement).disabled).toBe(true);
    expect(text('login-submit')).toBe('Signing in…');

    login.flush(aProblem(401, 'The email or password is incorrect'), { status: 401, statusText: 'Unauthorized' });
    await vi.waitFor(async () => {
      await fixture.whenStable();
      expect(text('login-error')).toBe('The email or password is incorrect');
    });
    expect(byTestId('login-error')?.closest('[role="alert"]')).not.toBeNull();
    expect(byTestId('login-progress')).toBeNull();
    expect((byTestId('login-submit') as HTMLButtonElement).disabled).toBe(false);
    expect(TestBed.inject(SessionService).signedIn()).toBe(false);
  });

  it('shows the throttling message of a 429 as it is', async () => {
    await fillAndSubmit();
    http
      .expectOne(LOGIN)
      .flush(aProblem(429, 'Too many failed sign-ins; try again in a minute'), { status: 429, statusText: 'Too Many Requests' });
    await vi.waitFor(async () => {
      await fixture.whenStable();
      expect(text('login-error')).toBe('Too many failed sign-ins; try again in a minute');
    });
  });

  it('puts the field errors of a 422 under their fields', async () => {
    await fillAndSubmit('ada@example.com', 'x');
    http
      .expectOne(LOGIN)
      .flush(aProblem(422, 'The request has 1 invalid field: password', [{ field: 'password', message: 'password is too long' }]), {
        status: 422,
        statusText: 'Unprocessable Content',
      });
    await vi.waitFor(async () => {
      await fixture.whenStable();
      expect(text('login-password-error')).toBe('password is too long');
    });
    expect(text('login-error')).toBe('The request has 1 invalid field: password');
  });

  it('says so when the server cannot be reached', async () => {
    await fillAndSubmit();
    http.expectOne(LOGIN).error(new ProgressEvent('error'), { status: 0 });
    await vi.waitFor(async () => {
      await fixture.whenStable();
      expect(text('login-error')).toContain('The server cannot be reached');
    });
  });

  it('goes back to the page the user came from once signed in', async () => {
    fixture.componentRef.setInput('returnUrl', '/audit');
    await fillAndSubmit();
    http.expectOne(LOGIN).flush(aTokenResponse(aUser('auditor')));
    await vi.waitFor(() => expect(router.url).toBe('/audit'));
    expect(TestBed.inject(SessionService).role()).toBe('auditor');
  });

  it('does not follow a return URL that leaves the console', async () => {
    fixture.componentRef.setInput('returnUrl', '//evil.example.com/phish');
    await fillAndSubmit();
    http.expectOne(LOGIN).flush(aTokenResponse());
    await vi.waitFor(() => expect(router.url).toBe('/'));
  });

  it('tells the user why they are here after their session ended', async () => {
    fixture.componentRef.setInput('reason', 'expired');
    await fixture.whenStable();
    expect(text('session-expired')).toBe('Your session has ended. Sign in again to continue.');
  });
});
