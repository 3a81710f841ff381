import { HttpErrorResponse } from '@angular/common/http';
import { aDiscoveredModel, aDiscovery } from '../../../testing/registry-fixtures';
import { aProblem } from '../../../testing/session-fixtures';
import {
  importErrors,
  initialChoices,
  limitsText,
  matching,
  selectAll,
  selectionProblem,
  selectionState,
  toImportRequest,
  update,
} from './discover-selection';

describe('discover selection', () => {
  const models = aDiscovery().models; // gpt-4o (registered), gpt-4o-mini, text-embedding-3-small, whisper-1 (no type)

  it('starts with nothing chosen, each model named by its id and typed as suggested', () => {
    const choices = initialChoices(models);
    expect(choices['gpt-4o-mini']).toEqual({ selected: false, name: 'gpt-4o-mini', type: 'generation' });
    expect(choices['whisper-1'].type).toBeNull();
    expect(selectionState(choices, models)).toBe('none');
    expect(selectionProblem(choices, models)).toBe('Choose the models to import.');
  });

  it('"select all" takes every model not registered yet, and only those shown', () => {
    const all = selectAll(initialChoices(models), models, true);
    expect(all['gpt-4o'].selected).toBe(false);
    expect(['gpt-4o-mini', 'text-embedding-3-small', 'whisper-1'].every((id) => all[id].selected)).toBe(true);
    expect(selectionState(all, models)).toBe('all');

    const shown = matching(models, 'EMBED');
    const some = selectAll(initialChoices(models), shown, true);
    expect(
      Object.entries(some)
        .filter(([, c]) => c.selected)
        .map(([id]) => id),
    ).toEqual(['text-embedding-3-small']);
    expect(selectionState(some, models)).toBe('some');
    expect(selectionState(some, shown)).toBe('all');
    expect(selectionState(selectAll(all, models, false), models)).toBe('none');
  });

  it('refuses a chosen model without a type until one is picked', () => {
    let choices = update(initialChoices(models), 'whisper-1', { selected: true });
    expect(selectionProblem(choices, models)).toBe('Pick a type for whisper-1: the upstream does not say what it is.');
    choices = update(choices, 'whisper-1', { type: 'generation' });
    expect(selectionProblem(choices, models)).toBeNull();
  });

  it('sends the chosen models in order, with a display name only where it was changed', () => {
    let choices = initialChoices(models);
    choices = update(choices, 'text-embedding-3-small', { selected: true, name: '  Small embeddings ' });
    choices = update(choices, 'gpt-4o-mini', { selected: true });
    choices = update(choices, 'gpt-4o', { selected: true }); // registered: never sent
    expect(toImportRequest(choices, models)).toEqual({
      models: [
        { model_id: 'gpt-4o-mini', type: 'generation' },
        { model_id: 'text-embedding-3-small', type: 'embedding', display_name: 'Small embeddings' },
      ],
    });
  });

  it('puts the field errors of a refused import on the rows they name', () => {
    const request = { models: [{ model_id: 'gpt-4o-mini' }, { model_id: 'text-embedding-3-small', display_name: 'Taken' }] };
    const error = new HttpErrorResponse({
      status: 422,
      error: aProblem(422, 'The request has 1 invalid field', [
        { field: 'models[1].display_name', message: 'display_name is already in use' },
      ]),
    });
    expect(importErrors(error, request)).toEqual({ 'text-embedding-3-small': 'display_name is already in use' });
  });

  it('words the suggested limits compactly', () => {
    expect(limitsText(aDiscoveredModel('x', { params: { context_window: 128000, max_output_tokens: 16384 } }))).toBe(
      '128K context · 16K output',
    );
    expect(limitsText(aDiscoveredModel('e', { params: { dimensions: 1536, context_window: 8191 } }))).toBe('1536 dims · 8.2K context');
    expect(limitsText(aDiscoveredModel('n', { params: {} }))).toBe('');
  });
});
