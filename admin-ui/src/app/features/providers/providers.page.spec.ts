import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { testing } from '../../../testing/harness';
import { aProvider, KIND_SPECS } from '../../../testing/registry-fixtures';
import { aTokenResponse, aUser } from '../../../testing/session-fixtures';
import { Role } from '../../core/auth/roles';
import { SessionService } from '../../core/auth/session.service';
import { ProvidersPage } from './providers.page';

const PROVIDERS = '/api/v1/providers';

describe('ProvidersPage', () => {
  let fixture: ComponentFixture<ProvidersPage>;
  let http: HttpTestingController;
  let t: ReturnType<typeof testing<ProvidersPage>>;

  async function render(role: Role = 'admin') {
    TestBed.configureTestingModule({ imports: [ProvidersPage], providers: [provideHttpClient(), provideHttpClientTesting()] });
    http = TestBed.inject(HttpTestingController);
    const signIn = TestBed.inject(SessionService).signIn({ email: 'a@example.com', password: 'x' });
    http.expectOne('/api/v1/auth/login').flush(aTokenResponse(aUser(role)));
    await signIn;
    fixture = TestBed.createComponent(ProvidersPage);
    t = testing(fixture, http);
    (await t.request(`${PROVIDERS}/kinds`)).flush(KIND_SPECS);
    return t.request(PROVIDERS);
  }

  afterEach(() => http.verify());

  it('shows the endpoint, the masked key, the circuit and the last test of each provider', async () => {
    (await render()).flush([
      aProvider({
        id: 'p-1',
        name: 'OpenAI production',
        circuit_state: 'half_open',
        last_test: {
          ok: false,
          tested_at: new Date(Date.now() - 120_000).toISOString(),
          latency_ms: 412,
          failed_stage: 'auth',
          error_class: 'authentication_error',
          message: 'The API key was refused',
          model_id: null,
          upstream_status: 401,
          stages: [],
        },
      }),
      aProvider({
        id: 'p-2',
        name: 'Local',
        kind: 'ollama',
        api_base: 'http://localhost:11434',
        effective_api_base: 'http://localhost:11434',
        has_api_key: false,
        api_key_last4: null,
      }),
    ]);
    await t.until(() => expect(t.byTestId('provider-row-p-1')).not.toBeNull());

    expect(t.text('provider-row-p-1')).toContain('https://api.openai.com/v1');
    expect(t.text('provider-row-p-1')).toContain('Kind default');
    expect(t.text('provider-key-p-1')).toBe('****a1b2');
    expect(t.text('provider-key-p-2')).toBe('No key');
    expect(t.text('provider-circuit-p-1')).toContain('Half-open');
    expect(t.text('provider-last-test-p-1')).toContain('Failed');
    expect(t.text('provider-last-test-p-1')).toContain('412 ms · 2 minutes ago');
    expect(t.text('provider-last-test-p-1')).toContain('Failed at auth');
    expect(t.text('provider-last-test-p-2')).toBe('Never tested');
  });

  it('filters through the API as the search is typed', async () => {
    (await render()).flush([aProvider()]);
    await t.type('provider-search-input', 'gpu');
    const filtered = await t.request(PROVIDERS);
    expect(filtered.request.params.get('search')).toBe('gpu');
    filtered.flush([]);
    await t.until(() => expect(t.allText()).toContain('No providers match these filters.'));
  });

  it('gives auditors the list without any way to change it', async () => {
    (await render('auditor')).flush([aProvider({ id: 'p-1' })]);
    await t.until(() => expect(t.byTestId('provider-row-p-1')).not.toBeNull());
    expect(t.byTestId('add-provider-button')).toBeNull();
    expect(t.byTestId('edit-provider-button-p-1')).toBeNull();
    expect(t.byTestId('delete-provider-button-p-1')).toBeNull();
  });
});
