import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MatCheckboxHarness } from '@angular/material/checkbox/testing';
import { MAT_DIALOG_DATA, MatDialogRef } from '@angular/material/dialog';
import { MatSelectHarness } from '@angular/material/select/testing';
import type { ProviderResponse } from '../../api/models';
import { testing } from '../../../testing/harness';
import { aProvider, aTestResult, KIND_SPECS } from '../../../testing/registry-fixtures';
import { aProblem } from '../../../testing/session-fixtures';
import { ProviderDialogComponent } from './provider-dialog.component';
import { ProvidersService } from './providers.service';

const KINDS = '/api/v1/providers/kinds';
const PROVIDERS = '/api/v1/providers';
const TEST = '/api/v1/providers/test';

describe('ProviderDialogComponent', () => {
  let fixture: ComponentFixture<ProviderDialogComponent>;
  let http: HttpTestingController;
  let t: ReturnType<typeof testing<ProviderDialogComponent>>;
  let closedWith: ProviderResponse | undefined;

  async function open(provider?: ProviderResponse) {
    closedWith = undefined;
    TestBed.configureTestingModule({
      imports: [ProviderDialogComponent],
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        ProvidersService,
        { provide: MAT_DIALOG_DATA, useValue: { provider } },
        { provide: MatDialogRef, useValue: { close: (value: ProviderResponse) => (closedWith = value) } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(ProviderDialogComponent);
    t = testing(fixture, http);
    (await t.request(KINDS)).flush(KIND_SPECS);
    (await t.request(PROVIDERS)).flush([]);
    await fixture.whenStable();
  }

  const loader = () => TestbedHarnessEnvironment.loader(fixture);
  const chooseKind = async (label: string) =>
    (await loader().getHarness(MatSelectHarness.with({ selector: '[data-testid="provider-kind-select"]' }))).clickOptions({ text: label });

  afterEach(() => http.verify());

  it('shows the fields of the chosen kind: Azure asks for an endpoint and an API version, prefilled', async () => {
    await open();
    expect(t.byTestId('provider-api-version-input')).toBeNull();
    expect(t.byTestId('provider-organization-input')).not.toBeNull();

    await chooseKind('Azure OpenAI');
    await t.until(() => expect(t.byTestId<HTMLInputElement>('provider-api-version-input')?.value).toBe('2024-10-21'));
    expect(t.byTestId('provider-organization-input')).toBeNull();

    await t.click('save-untested-provider-button');
    await t.until(() => expect(t.allText()).toContain('Azure OpenAI providers need an endpoint'));
    expect(t.text('api-key-error')).toBe('Azure OpenAI providers need an API key');
    http.expectNone(PROVIDERS);
  });

  it('needs no key for Ollama, and creates it once a connection test passed', async () => {
    await open();
    await chooseKind('Ollama');
    await t.type('provider-name-input', 'Local Ollama 2');
    await t.type('provider-api-base-input', 'http://localhost:11434');
    await t.type('provider-rpm-input', '120');
    expect(t.byTestId<HTMLButtonElement>('save-provider-button')?.disabled).toBe(true);
    expect(t.text('connection-status-indicator')).toContain('Not tested yet');

    await t.click('test-connection-button');
    const test = await t.request(TEST, 'POST');
    expect(test.request.body).toEqual({ kind: 'ollama', api_base: 'http://localhost:11434', config: {} });
    test.flush(aTestResult());
    await t.until(() => expect(t.byTestId('connection-status-indicator')?.dataset['state']).toBe('passed'));
    expect(t.text('connection-status-indicator')).toContain('Connection OK · 42 ms');
    expect(t.byTestId<HTMLButtonElement>('save-provider-button')?.disabled).toBe(false);

    await t.click('save-provider-button');
    const create = await t.request(PROVIDERS, 'POST');
    expect(create.request.body).toEqual({
      name: 'Local Ollama 2',
      kind: 'ollama',
      api_base: 'http://localhost:11434',
      limits: { rpm: 120 },
      status: 'active',
    });
    const created = aProvider({ kind: 'ollama', name: 'Local Ollama 2' });
    create.flush(created);
    (await t.request(PROVIDERS, 'GET')).flush([created]);
    await t.until(() => expect(closedWith).toEqual(created));
  });

  it('shows where a test failed and why; saving waits for a passed test of the settings as they are now', async () => {
    await open();
    await chooseKind('Ollama');
    await t.type('provider-name-input', 'Gated');
    await t.type('provider-api-base-input', 'http://localhost:11434');
    await t.type('api-key-input', 'wrong');
    await t.click('test-connection-button');
    (await t.request(TEST, 'POST')).flush(aTestResult({ ok: false }));
    await t.until(() => expect(t.text('connection-status-indicator')).toContain('Failed at authentication'));
    expect(t.byTestId('test-stage-auth')?.dataset['status']).toBe('failed');
    expect(t.text('test-message')).toBe('the key was rejected by localhost:11434 (401): check the key');
    expect(t.text('test-error-class')).toBe('authentication_error');
    expect(t.text('test-upstream-status')).toBe('401');
    expect(t.byTestId<HTMLButtonElement>('save-provider-button')?.disabled).toBe(true);

    await t.type('api-key-input', 'right');
    await t.click('test-connection-button');
    const retest = await t.request(TEST, 'POST');
    expect(retest.request.body.api_key).toBe('right');
    retest.flush(aTestResult());
    await t.until(() => expect(t.byTestId<HTMLButtonElement>('save-provider-button')?.disabled).toBe(false));

    // A name is not a connection setting; the endpoint is.
    await t.type('provider-name-input', 'Gated and renamed');
    expect(t.byTestId<HTMLButtonElement>('save-provider-button')?.disabled).toBe(false);
    await t.type('provider-api-base-input', 'http://localhost:11435');
    expect(t.byTestId('connection-status-indicator')?.dataset['state']).toBe('stale');
    expect(t.byTestId<HTMLButtonElement>('save-provider-button')?.disabled).toBe(true);
    expect(t.byTestId('save-untested-provider-button')).not.toBeNull();
  });

  it('shows a refused field under it and the problem above the form', async () => {
    await open();
    await chooseKind('Ollama');
    await t.type('provider-name-input', 'Taken');
    await t.type('provider-api-base-input', 'http://localhost:11434');
    await t.click('save-untested-provider-button');
    (await t.request(PROVIDERS, 'POST')).flush(
      aProblem(409, 'A provider named Taken already exists', [{ field: 'name', message: 'name is already in use' }]),
      { status: 409, statusText: 'Conflict' },
    );
    await t.until(() => expect(t.text('provider-form-error')).toContain('A provider named Taken already exists'));
    expect(t.allText()).toContain('name is already in use');
    expect(closedWith).toBeUndefined();
  });

  describe('editing a provider with a stored key', () => {
    const stored = aProvider({ id: 'p-1', kind: 'ollama', name: 'Local', api_base: 'http://localhost:11434', api_key_last4: 'wxyz' });

    it('saves a change that leaves the connection alone without a test', async () => {
      await open(stored);
      expect(t.byTestId('connection-status-indicator')?.dataset['state']).toBe('unchanged');
      await t.type('provider-rpm-input', '60');
      expect(t.byTestId('save-untested-provider-button')).toBeNull();
      await t.click('save-provider-button');
      const update = await t.request(`${PROVIDERS}/p-1`, 'PATCH');
      expect(update.request.body.limits).toEqual({ max_concurrency: null, rpm: 60, tpm: null });
      update.flush(stored);
      (await t.request(PROVIDERS, 'GET')).flush([stored]);
      await t.until(() => expect(closedWith).toEqual(stored));
    });

    it('tests with the stored key, which the API refuses for a new endpoint: the key field says so', async () => {
      await open(stored);
      await t.click('test-connection-button');
      const same = await t.request(TEST, 'POST');
      expect(same.request.body).toEqual({ provider_id: 'p-1', api_base: 'http://localhost:11434', use_stored_key: true, config: {} });
      same.flush(aTestResult());
      await t.until(() => expect(t.byTestId('connection-status-indicator')?.dataset['state']).toBe('passed'));

      await t.type('provider-api-base-input', 'http://gpu-box:11434');
      await t.click('test-connection-button');
      (await t.request(TEST, 'POST')).flush(
        aProblem(422, 'The request has 1 invalid field: use_stored_key', [
          { field: 'use_stored_key', message: 'the endpoint changed: enter the API key again to test the new endpoint' },
        ]),
        { status: 422, statusText: 'Unprocessable Content' },
      );
      await t.until(() => expect(t.text('api-key-error')).toBe('the endpoint changed: enter the API key again to test the new endpoint'));
      expect(t.byTestId('connection-status-indicator')?.dataset['state']).toBe('failed');
    });

    it('keeps the kind fixed and says the empty key field keeps the stored key', async () => {
      await open(stored);
      expect(t.allText()).toContain('Stored key ends in wxyz. Leave empty to keep it.');
      expect(t.byTestId<HTMLInputElement>('api-key-input')?.placeholder).toBe('****wxyz');
      const kind = await loader().getHarness(MatSelectHarness.with({ selector: '[data-testid="provider-kind-select"]' }));
      expect(await kind.isDisabled()).toBe(true);
    });

    it('removes the key with null after "Remove key"', async () => {
      await open(stored);
      await t.click('remove-api-key-button');
      expect(t.text('api-key-removed-hint')).toBe('The stored key will be removed when you save.');
      await t.click('save-untested-provider-button');
      const update = await t.request(`${PROVIDERS}/p-1`, 'PATCH');
      expect(update.request.body.api_key).toBeNull();
      update.flush({ ...stored, has_api_key: false, api_key_last4: null });
      (await t.request(PROVIDERS, 'GET')).flush([]);
    });

    it('after a new endpoint, shows key_reentry_required on the key field and then keeps the key when asked', async () => {
      await open(stored);
      await t.type('provider-api-base-input', 'http://gpu-box:11434');
      expect(t.byTestId('keep-api-key-checkbox')).not.toBeNull();
      await t.click('save-untested-provider-button');

      const refused = await t.request(`${PROVIDERS}/p-1`, 'PATCH');
      expect('keep_api_key' in refused.request.body).toBe(false);
      refused.flush(
        aProblem(422, 'The request has 1 invalid field: api_key', [
          {
            field: 'api_key',
            message: 'the endpoint changed: enter the API key again for the new endpoint',
            code: 'key_reentry_required',
          } as never,
        ]),
        { status: 422, statusText: 'Unprocessable Content' },
      );
      await t.until(() => expect(t.text('api-key-error')).toBe('The endpoint changed: enter the key again, or keep the stored key below.'));

      await (await loader().getHarness(MatCheckboxHarness.with({ selector: '[data-testid="keep-api-key-checkbox"]' }))).check();
      await t.click('save-untested-provider-button');
      const kept = await t.request(`${PROVIDERS}/p-1`, 'PATCH');
      expect(kept.request.body).toMatchObject({ api_base: 'http://gpu-box:11434', keep_api_key: true });
      kept.flush({ ...stored, api_base: 'http://gpu-box:11434' });
      (await t.request(PROVIDERS, 'GET')).flush([]);
      await t.until(() => expect(closedWith?.api_base).toBe('http://gpu-box:11434'));
    });
  });
});
