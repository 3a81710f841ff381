import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MAT_DIALOG_DATA, MatDialogRef } from '@angular/material/dialog';
import { MatSelectHarness } from '@angular/material/select/testing';
import type { ModelResponse } from '../../api/models';
import { testing } from '../../../testing/harness';
import { aModel, aModelPage, KIND_SPECS, noDependents } from '../../../testing/registry-fixtures';
import { aProblem } from '../../../testing/session-fixtures';
import { ModelDeprecateDialogComponent } from './model-deprecate-dialog.component';
import { ModelsService } from './models.service';

const MODELS = '/api/v1/models';
const OLD = aModel({ id: 'm-old', display_name: 'GPT-4 turbo' });
const NEW = aModel({ id: 'm-new', display_name: 'GPT-4o' });

describe('ModelDeprecateDialogComponent', () => {
  let fixture: ComponentFixture<ModelDeprecateDialogComponent>;
  let http: HttpTestingController;
  let t: ReturnType<typeof testing<ModelDeprecateDialogComponent>>;
  let closed: boolean | undefined;

  async function open(models: ModelResponse[]) {
    closed = undefined;
    TestBed.configureTestingModule({
      imports: [ModelDeprecateDialogComponent],
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        ModelsService,
        { provide: MAT_DIALOG_DATA, useValue: models },
        { provide: MatDialogRef, useValue: { close: (value: boolean) => (closed = value) } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(ModelDeprecateDialogComponent);
    t = testing(fixture, http);
    (await t.request('/api/v1/providers')).flush([]);
    (await t.request('/api/v1/providers/kinds')).flush(KIND_SPECS);
    for (const model of models) (await t.request(`${MODELS}/${model.id}/dependents`)).flush(noDependents());
    (await t.request(MODELS, 'GET', (p) => p.get('status') === 'active')).flush(aModelPage([...models, NEW]));
    await t.until(() => expect(confirmButton().disabled).toBe(false));
  }

  afterEach(() => http.verify());

  const confirmButton = () => t.byTestId<HTMLButtonElement>('confirm-deprecate-button')!;
  const successor = async () =>
    (await TestbedHarnessEnvironment.loader(fixture)).getHarness(MatSelectHarness.with({ selector: '[data-testid="successor-select"]' }));

  it('sends the successor and the sunset day as an instant at midnight UTC', async () => {
    await open([OLD]);
    await (await successor()).clickOptions({ text: 'GPT-4o' });
    await t.type('sunset-date-input', '2026-09-30');
    await t.until(() => expect(t.text('deprecate-consequences')).toContain('GPT-4o is recorded as the replacement'));
    await t.click('confirm-deprecate-button');

    const bulk = await t.request(`${MODELS}/bulk`, 'POST');
    expect(bulk.request.body).toEqual({
      action: 'deprecate',
      ids: ['m-old'],
      successor_id: 'm-new',
      sunset_at: '2026-09-30T00:00:00.000Z',
    });
    bulk.flush({ items: [{ ...OLD, status: 'deprecated' }] });
    await t.until(() => expect(closed).toBe(true));
  });

  it('shows the field errors of a 422 under the successor and the sunset date, and keeps the dialog open', async () => {
    await open([OLD]);
    await (await successor()).clickOptions({ text: 'GPT-4o' });
    await t.type('sunset-date-input', '2026-09-30');
    await t.click('confirm-deprecate-button');
    (await t.request(`${MODELS}/bulk`, 'POST')).flush(
      aProblem(422, 'The request has 2 invalid fields: successor_id, sunset_at', [
        { field: 'successor_id', message: 'successor_id does not name a model' },
        { field: 'sunset_at', message: 'sunset_at must be in the future' },
      ]),
      { status: 422, statusText: 'Unprocessable Content' },
    );

    await t.until(() => expect(t.text('successor-error')).toBe('successor_id does not name a model'));
    expect(t.text('sunset-date-error')).toBe('sunset_at must be in the future');
    expect(t.text('deprecate-error')).toContain('2 invalid fields');
    expect(closed).toBeUndefined();

    // A new date clears its server error; the successor's stays until it changes.
    await t.type('sunset-date-input', '2026-12-31');
    await t.until(() => expect(t.byTestId('sunset-date-error')).toBeNull());
    expect(t.text('successor-error')).toBe('successor_id does not name a model');
  });

  it('shows the per-model refusals of a bulk change as a list, not on the fields', async () => {
    const other = aModel({ id: 'm-other', display_name: 'GPT-3.5' });
    await open([OLD, other]);
    await t.click('confirm-deprecate-button');
    (await t.request(`${MODELS}/bulk`, 'POST')).flush(
      { ...aProblem(400, 'Nothing was changed'), items: [{ id: 'm-other', reason: 'is already deprecated' }] },
      { status: 400, statusText: 'Bad Request' },
    );
    await t.until(() => expect(t.text('deprecate-error')).toContain('GPT-3.5: is already deprecated'));
    expect(t.byTestId('successor-error')).toBeNull();
    expect(t.byTestId('sunset-date-error')).toBeNull();
  });
});
