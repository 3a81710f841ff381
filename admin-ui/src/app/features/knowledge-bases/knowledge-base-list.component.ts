import { ChangeDetectionStrategy, Component, computed, DestroyRef, inject } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormControl, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatPaginatorModule, PageEvent } from '@angular/material/paginator';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatTableModule } from '@angular/material/table';
import { MatTooltipModule } from '@angular/material/tooltip';
import { Router, RouterLink } from '@angular/router';
import { debounceTime } from 'rxjs';
import type { KnowledgeBaseResponse } from '../../api/models';
import { SessionService } from '../../core/auth/session.service';
import { AlertComponent } from '../../shared/alert.component';
import { EmptyStateComponent } from '../../shared/empty-state.component';
import { LoadingBarComponent } from '../../shared/loading-bar.component';
import { PageHeaderComponent } from '../../shared/page-header.component';
import { StatusBadgeComponent } from '../../shared/status-badge.component';
import { KnowledgeBaseActions } from './knowledge-base-actions';
import { indexingState, percent, plural } from './knowledge-base-state';
import { KnowledgeBasesService } from './knowledge-bases.service';

/** The knowledge bases, a page at a time; admins create, edit and delete them from here. */
@Component({
  selector: 'sb-knowledge-base-list',
  imports: [
    ReactiveFormsModule,
    RouterLink,
    MatButtonModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatPaginatorModule,
    MatProgressBarModule,
    MatTableModule,
    MatTooltipModule,
    AlertComponent,
    EmptyStateComponent,
    LoadingBarComponent,
    PageHeaderComponent,
    StatusBadgeComponent,
  ],
  providers: [KnowledgeBaseActions],
  host: { 'data-testid': 'knowledge-base-list' },
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './knowledge-base-list.component.html',
  styleUrl: './knowledge-base-list.component.scss',
})
export class KnowledgeBaseListComponent {
  protected readonly session = inject(SessionService);
  protected readonly service = inject(KnowledgeBasesService);
  private readonly actions = inject(KnowledgeBaseActions);
  private readonly router = inject(Router);

  protected readonly search = new FormControl('', { nonNullable: true });
  protected readonly admin = computed(() => this.session.role() === 'admin');
  protected readonly columns = computed(() => [
    'name',
    'embedding',
    'generation',
    'dimensions',
    'documents',
    'state',
    ...(this.admin() ? ['actions'] : []),
  ]);
  protected readonly filtered = computed(() => Boolean(this.service.query().search));
  protected readonly nothingYet = computed(
    () => this.service.loaded() && !this.service.error() && this.service.total() === 0 && !this.filtered(),
  );
  protected readonly state = indexingState;
  protected readonly percent = percent;
  protected readonly plural = plural;

  constructor() {
    this.service.listShown.set(true);
    inject(DestroyRef).onDestroy(() => this.service.listShown.set(false));
    this.search.valueChanges
      .pipe(debounceTime(250), takeUntilDestroyed())
      .subscribe((search) => this.service.filter(search.trim() || undefined));
  }

  protected onPage(event: PageEvent): void {
    this.service.query.update((query) => ({ ...query, page: event.pageIndex + 1, page_size: event.pageSize }));
  }

  protected clearSearch(): void {
    this.search.setValue('');
  }

  protected create(): void {
    this.actions.edit(null, (saved) => void this.router.navigate(['/knowledge-bases'], { queryParams: { kb: saved.id } }));
  }

  protected edit(kb: KnowledgeBaseResponse): void {
    this.actions.edit(kb);
  }

  protected remove(kb: KnowledgeBaseResponse): void {
    this.actions.remove(kb);
  }
}
