import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { testing } from '../../../testing/harness';
import { aModel, aModelPage, KIND_SPECS } from '../../../testing/registry-fixtures';
import { aProblem, aTokenResponse, aUser } from '../../../testing/session-fixtures';
import { Role } from '../../core/auth/roles';
import { SessionService } from '../../core/auth/session.service';
import { ModelsPage } from './models.page';

const MODELS = '/api/v1/models';
const LLAMA = aModel({ id: 'm-llama', display_name: 'llama3.2', is_default: true });
const MISTRAL = aModel({ id: 'm-mistral', display_name: 'mistral', params: { context_window: 32768 }, pricing: null });
const EMBED = aModel({ id: 'm-embed', display_name: 'nomic-embed-text', type: 'embedding', params: { dimensions: 768 } });

describe('ModelsPage', () => {
  let fixture: ComponentFixture<ModelsPage>;
  let http: HttpTestingController;
  let t: ReturnType<typeof testing<ModelsPage>>;

  async function render(role: Role = 'admin', type?: string) {
    TestBed.configureTestingModule({
      imports: [ModelsPage],
      providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([])],
    });
    http = TestBed.inject(HttpTestingController);
    const signIn = TestBed.inject(SessionService).signIn({ email: 'a@example.com', password: 'x' });
    http.expectOne('/api/v1/auth/login').flush(aTokenResponse(aUser(role)));
    await signIn;
    fixture = TestBed.createComponent(ModelsPage);
    if (type) fixture.componentRef.setInput('type', type);
    t = testing(fixture, http);
    const list = await t.request(MODELS);
    (await t.request('/api/v1/providers')).flush([]);
    (await t.request('/api/v1/providers/kinds')).flush(KIND_SPECS);
    return list;
  }

  afterEach(() => http.verify());

  it('lists the models of the tab with their type, default marker, price and size', async () => {
    const list = await render('admin', 'generation');
    expect(list.request.params.get('type')).toBe('generation');
    expect(list.request.params.get('sort')).toBe('display_name');
    list.flush(aModelPage([LLAMA, MISTRAL]));
    await t.until(() => expect(t.byTestId('model-row-m-llama')).not.toBeNull());

    expect(t.text('default-marker-m-llama')).toContain('Default generation');
    expect(t.byTestId('set-default-button-m-llama')).toBeNull();
    expect(t.byTestId('set-default-button-m-mistral')).not.toBeNull();
    expect(t.text('model-row-m-llama')).toContain('$0.15 in');
    expect(t.text('model-row-m-llama')).toContain('$0.60 out');
    expect(t.text('model-row-m-llama')).toContain('128K ctx');
    expect(t.text('model-row-m-mistral')).toContain('32K ctx');
    expect(t.text('model-status-badge-m-mistral')).toContain('active');
    // On a type's own tab the type column would say the same thing on every row.
    expect(t.allText()).not.toContain('Type');
  });

  it('shows the reasons of a refused bulk change per model, and changes nothing', async () => {
    (await render()).flush(aModelPage([LLAMA, MISTRAL, EMBED]));
    await t.until(() => expect(t.byTestId('model-row-m-embed')).not.toBeNull());
    t.byTestId('model-select-all')!.querySelector('input')!.click();
    await t.until(() => expect(t.text('bulk-count')).toBe('3 selected'));

    await t.click('bulk-deactivate-button');
    const bulk = await t.request(`${MODELS}/bulk`, 'POST');
    expect(bulk.request.body).toEqual({ action: 'deactivate', ids: ['m-llama', 'm-mistral', 'm-embed'] });
    bulk.flush(
      {
        ...aProblem(400, 'llama3.2 is the default generation model: set another default first'),
        items: [{ id: 'm-llama', reason: 'llama3.2 is the default generation model: set another default first' }],
      },
      { status: 400, statusText: 'Bad Request' },
    );
    await t.until(() =>
      expect(t.text('bulk-error')).toContain('Nothing was changed: llama3.2 is the default generation model: set another default first'),
    );
  });

  it('makes a model the default and reloads the list', async () => {
    (await render()).flush(aModelPage([LLAMA, MISTRAL]));
    await t.until(() => expect(t.byTestId('set-default-button-m-mistral')).not.toBeNull());
    await t.click('set-default-button-m-mistral');
    (await t.request(`${MODELS}/m-mistral/default`, 'PUT')).flush({ ...MISTRAL, is_default: true });
    (await t.request(MODELS, 'GET')).flush(
      aModelPage([
        { ...LLAMA, is_default: false },
        { ...MISTRAL, is_default: true },
      ]),
    );
    await t.until(() => expect(t.byTestId('default-marker-m-mistral')).not.toBeNull());
  });

  it('gives auditors no way to change anything', async () => {
    (await render('auditor')).flush(aModelPage([LLAMA, MISTRAL]));
    await t.until(() => expect(t.byTestId('model-row-m-mistral')).not.toBeNull());
    for (const id of [
      'add-model-button',
      'model-select-all',
      'set-default-button-m-mistral',
      'delete-model-button-m-mistral',
      'edit-model-button-m-mistral',
    ]) {
      expect(t.byTestId(id)).toBeNull();
    }
    expect(t.byTestId('read-only-badge')).not.toBeNull();
  });
});
