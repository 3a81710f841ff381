import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MAT_DIALOG_DATA, MatDialogRef } from '@angular/material/dialog';
import type { ModelResponse } from '../../api/models';
import { testing } from '../../../testing/harness';
import { aDiscovery, aModel, aProvider } from '../../../testing/registry-fixtures';
import { aProblem } from '../../../testing/session-fixtures';
import { DiscoverDialogComponent } from './discover-dialog.component';
import { ProvidersService } from './providers.service';

const PROVIDER = aProvider();
const DISCOVER = `/api/v1/providers/${PROVIDER.id}/discover`;
const IMPORT = `/api/v1/providers/${PROVIDER.id}/import`;

describe('DiscoverDialogComponent', () => {
  let fixture: ComponentFixture<DiscoverDialogComponent>;
  let http: HttpTestingController;
  let t: ReturnType<typeof testing<DiscoverDialogComponent>>;
  let closedWith: ModelResponse[] | undefined;

  beforeEach(async () => {
    closedWith = undefined;
    TestBed.configureTestingModule({
      imports: [DiscoverDialogComponent],
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        ProvidersService,
        { provide: MAT_DIALOG_DATA, useValue: PROVIDER },
        { provide: MatDialogRef, useValue: { close: (value: ModelResponse[]) => (closedWith = value) } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(DiscoverDialogComponent);
    t = testing(fixture, http);
    // The page's service loads its list and kinds too.
    (await t.request('/api/v1/providers/kinds')).flush([]);
    (await t.request('/api/v1/providers')).flush([PROVIDER]);
  });

  afterEach(() => http.verify());

  const checkbox = (id: string) => t.byTestId(`discover-select-${id}`)?.querySelector('input') as HTMLInputElement;

  it('lists what the upstream serves; a registered model is checked, disabled and named', async () => {
    (await t.request(DISCOVER)).flush(aDiscovery());
    await t.until(() => expect(t.byTestId('discover-table')).not.toBeNull());
    expect(checkbox('gpt-4o').disabled).toBe(true);
    expect(checkbox('gpt-4o').checked).toBe(true);
    expect(t.text('discover-registered-gpt-4o')).toContain('Registered as GPT-4o');
    expect(t.byTestId('discover-row-gpt-4o-mini')?.textContent).toContain('128K context · 16K output');
    expect(t.byTestId<HTMLButtonElement>('import-models-button')?.disabled).toBe(true);
  });

  it('imports the chosen models under the names given, and closes with them', async () => {
    (await t.request(DISCOVER)).flush(aDiscovery());
    await t.until(() => expect(t.byTestId('discover-table')).not.toBeNull());
    checkbox('gpt-4o-mini').click();
    checkbox('text-embedding-3-small').click();
    await t.type('discover-name-text-embedding-3-small', 'Small embeddings');
    expect(t.text('import-models-button')).toBe('Import 2 models');

    await t.click('import-models-button');
    const request = await t.request(IMPORT, 'POST');
    expect(request.request.body).toEqual({
      models: [
        { model_id: 'gpt-4o-mini', type: 'generation' },
        { model_id: 'text-embedding-3-small', type: 'embedding', display_name: 'Small embeddings' },
      ],
    });
    const imported = [aModel({ display_name: 'gpt-4o-mini' }), aModel({ display_name: 'Small embeddings', type: 'embedding' })];
    request.flush({ items: imported });
    (await t.request('/api/v1/providers', 'GET')).flush([PROVIDER]);
    await t.until(() => expect(closedWith).toEqual(imported));
  });

  it('shows a refused name on its row and keeps the dialog open', async () => {
    (await t.request(DISCOVER)).flush(aDiscovery());
    await t.until(() => expect(t.byTestId('discover-table')).not.toBeNull());
    checkbox('gpt-4o-mini').click();
    await t.type('discover-name-gpt-4o-mini', 'GPT-4o');
    await t.click('import-models-button');
    (await t.request(IMPORT, 'POST')).flush(
      aProblem(409, 'A model named GPT-4o already exists', [
        { field: 'models[0].display_name', message: 'display_name is already in use' },
      ]),
      { status: 409, statusText: 'Conflict' },
    );
    await t.until(() => expect(t.text('discover-row-error-gpt-4o-mini')).toBe('display_name is already in use'));
    expect(t.text('import-error')).toContain('A model named GPT-4o already exists');
    expect(closedWith).toBeUndefined();
  });

  it('says why discovery failed and tries again', async () => {
    (await t.request(DISCOVER)).flush(aProblem(502, 'the key was rejected by api.openai.com (401): check the key'), {
      status: 502,
      statusText: 'Bad Gateway',
    });
    await t.until(() => expect(t.text('discover-error')).toContain('the key was rejected by api.openai.com (401)'));
    t.byTestId('discover-error')?.querySelector('button')?.click();
    (await t.request(DISCOVER)).flush(aDiscovery([]));
    await t.until(() => expect(t.text('discover-empty')).toContain('The upstream lists no models'));
  });
});
