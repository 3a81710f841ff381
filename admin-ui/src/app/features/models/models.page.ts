import { ChangeDetectionStrategy, Component, computed, effect, inject, Injector, input, signal, untracked } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormControl, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatPaginatorModule, PageEvent } from '@angular/material/paginator';
import { MatSelectModule } from '@angular/material/select';
import { MatSnackBar } from '@angular/material/snack-bar';
import { Sort } from '@angular/material/sort';
import { MatTabsModule } from '@angular/material/tabs';
import { RouterLink } from '@angular/router';
import { debounceTime } from 'rxjs';
import type { ModelResponse } from '../../api/models';
import { SessionService } from '../../core/auth/session.service';
import { problemItems, problemMessage } from '../../core/http/problem';
import { AlertComponent } from '../../shared/alert.component';
import { EmptyStateComponent } from '../../shared/empty-state.component';
import { LoadingBarComponent } from '../../shared/loading-bar.component';
import { PageHeaderComponent } from '../../shared/page-header.component';
import { TestResultDialogComponent, TestResultDialogData } from '../../shared/test-result-dialog.component';
import { ModelDeleteDialogComponent } from './model-delete-dialog.component';
import { ModelDeprecateDialogComponent } from './model-deprecate-dialog.component';
import { ModelDialogComponent, ModelDialogData } from './model-dialog.component';
import { ModelsService, ModelSort, ModelStatus, ModelType, MODEL_TYPES, refusalLines, TYPE_LABELS } from './models.service';
import { ModelsTableComponent, StatusAction } from './models-table.component';

const PAST_TENSE: Record<StatusAction, string> = { activate: 'Activated', deactivate: 'Deactivated', deprecate: 'Deprecated' };

@Component({
  selector: 'sb-models-page',
  imports: [
    ReactiveFormsModule,
    RouterLink,
    MatButtonModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatPaginatorModule,
    MatSelectModule,
    MatTabsModule,
    AlertComponent,
    EmptyStateComponent,
    LoadingBarComponent,
    ModelsTableComponent,
    PageHeaderComponent,
  ],
  providers: [ModelsService],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './models.page.html',
  styleUrl: './models.page.scss',
})
export class ModelsPage {
  protected readonly session = inject(SessionService);
  protected readonly service = inject(ModelsService);
  private readonly dialog = inject(MatDialog);
  private readonly snackBar = inject(MatSnackBar);
  private readonly injector = inject(Injector);

  /** The `type` query parameter: the tab (absent: All). */
  readonly type = input<string>();

  protected readonly tabs = [
    { id: 'all', label: 'All', type: null },
    ...MODEL_TYPES.map((type) => ({ id: type, label: TYPE_LABELS[type], type })),
  ];
  protected readonly search = new FormControl('', { nonNullable: true });
  protected readonly providerFilter = new FormControl('', { nonNullable: true });
  protected readonly statusFilter = new FormControl<ModelStatus | ''>('', { nonNullable: true });

  protected readonly selected = signal<ReadonlySet<string>>(new Set());
  protected readonly busy = signal(false);
  protected readonly actionError = signal<{ message: string; items: string[] } | null>(null);

  protected readonly activeType = computed(() => this.service.query().type ?? null);
  protected readonly sort = computed<Sort>(() => ({ active: this.service.query().sort, direction: this.service.query().order }));
  protected readonly filtered = computed(() => {
    const { search, provider_id, status } = this.service.query();
    return Boolean(search || provider_id || status);
  });
  protected readonly selectedModels = computed(() => this.service.models().filter((m) => this.selected().has(m.id)));
  protected readonly registryEmpty = computed(
    () => this.service.loaded() && !this.service.error() && this.service.total() === 0 && !this.filtered() && !this.activeType(),
  );

