import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { aTokenResponse, aUser } from '../../../testing/session-fixtures';
import { authInterceptor } from '../auth/auth.interceptor';
import { Role } from '../auth/roles';
import { SessionService } from '../auth/session.service';
import { ShellComponent } from './shell.component';

describe('ShellComponent', () => {
  beforeEach(() => {
    sessionStorage.clear();
    TestBed.configureTestingModule({
      imports: [ShellComponent],
      providers: [provideHttpClient(withInterceptors([authInterceptor])), provideHttpClientTesting(), provideRouter([])],
    });
  });

  async function renderSignedInAs(role: Role) {
    const done = TestBed.inject(SessionService).signIn({ email: `${role}@example.com`, password: 'secret-password' });
    TestBed.inject(HttpTestingController)
      .expectOne('/api/v1/auth/login')
      .flush(aTokenResponse(aUser(role)));
    await done;
    const fixture = TestBed.createComponent(ShellComponent);
    await fixture.whenStable();
    return fixture.nativeElement as HTMLElement;
  }

  const navItems = (root: HTMLElement) =>
    [...root.querySelectorAll<HTMLElement>('nav [data-testid^="nav-"]')].map((item) => ({
      testId: item.dataset['testid'],
      label: item.querySelector('.nav-label')?.textContent?.trim(),
    }));

  it('shows an admin every area', async () => {
    const items = navItems(await renderSignedInAs('admin'));
    expect(items.map((item) => item.testId)).toEqual([
      'nav-providers',
      'nav-models',
      'nav-knowledge-bases',
      'nav-playground',
      'nav-usage',
      'nav-audit',
      'nav-access',
      'nav-settings',
    ]);
    expect(items.find((item) => item.testId === 'nav-access')?.label).toBe('Users & API keys');
  });

  it('shows an auditor the registry, usage, the audit log and settings only', async () => {
    const items = navItems(await renderSignedInAs('auditor'));
    expect(items.map((item) => item.testId)).toEqual(['nav-providers', 'nav-models', 'nav-usage', 'nav-audit', 'nav-settings']);
  });

  it('shows a member models, knowledge bases, the playground and their API keys', async () => {
    const items = navItems(await renderSignedInAs('member'));
    expect(items.map((item) => item.testId)).toEqual(['nav-models', 'nav-knowledge-bases', 'nav-playground', 'nav-access']);
    expect(items.find((item) => item.testId === 'nav-access')?.label).toBe('API keys');
  });

  it('names the signed-in user on the account button', async () => {
    const root = await renderSignedInAs('member');
    expect(root.querySelector('[data-testid="user-menu"]')?.textContent).toContain('Ada Member');
  });
});
