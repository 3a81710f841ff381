import { ChangeDetectionStrategy, Component, computed, input, output } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import type { KnowledgeBaseResponse } from '../../api/models';
import { exactTime, RelativeTimePipe } from '../../shared/relative-time.pipe';
import { percent } from './knowledge-base-state';

/** A re-embed under way (progress, Cancel) or stopped by a failure (Resume, Discard). */
@Component({
  selector: 'sb-reembed-progress',
  imports: [MatButtonModule, MatIconModule, MatProgressBarModule, RelativeTimePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { 'data-testid': 'reembed-progress', '[attr.data-status]': 'kb().reembed?.status', '[class.failed]': 'failed()' },
  template: `
    @let kb_ = kb();
    @if (kb_.reembed; as r) {
      <mat-icon class="icon" aria-hidden="true">{{ failed() ? 'error_outline' : 'sync_alt' }}</mat-icon>
      <div class="body">
        @if (failed()) {
          <span class="title">The re-embed onto {{ r.embedding_model.name }} stopped</span>
          <span class="line" data-testid="reembed-error">{{ r.error?.message ?? 'It failed.' }}</span>
          <span class="line">{{ r.done }} of {{ r.total }} chunks were embedded. Searches still use {{ kb_.embedding_model.name }}.</span>
        } @else {
          <span class="title">Re-embedding onto {{ r.embedding_model.name }} · {{ r.dimensions }} dimensions</span>
          <mat-progress-bar
            mode="determinate"
            [value]="progress()"
            aria-label="Re-embed progress"
            [attr.aria-valuetext]="r.done + ' of ' + r.total + ' chunks'"
          />
          <span class="line" data-testid="reembed-progress-text"
            >{{ r.done }} / {{ r.total }} chunks · {{ progress() }}% · started
            <span [title]="exactTime(r.started_at)">{{ r.started_at | relativeTime }}</span></span
          >
          <span class="line" data-testid="reembed-cutover-note">
            Searches and conversations keep using {{ kb_.embedding_model.name }} ({{ kb_.dimensions }} dimensions) until the last chunk is
            embedded, then switch over at once.
          </span>
        }
      </div>
      @if (canChange()) {
        <div class="actions">
          @if (failed()) {
            <button mat-stroked-button type="button" data-testid="resume-reembed-button" (click)="resume.emit()">
              <mat-icon>replay</mat-icon>Resume
            </button>
            <button mat-button type="button" data-testid="discard-reembed-button" (click)="cancel.emit()">Discard</button>
          } @else {
            <button mat-stroked-button type="button" data-testid="cancel-reembed-button" (click)="cancel.emit()">
              <mat-icon>close</mat-icon>Cancel re-embed
            </button>
          }
        </div>
      }
    }
  `,
  styles: `
    :host {
      display: flex;
      align-items: flex-start;
      gap: 16px;
      padding: 16px 20px;
      border-radius: 16px;
      background: var(--mat-sys-secondary-container);
      color: var(--mat-sys-on-secondary-container);
    }
    :host(.failed) {
      background: var(--mat-sys-error-container);
      color: var(--mat-sys-on-error-container);
    }
    .icon {
      flex: none;
      margin-top: 2px;
    }
    .body {
      display: flex;
      flex: 1;
      flex-direction: column;
      gap: 6px;
      min-width: 0;
    }
    .title {
      font: var(--mat-sys-title-small);
    }
    .line {
      font: var(--mat-sys-body-small);
      font-variant-numeric: tabular-nums;
    }
    mat-progress-bar {
      max-width: 520px;
    }
    .actions {
      display: flex;
      gap: 8px;
      flex: none;
    }
  `,
})
export class ReembedProgressComponent {
  readonly kb = input.required<KnowledgeBaseResponse>();
  readonly canChange = input(false);
  readonly cancel = output<void>();
  readonly resume = output<void>();

  protected readonly failed = computed(() => this.kb().reembed?.status === 'failed');
  protected readonly progress = computed(() => {
    const r = this.kb().reembed;
    return r ? percent(r.done, r.total) : 0;
  });
  protected readonly exactTime = exactTime;
}
