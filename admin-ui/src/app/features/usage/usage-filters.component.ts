import { ChangeDetectionStrategy, Component, effect, inject, input, output, untracked } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { AbstractControl, NonNullableFormBuilder, ReactiveFormsModule, ValidationErrors, Validators } from '@angular/forms';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { debounceTime, filter } from 'rxjs';
import { lastDays, type GroupBy, type UsageQuery } from './usage-report';

export const GROUP_LABELS: Record<GroupBy, string> = { model: 'Model', provider: 'Provider', api_key: 'API key', user: 'User' };
const RANGES = [
  { value: '7', label: 'Last 7 days' },
  { value: '30', label: 'Last 30 days' },
  { value: '90', label: 'Last 90 days' },
  { value: '365', label: 'Last 12 months' },
  { value: 'custom', label: 'Custom range' },
];

/** The API covers at most 366 days, from ≤ to. */
function rangeCheck(group: AbstractControl): ValidationErrors | null {
  const { from, to } = group.value as { from: string; to: string };
  if (!from || !to) return { incomplete: true };
  if (from > to) return { order: 'The start is after the end' };
  if (Date.parse(to) - Date.parse(from) > 365 * 86_400_000) return { span: 'Choose at most 366 days' };
  return null;
}

/** Grouping, interval and date range of the usage report; emits a new query when they change. */
@Component({
  selector: 'sb-usage-filters',
  imports: [ReactiveFormsModule, MatButtonToggleModule, MatFormFieldModule, MatInputModule, MatSelectModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <form [formGroup]="form" class="filters" aria-label="Usage report options" data-testid="usage-filters">
      <mat-form-field appearance="outline" subscriptSizing="dynamic">
        <mat-label>Group by</mat-label>
        <mat-select formControlName="group_by" data-testid="usage-group-select">
          @for (group of groups; track group) {
            <mat-option [value]="group">{{ labels[group] }}</mat-option>
          }
        </mat-select>
      </mat-form-field>
      <mat-form-field appearance="outline" subscriptSizing="dynamic">
        <mat-label>Range</mat-label>
        <mat-select formControlName="range" data-testid="usage-range-select">
          @for (range of ranges; track range.value) {
            <mat-option [value]="range.value">{{ range.label }}</mat-option>
          }
        </mat-select>
      </mat-form-field>
      @if (form.controls.range.value === 'custom') {
        <mat-form-field appearance="outline" subscriptSizing="dynamic" class="date">
          <mat-label>From</mat-label>
          <input matInput type="date" formControlName="from" data-testid="usage-from-input" />
        </mat-form-field>
        <mat-form-field appearance="outline" subscriptSizing="dynamic" class="date">
          <mat-label>To</mat-label>
          <input matInput type="date" formControlName="to" data-testid="usage-to-input" />
        </mat-form-field>
      }
      <mat-button-toggle-group formControlName="interval" aria-label="Interval" hideSingleSelectionIndicator data-testid="usage-interval">
        <mat-button-toggle value="day">Daily</mat-button-toggle>
        <mat-button-toggle value="month">Monthly</mat-button-toggle>
      </mat-button-toggle-group>
    </form>
    @if (rangeProblem(); as problem) {
      <p class="range-error" role="alert" data-testid="usage-range-error">{{ problem }}</p>
    }
  `,
  styles: `
    .filters {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 12px;
      --mat-form-field-container-height: 44px;
      --mat-form-field-container-vertical-padding: 10px;
    }
    mat-form-field {
      width: 180px;
    }
    .date {
      width: 170px;
    }
    mat-button-toggle-group {
      --mat-button-toggle-height: 44px;
    }
    .range-error {
      margin: 8px 0 0;
      font: var(--mat-sys-body-small);
      color: var(--mat-sys-error);
    }
  `,
})
export class UsageFiltersComponent {
  readonly value = input.required<UsageQuery>();
  /** 422 field errors of the last report request (`from`, `to`). */
  readonly serverErrors = input<Record<string, string>>({});
  readonly queryChange = output<UsageQuery>();

  protected readonly groups = Object.keys(GROUP_LABELS) as GroupBy[];
  protected readonly labels = GROUP_LABELS;
  protected readonly ranges = RANGES;
  protected readonly form = inject(NonNullableFormBuilder).group(
    {
      group_by: ['model' as GroupBy],
      interval: ['day' as UsageQuery['interval']],
      range: ['30'],
      from: ['', Validators.required],
      to: ['', Validators.required],
    },
    { validators: rangeCheck },
  );

  constructor() {
    effect(() => {
      const query = this.value();
      untracked(() => this.form.patchValue(query, { emitEvent: false }));
    });
    this.form.controls.range.valueChanges.pipe(takeUntilDestroyed()).subscribe((range) => {
      if (range === 'custom') return;
      const days = Number(range);
      this.form.patchValue({ ...lastDays(days), interval: days > 90 ? 'month' : this.form.controls.interval.value });
    });
    this.form.valueChanges
      .pipe(
        debounceTime(300),
        filter(() => this.form.valid),
        takeUntilDestroyed(),
      )
      .subscribe(() => {
        const { group_by, interval, from, to } = this.form.getRawValue();
        this.queryChange.emit({ group_by, interval, from, to });
      });
  }

  protected rangeProblem(): string | null {
    const errors = this.form.errors;
    if (errors?.['order'] || errors?.['span']) return errors['order'] ?? errors['span'];
    const server = this.serverErrors();
    return server['from'] ?? server['to'] ?? null;
  }
}
