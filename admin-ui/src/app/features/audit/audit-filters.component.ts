import { ChangeDetectionStrategy, Component, effect, inject, input, output, untracked } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
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
export const ENTITY_TYPES = ['provider', 'model', 'knowledge_base', 'document', 'conversation', 'user', 'api_key', 'setting'];

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
      padding: 16px 16px 4px;
    }
    .actions {
      display: flex;
      align-items: flex-start;
      gap: 8px;
      padding-top: 6px;
    }
  `,
})
export class AuditFiltersComponent {
  /** Filters set from elsewhere (an event's "filter by this actor"); the form follows them. */
  readonly value = input<AuditFilters>({});
  readonly apply = output<AuditFilters>();

  protected readonly actions = ACTION_SUGGESTIONS;
  protected readonly entityTypes = ENTITY_TYPES;
  protected readonly message = validationMessage;

  private readonly fb = inject(NonNullableFormBuilder);
  protected readonly form = this.fb.group({
    actor_id: ['', Validators.pattern(UUID)],
    action: ['', Validators.pattern(/^[a-z_]+(\.[a-z_]+)*(\.\*)?$|^$/)],
    entity_type: [''],
    entity_id: [''],
    outcome: this.fb.control<AuditEventResponse['outcome'] | ''>(''),
    from: [''],
    to: [''],
  });

  constructor() {
    effect(() => {
      const value = this.value();
      untracked(() =>
        this.form.reset({
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
