import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MAT_DIALOG_DATA, MatDialogRef } from '@angular/material/dialog';
import { provideRouter } from '@angular/router';
import type { ModelResponse } from '../../api/models';
import { testing } from '../../../testing/harness';
import { aModel, aModelPage, KIND_SPECS, noDependents } from '../../../testing/registry-fixtures';
import { aProblem } from '../../../testing/session-fixtures';
import { ModelDeleteDialogComponent } from './model-delete-dialog.component';
import { ModelsService } from './models.service';

const MODELS = '/api/v1/models';

describe('ModelDeleteDialogComponent', () => {
  let fixture: ComponentFixture<ModelDeleteDialogComponent>;
  let http: HttpTestingController;
  let t: ReturnType<typeof testing<ModelDeleteDialogComponent>>;
  let closed: boolean | undefined;

  async function open(model: ModelResponse) {
    closed = undefined;
    TestBed.configureTestingModule({
      imports: [ModelDeleteDialogComponent],
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([]),
        ModelsService,
        { provide: MAT_DIALOG_DATA, useValue: model },
        { provide: MatDialogRef, useValue: { close: (value: boolean) => (closed = value) } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(ModelDeleteDialogComponent);
    t = testing(fixture, http);
    (await t.request('/api/v1/providers')).flush([]);
    (await t.request('/api/v1/providers/kinds')).flush(KIND_SPECS);
  }

  afterEach(() => http.verify());

  const confirmButton = () => t.byTestId<HTMLButtonElement>('confirm-delete-button')!;

  it('names the knowledge bases that use the model and refuses to delete it', async () => {
    const model = aModel({ id: 'm-1' });
    await open(model);
    (await t.request(`${MODELS}/m-1/dependents`)).flush(
      noDependents({
        knowledge_bases: [
          { id: 'kb-1', name: 'Support articles' },
          { id: 'kb-2', name: 'HR handbook' },
        ],
        conversations: [{ id: 'c-1', name: 'Refund question' }],
        blocks_delete: true,
      }),
    );
    await t.until(() => expect(t.byTestId('kb-dependency-warning')).not.toBeNull());
    const names = [...t.byTestId('dependent-kb-list')!.querySelectorAll('li')].map((li) => li.textContent?.trim());
    expect(names).toEqual(['Support articles', 'HR handbook']);
    expect(t.text('conversation-dependency-warning')).toContain('1 conversation');
    expect(confirmButton().disabled).toBe(true);
  });

  it('names the setting that names the model and refuses to delete it', async () => {
    await open(aModel({ id: 'm-1' }));
    (await t.request(`${MODELS}/m-1/dependents`)).flush(noDependents({ settings: ['conversations.title_model'], blocks_delete: true }));
    await t.until(() => expect(t.byTestId('setting-dependency-warning')).not.toBeNull());
    expect(t.text('setting-dependency-warning')).toContain('Named by the setting');
    expect(t.text('setting-dependency-warning')).toContain('conversations.title_model');
    expect(t.byTestId('dependent-setting-link')!.getAttribute('href')).toBe('/settings');
    expect(confirmButton().disabled).toBe(true);
  });

  it('explains that the default cannot go while another model could take over', async () => {
    const model = aModel({ id: 'm-default', display_name: 'llama3.2', is_default: true });
    await open(model);
    (await t.request(`${MODELS}/m-default/dependents`)).flush(noDependents({ default_for: ['generation'] }));
    const active = await t.request(MODELS);
    expect(active.request.params.get('status')).toBe('active');
    expect(active.request.params.get('type')).toBe('generation');
    active.flush(aModelPage([model, aModel({ id: 'm-other' })]));

    await t.until(() =>
      expect(t.text('default-delete-refused')).toContain('llama3.2 is the default generation model. Set another default first'),
    );
    expect(confirmButton().disabled).toBe(true);
  });

  it('names the knowledge bases of a refused delete (409: bound since the check)', async () => {
    await open(aModel({ id: 'm-1' }));
    (await t.request(`${MODELS}/m-1/dependents`)).flush(noDependents());
    await t.until(() => expect(confirmButton().disabled).toBe(false));
    await t.click('confirm-delete-button');
    (await t.request(`${MODELS}/m-1`, 'DELETE')).flush(
      {
        ...aProblem(409, 'Cannot delete: in use by knowledge base Support articles'),
        dependents: noDependents({ knowledge_bases: [{ id: 'kb-1', name: 'Support articles' }], blocks_delete: true }),
      },
      { status: 409, statusText: 'Conflict' },
    );
    await t.until(() => expect(t.text('delete-model-error')).toContain('Cannot delete: in use by knowledge base Support articles'));
    const names = [...t.byTestId('dependent-kb-list')!.querySelectorAll('li')].map((li) => li.textContent?.trim());
    expect(names).toEqual(['Support articles']);
    expect(closed).toBeUndefined();
  });

  it('deletes a model nothing depends on', async () => {
    await open(aModel({ id: 'm-1' }));
    (await t.request(`${MODELS}/m-1/dependents`)).flush(noDependents());
    await t.until(() => expect(confirmButton().disabled).toBe(false));
    await t.click('confirm-delete-button');
    (await t.request(`${MODELS}/m-1`, 'DELETE')).flush(null, { status: 204, statusText: 'No Content' });
    await t.until(() => expect(closed).toBe(true));
  });
});
