import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MatSelectHarness } from '@angular/material/select/testing';
import type { SettingResponse } from '../../api/models';
import { testing } from '../../../testing/harness';
import { aModel, aModelPage, aSetting } from '../../../testing/registry-fixtures';
import { aProblem } from '../../../testing/session-fixtures';
import { SettingRowComponent } from './setting-row.component';
import { SettingsService } from './settings.service';

describe('SettingRowComponent', () => {
  let fixture: ComponentFixture<SettingRowComponent>;
  let http: HttpTestingController;
  let t: ReturnType<typeof testing<SettingRowComponent>>;

  async function render(setting: SettingResponse, readOnly = false) {
    TestBed.configureTestingModule({
      imports: [SettingRowComponent],
      providers: [provideHttpClient(), provideHttpClientTesting(), SettingsService],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(SettingRowComponent);
    fixture.componentRef.setInput('setting', setting);
    fixture.componentRef.setInput('readOnly', readOnly);
    t = testing(fixture, http);
    (await t.request('/api/v1/settings')).flush([setting]);
  }

  afterEach(() => http.verify());

  it('shows the description, default and current value; auditors get no editor', async () => {
    await render(aSetting({ value: 5 as unknown as object, is_set: true, updated_at: new Date().toISOString() }), true);
    expect(t.allText()).toContain('Retries after a failed upstream call');
    expect(t.allText()).toContain('Default: 2');
    expect(t.text('setting-value-upstream.max_retries')).toBe('5');
    expect(t.byTestId('edit-setting-upstream.max_retries')).toBeNull();
  });

  it('saves a new value, and shows a refused one under the field', async () => {
    await render(aSetting());
    await t.click('edit-setting-upstream.max_retries');
    await t.type('setting-input-upstream.max_retries', '11');
    await t.click('save-setting-upstream.max_retries');

    const refused = await t.request('/api/v1/settings/upstream.max_retries', 'PUT');
    expect(refused.request.body).toEqual({ value: 11 });
    refused.flush(
      aProblem(422, 'The request has 1 invalid field: value', [{ field: 'value', message: 'value must not be greater than 10' }]),
      {
        status: 422,
        statusText: 'Unprocessable Content',
      },
    );
    await t.until(() => expect(t.text('setting-field-error-upstream.max_retries')).toBe('value must not be greater than 10'));

    await t.type('setting-input-upstream.max_retries', '4');
    await t.click('save-setting-upstream.max_retries');
    (await t.request('/api/v1/settings/upstream.max_retries', 'PUT')).flush(aSetting({ value: 4 as unknown as object, is_set: true }));
    await t.until(() => expect(t.byTestId('setting-input-upstream.max_retries')).toBeNull());
  });

  it('moves focus into the editor, and Escape closes it with focus back on Edit', async () => {
    await render(aSetting());
    const focused = () => document.activeElement?.getAttribute('data-testid');
    await t.click('edit-setting-upstream.max_retries');
    await t.until(() => expect(focused()).toBe('setting-input-upstream.max_retries'));

    t.byTestId('setting-input-upstream.max_retries')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    await t.until(() => expect(t.byTestId('setting-editor-upstream.max_retries')).toBeNull());
    await t.until(() => expect(focused()).toBe('edit-setting-upstream.max_retries'));
    http.expectNone('/api/v1/settings/upstream.max_retries');
  });

  it('names a model setting’s model, and offers the active generation models or None', async () => {
    const titler = aModel({ id: 'm-titler', display_name: 'Titler', status: 'active' });
    const retired = aModel({ id: 'm-retired', display_name: 'Retired', status: 'inactive' });
    const setting = aSetting({
      key: 'conversations.title_model',
      type: 'generation_model',
      value: 'm-titler' as unknown as object,
      default: null as unknown as object,
      is_set: true,
    });
    await render(setting);
    const models = await t.request('/api/v1/models', 'GET', (params) => params.get('type') === 'generation');
    models.flush(aModelPage([retired, titler]));
    await t.until(() => expect(t.text('setting-value-conversations.title_model')).toBe('Titler'));
    expect(t.allText()).toContain('Default: None');

    await t.click('edit-setting-conversations.title_model');
    const select = await TestbedHarnessEnvironment.loader(fixture).getHarness(
      MatSelectHarness.with({ selector: '[data-testid="setting-input-conversations.title_model"]' }),
    );
    await select.open();
    expect(await Promise.all((await select.getOptions()).map((o) => o.getText()))).toEqual(['None', 'Titler']);
    await select.clickOptions({ text: 'None' });
    await t.click('save-setting-conversations.title_model');
    const put = await t.request('/api/v1/settings/conversations.title_model', 'PUT');
    expect(put.request.body).toEqual({ value: null });
    const saved = { ...setting, value: null as unknown as object };
    put.flush(saved);
    fixture.componentRef.setInput('setting', saved); // as the page passes the updated list down
    await t.until(() => expect(t.text('setting-value-conversations.title_model')).toBe('None'));
  });
});