  constructor() {
    effect(() => {
      const type = this.type();
      untracked(() => this.service.filter({ type: MODEL_TYPES.includes(type as ModelType) ? (type as ModelType) : undefined }));
    });
    // A selection only spans what is on screen: a new page, filter or sort clears it.
    effect(() => {
      this.service.query();
      untracked(() => this.selected.set(new Set()));
    });
    this.search.valueChanges
      .pipe(debounceTime(250), takeUntilDestroyed())
      .subscribe((search) => this.service.filter({ search: search.trim() || undefined }));
    this.providerFilter.valueChanges.pipe(takeUntilDestroyed()).subscribe((id) => this.service.filter({ provider_id: id || undefined }));
    this.statusFilter.valueChanges.pipe(takeUntilDestroyed()).subscribe((status) => this.service.filter({ status: status || undefined }));
  }

  protected onSort(sort: Sort): void {
    this.service.query.update((query) => ({ ...query, sort: sort.active as ModelSort, order: sort.direction || 'asc', page: 1 }));
  }

  protected onPage(event: PageEvent): void {
    this.service.query.update((query) => ({ ...query, page: event.pageIndex + 1, page_size: event.pageSize }));
  }

  protected toggle(id: string): void {
    this.selected.update((current) => {
      const next = new Set(current);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  }

  protected toggleAll(checked: boolean): void {
    this.selected.set(checked ? new Set(this.service.models().map((m) => m.id)) : new Set());
  }

  protected clearFilters(): void {
    this.search.setValue('', { emitEvent: false });
    this.providerFilter.setValue('', { emitEvent: false });
    this.statusFilter.setValue('', { emitEvent: false });
    this.service.filter({ search: undefined, provider_id: undefined, status: undefined });
  }

  protected openEditor(model?: ModelResponse): void {
    this.dialog
      .open<ModelDialogComponent, ModelDialogData, ModelResponse>(ModelDialogComponent, {
        data: { model },
        injector: this.injector,
        width: '760px',
        maxWidth: '95vw',
      })
      .afterClosed()
      .subscribe((saved) => saved && this.notify(`${model ? 'Saved' : 'Added'} ${saved.display_name}`));
  }

  protected confirmDelete(model: ModelResponse): void {
    this.dialog
      .open(ModelDeleteDialogComponent, { data: model, injector: this.injector, width: '560px', maxWidth: '95vw' })
      .afterClosed()
      .subscribe((deleted) => deleted && this.notify(`Deleted ${model.display_name}`));
  }

  /** One real call to the model; its last-test cell refreshes with the stored result. */
  protected test(model: ModelResponse): void {
    this.dialog.open<TestResultDialogComponent, TestResultDialogData>(TestResultDialogComponent, {
      data: { title: `Test ${model.display_name}`, run: () => this.service.test(model.id) },
      width: '640px',
      maxWidth: '95vw',
    });
  }

  protected async setDefault(model: ModelResponse): Promise<void> {
    await this.run(async () => {
      await this.service.setDefault(model.id);
      this.notify(`${model.display_name} is now the default ${TYPE_LABELS[model.type].toLowerCase()} model`);
    });
  }

  /** Deprecation asks for a successor and a date first; the other changes apply at once. */
  protected async changeStatus(models: ModelResponse[], action: StatusAction): Promise<void> {
    if (action === 'deprecate') {
      this.dialog
        .open(ModelDeprecateDialogComponent, { data: models, injector: this.injector, width: '640px', maxWidth: '95vw' })
        .afterClosed()
        .subscribe((done) => done && this.notify(`${PAST_TENSE.deprecate} ${describe(models)}`));
      return;
    }
    await this.run(async () => {
      await this.service.bulk({ action, ids: models.map((m) => m.id) });
      this.notify(`${PAST_TENSE[action]} ${describe(models)}`);
    });
  }

  private async run(work: () => Promise<void>): Promise<void> {
    this.busy.set(true);
    this.actionError.set(null);
    try {
      await work();
    } catch (error) {
      const names = new Map(this.service.models().map((m) => [m.id, m.display_name]));
      const items = refusalLines(problemItems(error), names);
      this.actionError.set({ message: problemMessage(error), items });
    } finally {
      this.busy.set(false);
    }
  }

  private notify(message: string): void {
    this.snackBar.open(message, 'Dismiss', { duration: 4000 });
  }
}

function describe(models: ModelResponse[]): string {
  return models.length === 1 ? models[0].display_name : `${models.length} models`;
}
