import { ChangeDetectionStrategy, Component, computed, inject, Injector } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormControl, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatMenuModule } from '@angular/material/menu';
import { MatSelectModule } from '@angular/material/select';
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatTableModule } from '@angular/material/table';
import { MatTooltipModule } from '@angular/material/tooltip';
import { Router } from '@angular/router';
import { debounceTime } from 'rxjs';
import type { ModelResponse, ProviderResponse } from '../../api/models';
import { SessionService } from '../../core/auth/session.service';
import { AlertComponent } from '../../shared/alert.component';
import { EmptyStateComponent } from '../../shared/empty-state.component';
import { LoadingBarComponent } from '../../shared/loading-bar.component';
import { PageHeaderComponent } from '../../shared/page-header.component';
import { exactTime, RelativeTimePipe } from '../../shared/relative-time.pipe';
import { StatusBadgeComponent } from '../../shared/status-badge.component';
import { TestResultDialogComponent, TestResultDialogData } from '../../shared/test-result-dialog.component';
import { DiscoverDialogComponent } from './discover-dialog.component';
import { ProviderDeleteDialogComponent } from './provider-delete-dialog.component';
import { ProviderDialogComponent, ProviderDialogData } from './provider-dialog.component';
import { ProviderKind, ProvidersService } from './providers.service';

@Component({
  selector: 'sb-providers-page',
  imports: [
    ReactiveFormsModule,
    MatButtonModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatMenuModule,
    MatSelectModule,
    MatTableModule,
    MatTooltipModule,
    AlertComponent,
    EmptyStateComponent,
    LoadingBarComponent,
    PageHeaderComponent,
    RelativeTimePipe,
    StatusBadgeComponent,
  ],
  providers: [ProvidersService],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './providers.page.html',
  styleUrl: './providers.page.scss',
})
export class ProvidersPage {
  protected readonly session = inject(SessionService);
  protected readonly service = inject(ProvidersService);
  private readonly dialog = inject(MatDialog);
  private readonly injector = inject(Injector);
  private readonly snackBar = inject(MatSnackBar);
  private readonly router = inject(Router);

  protected readonly search = new FormControl('', { nonNullable: true });
  protected readonly kindFilter = new FormControl<ProviderKind | ''>('', { nonNullable: true });
  protected readonly statusFilter = new FormControl<'active' | 'inactive' | ''>('', { nonNullable: true });
  protected readonly exactTime = exactTime;
  protected readonly circuitHelp: Record<ProviderResponse['circuit_state'], string> = {
    closed: 'Calls flow normally',
    open: 'Calls fail fast after repeated upstream failures',
    half_open: 'One trial call is let through to check recovery',
  };

  protected readonly filtered = computed(() => Object.values(this.service.filters()).some(Boolean));
  /** Shown once the server reports circuit states (older servers send none: the column stays hidden). */
  protected readonly showCircuit = computed(() => this.service.providers().some((p) => p.circuit_state !== undefined));
  protected readonly columns = computed(() => [
    'name',
    'kind',
    'endpoint',
    'key',
    'status',
    ...(this.showCircuit() ? ['circuit'] : []),
    'last_test',
    ...(this.session.readOnly() ? [] : ['actions']),
  ]);

  constructor() {
    this.search.valueChanges.pipe(debounceTime(250), takeUntilDestroyed()).subscribe(() => this.applyFilters());
    this.kindFilter.valueChanges.pipe(takeUntilDestroyed()).subscribe(() => this.applyFilters());
    this.statusFilter.valueChanges.pipe(takeUntilDestroyed()).subscribe(() => this.applyFilters());
  }

  protected kindLabel(kind: ProviderKind): string {
    return this.service.kindSpec(kind)?.label ?? kind;
  }

  protected circuitState(provider: ProviderResponse): ProviderResponse['circuit_state'] | null {
    return provider.circuit_state ?? null;
  }

  protected openEditor(provider?: ProviderResponse): void {
    this.dialog.open<ProviderDialogComponent, ProviderDialogData>(ProviderDialogComponent, {
      data: { provider },
      injector: this.injector,
      width: '720px',
      maxWidth: '95vw',
    });
  }

  /** Tests the saved provider; its last-test cell refreshes with the stored result. */
  protected test(provider: ProviderResponse): void {
    this.dialog.open<TestResultDialogComponent, TestResultDialogData>(TestResultDialogComponent, {
      data: { title: `Test ${provider.name}`, run: () => this.service.test(provider.id) },
      width: '640px',
      maxWidth: '95vw',
    });
  }

  protected discover(provider: ProviderResponse): void {
    this.dialog
      .open<DiscoverDialogComponent, ProviderResponse, ModelResponse[]>(DiscoverDialogComponent, {
        data: provider,
        injector: this.injector,
        width: '920px',
        maxWidth: '95vw',
      })
      .afterClosed()
      .subscribe((imported) => {
        if (!imported?.length) return;
        const what = imported.length === 1 ? imported[0].display_name : `${imported.length} models`;
        this.snackBar
          .open(`Imported ${what} from ${provider.name}`, 'View models', { duration: 6000 })
          .onAction()
          .subscribe(() => void this.router.navigate(['/models']));
      });
  }

  protected confirmDelete(provider: ProviderResponse): void {
    this.dialog.open(ProviderDeleteDialogComponent, { data: provider, injector: this.injector, width: '560px', maxWidth: '95vw' });
  }

  protected clearFilters(): void {
    this.search.setValue('', { emitEvent: false });
    this.kindFilter.setValue('', { emitEvent: false });
    this.statusFilter.setValue('', { emitEvent: false });
    this.applyFilters();
  }

  private applyFilters(): void {
    const search = this.search.value.trim();
    this.service.filters.set({
      ...(search ? { search } : {}),
      ...(this.kindFilter.value ? { kind: this.kindFilter.value } : {}),
      ...(this.statusFilter.value ? { status: this.statusFilter.value } : {}),
    });
  }
}
