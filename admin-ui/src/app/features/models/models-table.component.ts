import { LowerCasePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, input, output } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MatDividerModule } from '@angular/material/divider';
import { MatIconModule } from '@angular/material/icon';
import { MatMenuModule } from '@angular/material/menu';
import { MatSortModule, Sort } from '@angular/material/sort';
import { MatTableModule } from '@angular/material/table';
import { MatTooltipModule } from '@angular/material/tooltip';
import type { DefaultsDto, ModelResponse } from '../../api/models';
import { exactTime, RelativeTimePipe } from '../../shared/relative-time.pipe';
import { StatusBadgeComponent } from '../../shared/status-badge.component';
import { TYPE_LABELS } from './models.service';
import { compactTokens } from '../../shared/token-count';

export type StatusAction = 'activate' | 'deactivate' | 'deprecate';

/** One page of models; selection, sorting and row actions are reported to the page. */
@Component({
  selector: 'sb-models-table',
  imports: [
    LowerCasePipe,
    MatButtonModule,
    MatCheckboxModule,
    MatDividerModule,
    MatIconModule,
    MatMenuModule,
    MatSortModule,
    MatTableModule,
    MatTooltipModule,
    RelativeTimePipe,
    StatusBadgeComponent,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './models-table.component.html',
  styleUrl: './models-table.component.scss',
})
export class ModelsTableComponent {
  readonly models = input.required<ModelResponse[]>();
  /** The default of each type, as the list response reports it. */
  readonly defaults = input<DefaultsDto | null>(null);
  readonly readOnly = input(false);
  readonly selected = input<ReadonlySet<string>>(new Set());
  readonly sort = input.required<Sort>();
  readonly loaded = input(true);
  readonly filtered = input(false);
  /** Off on a type's own tab, where every row has that type. */
  readonly showType = input(true);

  readonly sortChange = output<Sort>();
  readonly toggle = output<string>();
  readonly toggleAll = output<boolean>();
  readonly edit = output<ModelResponse>();
  readonly makeDefault = output<ModelResponse>();
  readonly changeStatus = output<{ model: ModelResponse; action: StatusAction }>();
  readonly remove = output<ModelResponse>();
  readonly test = output<ModelResponse>();
  readonly clearFilters = output<void>();

  // Table cells are untyped (`let m`), so the labels are looked up by any string.
  protected readonly typeLabels: Record<string, string> = TYPE_LABELS;
  protected readonly exactTime = exactTime;
  protected readonly columns = computed(() => [
    ...(this.readOnly() ? [] : ['select']),
    'name',
    ...(this.showType() ? ['type'] : []),
    'provider',
    'status',
    'default',
    'price',
    'size',
    'last_test',
    ...(this.readOnly() ? [] : ['actions']),
  ]);
  protected readonly allSelected = computed(() => this.models().length > 0 && this.models().every((m) => this.selected().has(m.id)));
  protected readonly someSelected = computed(() => !this.allSelected() && this.models().some((m) => this.selected().has(m.id)));

  protected isDefault(model: ModelResponse): boolean {
    return this.defaults()?.[model.type] === model.id || model.is_default;
  }

  /** Context window (generation, NER) or vector size (embedding), compactly. */
  protected size(model: ModelResponse): string {
    const params = model.params as Record<string, unknown>;
    if (model.type === 'embedding') return typeof params['dimensions'] === 'number' ? `${params['dimensions']} dims` : '—';
    const window = params['context_window'];
    return typeof window === 'number' ? `${compactTokens(window)} ctx` : '—';
  }

  /** "$0.6" → "$0.60": at least cents, never fewer digits than the stored decimal has. */
  protected price(amount: string): string {
    const [whole, fraction = ''] = amount.split('.');
    return `$${whole}.${fraction.padEnd(2, '0')}`;
  }
}
