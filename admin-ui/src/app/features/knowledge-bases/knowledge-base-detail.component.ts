import { ChangeDetectionStrategy, Component, computed, effect, inject, input, untracked } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatIconModule } from '@angular/material/icon';
import { MatPaginatorModule, PageEvent } from '@angular/material/paginator';
import { MatSnackBar } from '@angular/material/snack-bar';
import { Router, RouterLink } from '@angular/router';
import type { DocumentResponse, KnowledgeBaseResponse } from '../../api/models';
import { SessionService } from '../../core/auth/session.service';
import { problemMessage } from '../../core/http/problem';
import { AlertComponent } from '../../shared/alert.component';
import { ConfirmDialogComponent, ConfirmDialogData } from '../../shared/confirm-dialog.component';
import { LoadingBarComponent } from '../../shared/loading-bar.component';
import { PageHeaderComponent } from '../../shared/page-header.component';
import { StatusBadgeComponent } from '../../shared/status-badge.component';
import { DocumentUploadComponent } from './document-upload.component';
import { DocumentUploads } from './document-uploads';
import { DocumentsTableComponent } from './documents-table.component';
import { KnowledgeBaseActions } from './knowledge-base-actions';
import { indexingState, plural } from './knowledge-base-state';
import { KnowledgeBaseStore } from './knowledge-base.store';
import { KnowledgeBasesService } from './knowledge-bases.service';
import { LinkedSourceComponent } from './linked-source.component';
import { ReembedProgressComponent } from './reembed-progress.component';
import { SearchPanelComponent } from './search-panel.component';

/** One knowledge base: its models, documents (upload, progress, retry), re-embed and a search box. */
@Component({
  selector: 'sb-knowledge-base-detail',
  imports: [
    RouterLink,
    MatButtonModule,
    MatIconModule,
    MatPaginatorModule,
    AlertComponent,
    DocumentsTableComponent,
    DocumentUploadComponent,
    LinkedSourceComponent,
    LoadingBarComponent,
    PageHeaderComponent,
    ReembedProgressComponent,
    SearchPanelComponent,
    StatusBadgeComponent,
  ],
  providers: [KnowledgeBaseStore, DocumentUploads, KnowledgeBaseActions],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './knowledge-base-detail.component.html',
  styleUrl: './knowledge-base-detail.component.scss',
})
export class KnowledgeBaseDetailComponent {
  protected readonly session = inject(SessionService);
  protected readonly store = inject(KnowledgeBaseStore);
  protected readonly uploads = inject(DocumentUploads);
  private readonly service = inject(KnowledgeBasesService);
  private readonly actions = inject(KnowledgeBaseActions);
  private readonly dialog = inject(MatDialog);
  private readonly snackBar = inject(MatSnackBar);
  private readonly router = inject(Router);

  readonly id = input.required<string>();
  /** A document to highlight, and the anchor inside it (a playground source link). */
  readonly documentId = input<string | null>(null);
  readonly anchor = input<string | null>(null);

  protected readonly admin = computed(() => this.session.role() === 'admin');
  protected readonly state = computed(() => {
    const kb = this.store.kb();
    return kb ? indexingState(kb) : null;
  });
  protected readonly plural = plural;

  constructor() {
    effect(() => {
      const id = this.id();
      untracked(() => this.store.id.set(id));
    });
    // An upload the API answered adds a document (or names one): read the list again.
    effect(() => {
      if (this.uploads.completed() > 0) untracked(() => this.store.reload());
    });
  }

  protected onPage(event: PageEvent): void {
    this.store.documentQuery.set({ page: event.pageIndex + 1, page_size: event.pageSize });
  }

  protected edit(kb: KnowledgeBaseResponse): void {
    this.actions.edit(kb, () => this.store.reload());
  }

  protected reembed(kb: KnowledgeBaseResponse): void {
    this.actions.reembed(kb, undefined, () => this.store.reload());
  }

  protected cancelReembed(kb: KnowledgeBaseResponse): void {
    this.actions.cancelReembed(kb, () => this.store.reload());
  }

  /** A failed re-embed resumes where it stopped: the same model again. */
  protected async resumeReembed(kb: KnowledgeBaseResponse): Promise<void> {
    const model = kb.reembed?.embedding_model;
    if (!model) return;
    await this.run(() => this.service.reembed(kb.id, model.id), `Resumed the re-embed onto ${model.name}`);
  }

  protected remove(kb: KnowledgeBaseResponse): void {
    this.actions.remove(kb, () => void this.router.navigate(['/knowledge-bases']));
  }

  protected async retry(document: DocumentResponse): Promise<void> {
    await this.run(() => this.store.retry(document.id), `Retrying ${document.title}`);
  }

  protected removeDocument(document: DocumentResponse): void {
    this.dialog
      .open<ConfirmDialogComponent, ConfirmDialogData, boolean>(ConfirmDialogComponent, {
        data: {
          title: `Delete ${document.title}?`,
          message: `The document, its ${plural(document.progress.total, 'chunk')} and their vectors are deleted; searches stop finding it. This cannot be undone.`,
          confirmLabel: 'Delete',
          destructive: true,
          testId: 'delete-document-modal',
          action: () => this.store.removeDocument(document.id),
        },
        width: '520px',
        maxWidth: '95vw',
      })
      .afterClosed()
      .subscribe((deleted) => deleted && this.notify(`Deleted ${document.title}`));
  }

  protected clearLink(): void {
    void this.router.navigate(['/knowledge-bases'], { queryParams: { kb: this.id() } });
  }

  private async run(work: () => Promise<unknown>, done: string): Promise<void> {
    try {
      await work();
      this.store.reload();
      this.notify(done);
    } catch (error) {
      this.notify(problemMessage(error));
    }
  }

  private notify(message: string): void {
    this.snackBar.open(message, 'Dismiss', { duration: 4000 });
  }
}
