import type { DiscoveredModelDto, ImportModelItem, ImportModelsRequest } from '../../api/models';
import { asProblem } from '../../core/http/problem';
import { compactTokens } from '../../shared/token-count';

export type DiscoveredType = NonNullable<DiscoveredModelDto['type']>;

/** What the admin chose for one upstream model: import it or not, under which name and type. */
export interface Choice {
  selected: boolean;
  name: string;
  /** The suggested type; null when the upstream does not say and nobody picked one yet. */
  type: DiscoveredType | null;
}

export type Choices = Readonly<Record<string, Choice>>;

export type SelectionState = 'none' | 'some' | 'all';

/** Nothing chosen; each model named by its upstream id, typed as discovery suggests. */
export function initialChoices(models: readonly DiscoveredModelDto[]): Choices {
  return Object.fromEntries(models.map((m) => [m.model_id, { selected: false, name: m.model_id, type: m.type }]));
}

/** Models already registered on the provider are shown but cannot be imported again. */
export function selectable(model: DiscoveredModelDto): boolean {
  return !model.registered;
}

export function update(choices: Choices, id: string, change: Partial<Choice>): Choices {
  const current = choices[id];
  return current ? { ...choices, [id]: { ...current, ...change } } : choices;
}

/** Selects (or clears) every importable model among `shown`, leaving the others as they are. */
export function selectAll(choices: Choices, shown: readonly DiscoveredModelDto[], selected: boolean): Choices {
  let next = choices;
  for (const model of shown) if (selectable(model)) next = update(next, model.model_id, { selected });
  return next;
}

/** Whether none, some or all of the importable models in `shown` are selected (for the header checkbox). */
export function selectionState(choices: Choices, shown: readonly DiscoveredModelDto[]): SelectionState {
  const importable = shown.filter(selectable);
  const count = importable.filter((m) => choices[m.model_id]?.selected).length;
  if (count === 0) return 'none';
  return count === importable.length ? 'all' : 'some';
}

export function chosen(choices: Choices, models: readonly DiscoveredModelDto[]): DiscoveredModelDto[] {
  return models.filter((m) => selectable(m) && choices[m.model_id]?.selected);
}

/** Why the chosen set cannot be imported yet (a model without a type, a name too long), or null. */
export function selectionProblem(choices: Choices, models: readonly DiscoveredModelDto[]): string | null {
  const picked = chosen(choices, models);
  if (picked.length === 0) return 'Choose the models to import.';
  const untyped = picked.filter((m) => !choices[m.model_id].type).map((m) => m.model_id);
  if (untyped.length)
    return `Pick a type for ${untyped.join(', ')}: the upstream does not say what ${untyped.length === 1 ? 'it is' : 'they are'}.`;
  const long = picked.filter((m) => choices[m.model_id].name.trim().length > 100).map((m) => m.model_id);
  if (long.length) return `Shorten the display name of ${long.join(', ')} to 100 characters.`;
  return null;
}

/**
 * The import request in the order shown. A display name is sent only when it was changed: left as
 * the model id, the API picks it (adding the provider's name when another model has it already).
 * Limits are left to the API, which fills them in from discovery.
 */
export function toImportRequest(choices: Choices, models: readonly DiscoveredModelDto[]): ImportModelsRequest {
  return {
    models: chosen(choices, models).map((m) => {
      const { name, type } = choices[m.model_id];
      const item: ImportModelItem = { model_id: m.model_id };
      if (type) item.type = type;
      if (name.trim() && name.trim() !== m.model_id) item.display_name = name.trim();
      return item;
    }),
  };
}

/** Field errors of a refused import (`models[2].display_name`), per upstream model id. */
export function importErrors(error: unknown, request: ImportModelsRequest): Record<string, string> {
  const result: Record<string, string> = {};
  for (const { field, message } of asProblem(error)?.errors ?? []) {
    const index = /^models\[(\d+)\]/.exec(field)?.[1];
    const item = index === undefined ? undefined : request.models[Number(index)];
    if (item) result[item.model_id] ??= message;
  }
  return result;
}

/** Models whose id contains the search text (case-insensitive). */
export function matching(models: readonly DiscoveredModelDto[], search: string): DiscoveredModelDto[] {
  const needle = search.trim().toLowerCase();
  return needle ? models.filter((m) => m.model_id.toLowerCase().includes(needle)) : [...models];
}

/** "128K context · 16K output" or "1536 dims": the limits discovery suggests, compactly. */
export function limitsText(model: DiscoveredModelDto): string {
  const { context_window, max_output_tokens, dimensions } = model.params;
  const parts: string[] = [];
  if (dimensions) parts.push(`${dimensions} dims`);
  if (context_window) parts.push(`${compactTokens(context_window)} context`);
  if (max_output_tokens) parts.push(`${compactTokens(max_output_tokens)} output`);
  return parts.join(' · ');
}
