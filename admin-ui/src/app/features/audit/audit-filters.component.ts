import { ChangeDetectionStrategy, Component, computed, effect, inject, input, output, untracked } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { NonNullableFormBuilder, ReactiveFormsModule, ValidatorFn, Validators } from '@angular/forms';
import { MatAutocompleteModule } from '@angular/material/autocomplete';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import type { AuditEventResponse } from '../../api/models';
import { validationMessage } from '../../shared/forms';
import type { AuditFilters } from './audit.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Ids are often pasted with a stray space; the filter sends them trimmed, so validate them trimmed.
const uuid: ValidatorFn = ({ value }) => (!String(value).trim() || UUID.test(String(value).trim()) ? null : { pattern: true });

export const ACTION_SUGGESTIONS = [
  'provider.*',
  'model.*',
  'model.default_changed',
  'user.*',
  'api_key.*',
  'setting.updated',
  'knowledge_base.*',
  'document.*',
  'conversation.*',
  'auth.*',
  'auth.login_failed',
];
/** Who acted, as the API's `actor_type` filter names them. */
export const ACTOR_TYPES: { value: NonNullable<AuditFilters['actor_type']>; label: string }[] = [
  { value: 'user', label: 'User' },
  { value: 'api_key', label: 'API key' },
  { value: 'system', label: 'System' },
  { value: 'anonymous', label: 'Anonymous (failed sign-ins)' },
];
export const ENTITY_TYPES = ['provider', 'model', 'knowledge_base', 'document', 'conversation', 'user', 'api_key', 'setting'];

/**
 * The suggestions that contain what was typed (any case), without one equal to it: a typed
 * `model.default_changed` leaves no list open over the fields below it.
 */
export function matchingSuggestions(suggestions: readonly string[], typed: string): string[] {
  const wanted = typed.trim().toLowerCase();
  return suggestions.filter((suggestion) => suggestion.includes(wanted) && suggestion !== wanted);
}

/** `2026-05-01T09:30` in the user's time zone → ISO instant, for the API's from/to. */
export function localToIso(value: string): string | undefined {
  return value ? new Date(value).toISOString() : undefined;
}

/** The audit log's filters; emits them when applied. */
@Component({
  selector: 'sb-audit-filters',
  imports: [
    ReactiveFormsModule,
    MatAutocompleteModule,
    MatButtonModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatSelectModule,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './audit-filters.component.html',
  styles: `
    form {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(200px, 1fr));
      column-gap: 12px;
      /* Room for a hint under a field and the floating label of the field below it. */
      row-gap: 8px;
      padding: 16px 16px 4px;
    }
    /* A row of their own, at the end: the action and entity suggestions open downwards over the column they start in. */
    .actions {
      grid-column: 1 / -1;
      display: flex;
      justify-content: flex-end;
      gap: 8px;
    }
  `,
})
export class AuditFiltersComponent {
  /** Filters set from elsewhere (an event's "filter by this actor"); the form follows them. */
  readonly value = input<AuditFilters>({});
  readonly apply = output<AuditFilters>();

  protected readonly actorTypes = ACTOR_TYPES;
  protected readonly message = validationMessage;

  private readonly fb = inject(NonNullableFormBuilder);
  protected readonly form = this.fb.group({
    actor_type: this.fb.control<AuditFilters['actor_type'] | ''>(''),
    actor_id: ['', uuid],
    action: ['', Validators.pattern(/^[a-z_]+(\.[a-z_]+)*(\.\*)?$|^$/)],
    entity_type: [''],
    entity_id: [''],
    outcome: this.fb.control<AuditEventResponse['outcome'] | ''>(''),
    from: [''],
    to: [''],
  });

  private readonly typedAction = toSignal(this.form.controls.action.valueChanges, { initialValue: '' });
  private readonly typedEntityType = toSignal(this.form.controls.entity_type.valueChanges, { initialValue: '' });
  protected readonly actions = computed(() => matchingSuggestions(ACTION_SUGGESTIONS, this.typedAction()));
  protected readonly entityTypes = computed(() => matchingSuggestions(ENTITY_TYPES, this.typedEntityType()));

  constructor() {
    effect(() => {
      const value = this.value();
      untracked(() =>
        this.form.reset({
          actor_type: value.actor_type ?? '',
          actor_id: value.actor_id ?? '',
          action: value.action ?? '',
          entity_type: value.entity_type ?? '',
          entity_id: value.entity_id ?? '',
          outcome: value.outcome ?? '',
          from: toLocal(value.from),
          to: toLocal(value.to),
        }),
      );
    });
  }

  protected submit(): void {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const v = this.form.getRawValue();
    const filters: AuditFilters = {
      actor_type: v.actor_type || undefined,
      actor_id: v.actor_id.trim() || undefined,
      action: v.action.trim() || undefined,
      entity_type: v.entity_type.trim() || undefined,
      entity_id: v.entity_id.trim() || undefined,
      outcome: v.outcome || undefined,
      from: localToIso(v.from),
      to: localToIso(v.to),
    };
    this.apply.emit(Object.fromEntries(Object.entries(filters).filter(([, member]) => member !== undefined)) as AuditFilters);
  }

  protected clear(): void {
    this.form.reset();
    this.submit();
  }
}

function toLocal(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}
