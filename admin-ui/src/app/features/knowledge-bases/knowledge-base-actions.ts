import { inject, Injectable, Injector } from '@angular/core';
import { MatDialog } from '@angular/material/dialog';
import { MatSnackBar } from '@angular/material/snack-bar';
import type { KnowledgeBaseResponse, ModelResponse } from '../../api/models';
import { ConfirmDialogComponent, ConfirmDialogData } from '../../shared/confirm-dialog.component';
import { KnowledgeBaseDialogComponent, KnowledgeBaseDialogData, KnowledgeBaseDialogResult } from './knowledge-base-dialog.component';
import { plural } from './knowledge-base-state';
import { KnowledgeBasesService } from './knowledge-bases.service';
import { ReembedDialogComponent, ReembedDialogData } from './reembed-dialog.component';

/**
 * The admin's changes to a knowledge base, each behind its dialog, for the list and the detail
 * view alike. Provided by the component that uses it, so the dialogs share the page's service.
 */
@Injectable()
export class KnowledgeBaseActions {
  private readonly dialog = inject(MatDialog);
  private readonly snackBar = inject(MatSnackBar);
  private readonly injector = inject(Injector);
  private readonly service = inject(KnowledgeBasesService);

  /** Create (`kb` null) or edit; a model of other dimensions leads to the re-embed dialog instead. */
  edit(kb: KnowledgeBaseResponse | null, saved?: (kb: KnowledgeBaseResponse) => void): void {
    this.dialog
      .open<KnowledgeBaseDialogComponent, KnowledgeBaseDialogData, KnowledgeBaseDialogResult>(KnowledgeBaseDialogComponent, {
        data: { kb: kb ?? undefined },
        injector: this.injector,
        width: '720px',
        maxWidth: '95vw',
        autoFocus: 'first-tabbable',
      })
      .afterClosed()
      .subscribe((result) => {
        if (!result) return;
        if ('reembedOnto' in result) {
          if (kb) this.reembed(kb, result.reembedOnto, () => saved?.(kb));
          return;
        }
        const name = result.saved.name;
        this.notify(!kb ? `Created ${name}` : result.reembedding ? `Saved ${name}; re-embedding in the background` : `Saved ${name}`);
        saved?.(result.saved);
      });
  }

  /** Builds a new index beside the active one; `model` preselects the target. */
  reembed(kb: KnowledgeBaseResponse, model?: ModelResponse, started?: () => void): void {
    this.dialog
      .open<ReembedDialogComponent, ReembedDialogData, KnowledgeBaseResponse>(ReembedDialogComponent, {
        data: { kb, model },
        injector: this.injector,
        width: '640px',
        maxWidth: '95vw',
      })
      .afterClosed()
      .subscribe((updated) => {
        if (!updated) return;
        this.notify(`Re-embedding ${kb.name} onto ${updated.reembed?.embedding_model.name ?? 'the new model'}`);
        started?.();
      });
  }

  cancelReembed(kb: KnowledgeBaseResponse, cancelled?: () => void): void {
    const target = kb.reembed?.embedding_model.name ?? 'the new model';
    this.confirm(
      {
        title: 'Cancel the re-embed?',
        message: `The index being built with ${target} is dropped, with the chunks embedded so far. ${kb.embedding_model.name} keeps answering searches.`,
        confirmLabel: 'Cancel re-embed',
        destructive: true,
        testId: 'cancel-reembed-modal',
        action: () => this.service.cancelReembed(kb.id),
      },
      `Cancelled the re-embed of ${kb.name}`,
      cancelled,
    );
  }

  remove(kb: KnowledgeBaseResponse, deleted?: () => void): void {
    this.confirm(
      {
        title: `Delete ${kb.name}?`,
        message: `Its ${plural(kb.documents.total, 'document')} and their vectors are deleted. Conversations on it stay, without retrieval. This cannot be undone.`,
        confirmLabel: 'Delete',
        destructive: true,
        testId: 'delete-kb-modal',
        action: () => this.service.remove(kb.id),
      },
      `Deleted ${kb.name}`,
      deleted,
    );
  }

  private confirm(data: ConfirmDialogData, done: string, then?: () => void): void {
    this.dialog
      .open<ConfirmDialogComponent, ConfirmDialogData, boolean>(ConfirmDialogComponent, { data, width: '520px', maxWidth: '95vw' })
      .afterClosed()
      .subscribe((confirmed) => {
        if (!confirmed) return;
        this.notify(done);
        then?.();
      });
  }

  private notify(message: string): void {
    this.snackBar.open(message, 'Dismiss', { duration: 4000 });
  }
}
