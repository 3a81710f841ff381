import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MatAutocompleteHarness } from '@angular/material/autocomplete/testing';
import { MatSelectHarness } from '@angular/material/select/testing';
import { testing } from '../../../testing/harness';
import { anAuditEvent } from '../../../testing/registry-fixtures';
import { aTokenResponse, aUser } from '../../../testing/session-fixtures';
import { SessionService } from '../../core/auth/session.service';
import { ACTION_SUGGESTIONS, AuditFiltersComponent, matchingSuggestions } from './audit-filters.component';
import { AuditPage } from './audit.page';
import type { AuditFilters } from './audit.service';

const EVENTS = '/api/v1/audit-events';
const ACTOR = '5f0c2a1e-8d3b-4c7a-9e21-0a1b2c3d4e5f';

describe('AuditFiltersComponent', () => {
  let fixture: ComponentFixture<AuditFiltersComponent>;
  let t: ReturnType<typeof testing<AuditFiltersComponent>>;
  let applied: AuditFilters[];

  beforeEach(() => {
    TestBed.configureTestingModule({ imports: [AuditFiltersComponent], providers: [provideHttpClient(), provideHttpClientTesting()] });
    fixture = TestBed.createComponent(AuditFiltersComponent);
    t = testing(fixture, TestBed.inject(HttpTestingController));
    applied = [];
    fixture.componentInstance.apply.subscribe((filters) => applied.push(filters));
    fixture.detectChanges();
  });

  const actorType = async () =>
    (await TestbedHarnessEnvironment.loader(fixture)).getHarness(
      MatSelectHarness.with({ selector: '[data-testid="audit-actor-type-select"]' }),
    );

  it('explains an action that is neither exact nor a prefix ending in .*, and applies nothing', async () => {
    await t.type('audit-action-input', 'Model created');
    await t.click('audit-apply-filters');
    expect(t.text('audit-action-error')).toBe('Like model.created or model.*');
    expect(applied).toEqual([]);

    await t.type('audit-action-input', 'model.*');
    await t.click('audit-apply-filters');
    expect(t.byTestId('audit-action-error')).toBeNull();
    expect(applied).toEqual([{ action: 'model.*' }]);
  });

  it('asks for a UUID as the actor id', async () => {
    await t.type('audit-actor-input', 'admin@example.com');
    await t.click('audit-apply-filters');
    expect(t.text('audit-actor-error')).toBe('A user or API key id (UUID)');
    expect(applied).toEqual([]);

    await t.type('audit-actor-input', ` ${ACTOR} `);
    await t.click('audit-apply-filters');
    expect(applied).toEqual([{ actor_id: ACTOR }]);
  });

  it('offers the actor types the API filters on, and applies the one chosen', async () => {
    const select = await actorType();
    await select.open();
    const options = await select.getOptions();
    expect(await Promise.all(options.map((option) => option.getText()))).toEqual([
      'Any actor',
      'User',
      'API key',
      'System',
      'Anonymous (failed sign-ins)',
    ]);
    await select.clickOptions({ text: 'API key' });
    await t.click('audit-apply-filters');
    expect(applied).toEqual([{ actor_type: 'api_key' }]);

    await t.click('audit-clear-filters');
    expect(applied.at(-1)).toEqual({});
    expect(await select.getValueText()).toBe('Any actor');
  });

  it('suggests the actions that contain what is typed, and none once it is typed in full', async () => {
    const action = await (
      await TestbedHarnessEnvironment.loader(fixture)
    ).getHarness(MatAutocompleteHarness.with({ selector: '[data-testid="audit-action-input"]' }));
    // A closed panel and an open one with no options look the same to a user: nothing suggested.
    const suggested = async () =>
      (await action.isOpen()) ? Promise.all((await action.getOptions()).map((option) => option.getText())) : [];
    await action.focus();
    expect(await suggested()).toEqual(ACTION_SUGGESTIONS);

    await action.enterText('Model');
    expect(await suggested()).toEqual(['model.*', 'model.default_changed']);

    await action.clear();
    await action.enterText('model.default_changed');
    expect(await suggested()).toEqual([]);

    await action.clear();
    await action.enterText('conversation.message_sent');
    expect(await suggested()).toEqual([]);
  });

  it('filters suggestions by containment in any case, leaving out the one typed exactly', () => {
    expect(matchingSuggestions(['provider', 'model', 'knowledge_base'], 'O')).toEqual(['provider', 'model', 'knowledge_base']);
    expect(matchingSuggestions(['provider', 'model', 'knowledge_base'], ' De ')).toEqual(['provider', 'model']);
    expect(matchingSuggestions(['provider', 'model', 'knowledge_base'], 'base.')).toEqual([]);
    expect(matchingSuggestions(['provider', 'model'], 'model')).toEqual([]);
    expect(matchingSuggestions(['provider', 'model'], '')).toEqual(['provider', 'model']);
  });

  it('follows filters set from elsewhere', async () => {
    fixture.componentRef.setInput('value', { actor_type: 'system', action: 'model.default_changed' });
    fixture.detectChanges();
    expect(await (await actorType()).getValueText()).toBe('System');
    expect(t.byTestId<HTMLInputElement>('audit-action-input')!.value).toBe('model.default_changed');
  });
});

describe('AuditPage filters', () => {
  it('sends the chosen actor type with the list query', async () => {
    TestBed.configureTestingModule({ imports: [AuditPage], providers: [provideHttpClient(), provideHttpClientTesting()] });
    const http = TestBed.inject(HttpTestingController);
    const signIn = TestBed.inject(SessionService).signIn({ email: 'a@example.com', password: 'x' });
    http.expectOne('/api/v1/auth/login').flush(aTokenResponse(aUser('auditor')));
    await signIn;
    const fixture = TestBed.createComponent(AuditPage);
    const t = testing(fixture, http);
    (await t.request(`${EVENTS}/verify`)).flush({ valid: true, checked: 1, head_hash: 'h', first_broken: null });
    (await t.request(EVENTS)).flush({ items: [anAuditEvent()], next_cursor: null });

    const loader = TestbedHarnessEnvironment.loader(fixture);
    await (
      await loader.getHarness(MatSelectHarness.with({ selector: '[data-testid="audit-actor-type-select"]' }))
    ).clickOptions({
      text: 'System',
    });
    await t.type('audit-action-input', 'model.*');
    await t.click('audit-apply-filters');
    const filtered = await t.request(EVENTS);
    expect(filtered.request.params.get('actor_type')).toBe('system');
    expect(filtered.request.params.get('action')).toBe('model.*');
    filtered.flush({ items: [], next_cursor: null });
    await t.until(() => expect(t.allText()).toContain('No events match'));
    http.verify();
  });
});
