import { ChangeDetectionStrategy, Component, computed, input, output } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import type { DocumentResponse } from '../../api/models';
import { exactTime, RelativeTimePipe } from '../../shared/relative-time.pipe';
import { StatusBadgeComponent } from '../../shared/status-badge.component';
import { percent, plural } from './knowledge-base-state';

/**
 * Where a document is on its way into the index: queued, indexing (chunks done of total, with a
 * bar), indexed, or failed with the error and, for admins, Retry.
 */
@Component({
  selector: 'sb-document-status',
  imports: [MatButtonModule, MatIconModule, MatProgressBarModule, RelativeTimePipe, StatusBadgeComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '[attr.data-testid]': '"document-status-" + document().id', '[attr.data-status]': 'document().status' },
  template: `
    @let d = document();
    @switch (d.status) {
      @case ('pending') {
        <sb-status-badge status="pending" tone="neutral" text="Queued" />
        <span class="line">Waiting to be embedded · {{ chunks() }}</span>
      }
      @case ('indexing') {
        <sb-status-badge status="indexing" tone="info" text="Indexing" />
        <mat-progress-bar
          mode="determinate"
          [value]="progress()"
          [attr.aria-label]="'Indexing ' + d.title"
          [attr.aria-valuetext]="d.progress.done + ' of ' + d.progress.total + ' chunks'"
          [attr.data-testid]="'document-progress-' + d.id"
        />
        <span class="line" [attr.data-testid]="'document-progress-text-' + d.id"
          >{{ d.progress.done }} / {{ d.progress.total }} chunks · {{ progress() }}%</span
        >
      }
      @case ('indexed') {
        <sb-status-badge status="indexed" tone="success" text="Indexed" />
        <span class="line" [title]="exactTime(d.indexed_at)">{{ chunks() }} · {{ d.indexed_at | relativeTime }}</span>
      }
      @case ('failed') {
        <div class="failed">
          <sb-status-badge status="failed" text="Failed" />
          @if (canRetry()) {
            <button mat-button type="button" class="retry" [attr.data-testid]="'retry-document-' + d.id" (click)="retry.emit(d)">
              <mat-icon>refresh</mat-icon>Retry
            </button>
          }
        </div>
        <span class="line error" [attr.data-testid]="'document-error-' + d.id">
          {{ d.error?.message ?? 'Embedding failed' }}
          @if (d.error?.class) {
            <span class="mono">({{ d.error?.class }})</span>
          }
        </span>
        @if (d.progress.done > 0) {
          <span class="line">{{ d.progress.done }} of {{ d.progress.total }} chunks were embedded</span>
        }
      }
    }
  `,
  styles: `
    :host {
      display: flex;
      flex-direction: column;
      align-items: flex-start;
      gap: 4px;
      padding: 8px 0;
      min-width: 180px;
    }
    mat-progress-bar {
      width: 180px;
    }
    .line {
      font: var(--mat-sys-body-small);
      color: var(--mat-sys-on-surface-variant);
      font-variant-numeric: tabular-nums;
    }
    .error {
      color: var(--mat-sys-error);
      max-width: 320px;
    }
    .failed {
      display: flex;
      align-items: center;
      gap: 4px;
    }
    .retry {
      height: 28px;
    }
  `,
})
export class DocumentStatusComponent {
  readonly document = input.required<DocumentResponse>();
  readonly canRetry = input(false);
  readonly retry = output<DocumentResponse>();

  protected readonly progress = computed(() => percent(this.document().progress.done, this.document().progress.total));
  protected readonly chunks = computed(() => plural(this.document().progress.total, 'chunk'));
  protected readonly exactTime = exactTime;
}
