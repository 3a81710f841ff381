import { afterRenderEffect, ChangeDetectionStrategy, Component, computed, ElementRef, inject, input, output } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatTableModule } from '@angular/material/table';
import { MatTooltipModule } from '@angular/material/tooltip';
import type { DocumentResponse } from '../../api/models';
import { exactTime, RelativeTimePipe } from '../../shared/relative-time.pipe';
import { DocumentStatusComponent } from './document-status.component';
import { formatBytes, mediaLabel } from './knowledge-base-state';

/** A page of a knowledge base's documents with their indexing status; one can be highlighted (a source link). */
@Component({
  selector: 'sb-documents-table',
  imports: [MatButtonModule, MatIconModule, MatTableModule, MatTooltipModule, DocumentStatusComponent, RelativeTimePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <table mat-table [dataSource]="documents()" data-testid="document-list-table">
      <ng-container matColumnDef="title">
        <th mat-header-cell *matHeaderCellDef>Document</th>
        <td mat-cell *matCellDef="let d">
          <span class="cell-primary">{{ d.title }}</span>
          <span class="cell-secondary">{{ describe(d) }}</span>
        </td>
      </ng-container>
      <ng-container matColumnDef="status">
        <th mat-header-cell *matHeaderCellDef>Status</th>
        <td mat-cell *matCellDef="let d">
          <sb-document-status [document]="d" [canRetry]="admin()" (retry)="retry.emit($event)" />
        </td>
      </ng-container>
      <ng-container matColumnDef="uploaded">
        <th mat-header-cell *matHeaderCellDef>Uploaded</th>
        <td mat-cell *matCellDef="let d" class="nowrap" [title]="exactTime(d.created_at)">{{ d.created_at | relativeTime }}</td>
      </ng-container>
      <ng-container matColumnDef="actions">
        <th mat-header-cell *matHeaderCellDef><span class="cdk-visually-hidden">Actions</span></th>
        <td mat-cell *matCellDef="let d" class="cell-actions">
          <button
            mat-icon-button
            type="button"
            matTooltip="Delete document"
            [attr.aria-label]="'Delete ' + d.title"
            [attr.data-testid]="'delete-document-button-' + d.id"
            (click)="remove.emit(d)"
          >
            <mat-icon>delete_outline</mat-icon>
          </button>
        </td>
      </ng-container>

      <tr mat-header-row *matHeaderRowDef="columns()"></tr>
      <tr
        mat-row
        *matRowDef="let d; columns: columns()"
        [class.highlighted]="d.id === highlight()"
        [attr.aria-current]="d.id === highlight() ? 'location' : null"
        [attr.data-testid]="'document-row-' + d.id"
      ></tr>
      <tr class="mat-row" *matNoDataRow>
        <td class="sb-table-empty" [attr.colspan]="columns().length" data-testid="documents-empty">
          @if (!loaded()) {
            Loading documents…
          } @else if (admin()) {
            No documents yet. Drop files above or choose them to start indexing.
          } @else {
            No documents yet. An admin uploads them.
          }
        </td>
      </tr>
    </table>
  `,
  styles: `
    :host {
      display: block;
    }
    .mat-mdc-cell,
    .mat-mdc-header-cell {
      padding: 0 12px;
    }
    .mat-column-title {
      padding-left: 16px;
      min-width: 220px;
    }
    .nowrap {
      white-space: nowrap;
    }
    tr.highlighted {
      background: color-mix(in srgb, var(--mat-sys-tertiary) 10%, transparent);
      box-shadow: inset 4px 0 0 var(--mat-sys-tertiary);
    }
  `,
})
export class DocumentsTableComponent {
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);

  readonly documents = input.required<DocumentResponse[]>();
  readonly admin = input(false);
  readonly loaded = input(true);
  /** A document to point at, e.g. the one a playground source links to. */
  readonly highlight = input<string | null>(null);

  readonly retry = output<DocumentResponse>();
  readonly remove = output<DocumentResponse>();

  protected readonly columns = computed(() => ['title', 'status', 'uploaded', ...(this.admin() ? ['actions'] : [])]);
  protected readonly exactTime = exactTime;
  private scrolledTo: string | null = null;

  constructor() {
    // Bring the highlighted row into view once, when it first appears.
    afterRenderEffect(() => {
      const id = this.highlight();
      this.documents();
      if (!id || id === this.scrolledTo) return;
      const row = this.host.nativeElement.querySelector(`[data-testid="document-row-${id}"]`);
      if (row) {
        this.scrolledTo = id;
        row.scrollIntoView?.({ block: 'center', behavior: 'smooth' });
      }
    });
  }

  protected describe(document: DocumentResponse): string {
    return [document.filename, mediaLabel(document.media_type), formatBytes(document.size_bytes)].filter(Boolean).join(' · ');
  }
}
