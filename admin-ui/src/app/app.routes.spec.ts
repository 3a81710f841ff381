import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { aTokenResponse, aUser } from '../testing/session-fixtures';
import { routes } from './app.routes';
import { authInterceptor } from './core/auth/auth.interceptor';
import { Role } from './core/auth/roles';
import { SessionService } from './core/auth/session.service';

describe('console routes', () => {
  let harness: RouterTestingHarness;

  beforeEach(async () => {
    sessionStorage.clear();
    TestBed.configureTestingModule({
      providers: [provideHttpClient(withInterceptors([authInterceptor])), provideHttpClientTesting(), provideRouter(routes)],
    });
    harness = await RouterTestingHarness.create();
  });

  async function signInAs(role: Role) {
    const done = TestBed.inject(SessionService).signIn({ email: `${role}@example.com`, password: 'secret-password' });
    TestBed.inject(HttpTestingController)
      .expectOne('/api/v1/auth/login')
      .flush(aTokenResponse(aUser(role)));
    await done;
  }

  async function landingOf(url: string): Promise<string> {
    await harness.navigateByUrl(url);
    return TestBed.inject(Router).url;
  }

  it('sends a signed-out visitor to sign in, remembering the page asked for', async () => {
    expect(await landingOf('/audit')).toBe('/sign-in?returnUrl=%2Faudit');
    expect(await landingOf('/')).toBe('/sign-in');
  });

  it.each([
    ['admin', '/providers'],
    ['auditor', '/providers'],
    ['member', '/models'],
  ] as const)('opens the first area of an %s at /', async (role, home) => {
    await signInAs(role);
    expect(await landingOf('/')).toBe(home);
  });

  it.each([
    ['member', ['/providers', '/usage', '/audit', '/settings']],
    ['auditor', ['/knowledge-bases', '/playground', '/access']],
  ] as const)('keeps an %s out of the areas of other roles', async (role, forbidden) => {
    await signInAs(role);
    for (const url of forbidden) {
      expect(await landingOf(url)).toBe(role === 'member' ? '/models' : '/providers');
    }
  });

  it('lets an admin open every area', async () => {
    await signInAs('admin');
    for (const url of ['/providers', '/models', '/knowledge-bases', '/playground', '/usage', '/audit', '/access', '/settings']) {
      expect(await landingOf(url)).toBe(url);
    }
  });

  it('lets an auditor read usage', async () => {
    await signInAs('auditor');
    expect(await landingOf('/usage')).toBe('/usage');
  });

  it('skips the sign-in page once signed in, and sends unknown paths home', async () => {
    await signInAs('member');
    expect(await landingOf('/sign-in')).toBe('/models');
    expect(await landingOf('/no-such-page')).toBe('/models');
  });
});
