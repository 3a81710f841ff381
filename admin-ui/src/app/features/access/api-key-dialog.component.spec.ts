import { Clipboard } from '@angular/cdk/clipboard';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MAT_DIALOG_DATA, MatDialogRef } from '@angular/material/dialog';
import { MatSelectHarness } from '@angular/material/select/testing';
import { testing } from '../../../testing/harness';
import { aModel, aModelPage, anApiKey } from '../../../testing/registry-fixtures';
import { aProblem, aTokenResponse, aUser } from '../../../testing/session-fixtures';
import { SessionService } from '../../core/auth/session.service';
import { AccessService } from './access.service';
import { ApiKeyDialogComponent } from './api-key-dialog.component';

const KEYS = '/api/v1/api-keys';

describe('ApiKeyDialogComponent', () => {
  let fixture: ComponentFixture<ApiKeyDialogComponent>;
  let http: HttpTestingController;
  let t: ReturnType<typeof testing<ApiKeyDialogComponent>>;
  let copied: string[];
  const ref = {
    disableClose: false,
    closedWith: undefined as unknown,
    close: (value: unknown) => (ref.closedWith = value),
    updateSize: () => ref,
  };

  beforeEach(async () => {
    copied = [];
    ref.disableClose = false;
    TestBed.configureTestingModule({
      imports: [ApiKeyDialogComponent],
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        AccessService,
        { provide: MAT_DIALOG_DATA, useValue: {} },
        { provide: MatDialogRef, useValue: ref },
        { provide: Clipboard, useValue: { copy: (text: string) => copied.push(text) > 0 } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    const signIn = TestBed.inject(SessionService).signIn({ email: 'member@example.com', password: 'x' });
    http.expectOne('/api/v1/auth/login').flush(aTokenResponse(aUser('member')));
    await signIn;
    fixture = TestBed.createComponent(ApiKeyDialogComponent);
    t = testing(fixture, http);
    // The service behind the dialog lists the member's own keys; the dialog, the models a key may be limited to.
    (await t.request(KEYS)).flush([]);
    const choices = await t.request('/api/v1/models');
    expect(choices.request.params.get('status')).toBe('active');
    choices.flush(aModelPage([aModel({ id: 'm-gpt', display_name: 'gpt-4o-mini' }), aModel({ id: 'm-claude', display_name: 'claude' })]));
  });

  afterEach(() => http.verify());

  it('asks for a name, and offers a member no role above their own', async () => {
    await t.click('create-api-key-submit');
    expect(t.allText()).toContain('Name the key');
    expect(t.allText()).not.toContain('Administrator');
    http.expectNone((request) => request.method === 'POST');
  });

  it('shows the secret once, with a warning and a copy button, and only "Done" closes it', async () => {
    await t.type('api-key-name-input', 'billing-service');
    await t.click('create-api-key-submit');
    const create = await t.request(KEYS, 'POST');
    expect(create.request.body).toEqual({ name: 'billing-service', role: 'member' });
    create.flush({ ...anApiKey(), secret: 'sbk_Xy12ab34_the-whole-secret' });
    (await t.request(KEYS, 'GET')).flush([anApiKey()]);

    await t.until(() => expect(t.text('api-key-secret')).toBe('sbk_Xy12ab34_the-whole-secret'));
    expect(t.text('api-key-secret-warning')).toContain('This is the only time the key is shown');
    expect(ref.disableClose).toBe(true);

    await t.click('copy-api-key-button');
    expect(copied).toEqual(['sbk_Xy12ab34_the-whole-secret']);
    expect(t.text('copy-api-key-button')).toContain('Copied');

    await t.click('api-key-done-button');
    expect(ref.closedWith).toMatchObject({ name: 'billing-service' });
  });

  it('shows a first gateway request with the new key, in curl or the openai SDKs, to copy', async () => {
    await t.type('api-key-name-input', 'billing-service');
    await t.click('create-api-key-submit');
    (await t.request(KEYS, 'POST')).flush({ ...anApiKey(), secret: 'sbk_Xy12ab34_the-whole-secret' });
    (await t.request(KEYS, 'GET')).flush([anApiKey()]);
    const base = `${location.origin}/v1`;

    await t.until(() => expect(t.text('gateway-snippet')).toContain(`curl ${base}/chat/completions`));
    expect(t.text('gateway-snippet')).toContain('Authorization: Bearer sbk_Xy12ab34_the-whole-secret');

    const python = [...t.byTestId('snippet-language')!.querySelectorAll('button')].find((b) => b.textContent?.includes('Python'))!;
    python.click();
    await t.until(() => expect(t.text('gateway-snippet')).toContain(`base_url="${base}", api_key="sbk_Xy12ab34_the-whole-secret",`));
    await t.click('copy-snippet-button');
    expect(copied).toEqual([t.byTestId('gateway-snippet')!.textContent]);
    expect(copied[0]).toContain('\nprint(reply.choices[0].message.content)');
    expect(t.text('copy-snippet-button')).toContain('Copied');
  });

  it('limits the key to the models chosen; none chosen sends no list (every model)', async () => {
    await t.type('api-key-name-input', 'billing-service');
    const select = await TestbedHarnessEnvironment.loader(fixture).getHarness(
      MatSelectHarness.with({ selector: '[data-testid="api-key-models-select"]' }),
    );
    await select.open();
    expect((await select.getOptions()).length).toBe(2);
    await select.clickOptions({ text: 'claude' });
    await select.clickOptions({ text: 'gpt-4o-mini' });
    await select.close();
    await t.click('create-api-key-submit');
    const create = await t.request(KEYS, 'POST');
    expect(create.request.body).toEqual({ name: 'billing-service', role: 'member', models: ['m-gpt', 'm-claude'] });
    create.flush({ ...anApiKey({ models: ['m-claude', 'm-gpt'] }), secret: 'sbk_Xy12ab34_the-whole-secret' });
    (await t.request(KEYS, 'GET')).flush([anApiKey()]);
    await t.until(() => expect(t.text('api-key-secret')).toBe('sbk_Xy12ab34_the-whole-secret'));
  });

  it('shows a refused expiry under its field', async () => {
    await t.type('api-key-name-input', 'old');
    await t.type('api-key-expires-input', '2020-01-01');
    await t.click('create-api-key-submit');
    (await t.request(KEYS, 'POST')).flush(
      aProblem(422, 'The request has 1 invalid field: expires_at', [{ field: 'expires_at', message: 'expires_at must be in the future' }]),
      { status: 422, statusText: 'Unprocessable Content' },
    );
    await t.until(() => expect(t.allText()).toContain('expires_at must be in the future'));
    expect(t.byTestId('api-key-secret')).toBeNull();
  });
});
