import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { MatIconModule } from '@angular/material/icon';
import type { TestResultDto, TestStageDto } from '../api/models';
import { exactTime, RelativeTimePipe } from './relative-time.pipe';

export type TestStage = TestStageDto['stage'];

export const STAGE_LABELS: Record<TestStage, string> = {
  dns: 'DNS',
  connect: 'Connect / TLS',
  auth: 'Authentication',
  model: 'Model listed',
  probe: 'Probe call',
};

const STAGE_ICONS: Record<TestStageDto['status'], string> = { ok: 'check_circle', failed: 'cancel', skipped: 'remove_circle_outline' };
const STATUS_LABELS: Record<TestStageDto['status'], string> = { ok: 'OK', failed: 'Failed', skipped: 'Skipped' };

/** "Failed at authentication" / "Connection OK": the verdict of a connection test in words. */
export function verdict(result: TestResultDto): string {
  if (result.ok) return result.model_id ? `OK: ${result.model_id} answered` : 'Connection OK';
  return result.failed_stage ? `Failed at ${STAGE_LABELS[result.failed_stage].toLowerCase()}` : 'Failed';
}

/**
 * A connection test, stage by stage (dns → connect/TLS → auth → model → probe) with each one's
 * outcome and latency; a failure names its error class, the upstream's status and the one-line
 * explanation the API gives.
 */
@Component({
  selector: 'sb-test-result',
  imports: [MatIconModule, RelativeTimePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { 'data-testid': 'test-result', '[class.failed]': '!result().ok', '[class.no-verdict]': '!showVerdict()' },
  template: `
    @let r = result();
    @if (showVerdict()) {
      <div class="summary">
        <mat-icon aria-hidden="true" class="verdict-icon">{{ r.ok ? 'check_circle' : 'error' }}</mat-icon>
        <span class="verdict" data-testid="test-verdict">{{ heading() }}</span>
        <span class="when" [title]="exactTime(r.tested_at)">{{ r.latency_ms }} ms · {{ r.tested_at | relativeTime }}</span>
      </div>
    }
    @if (!r.ok) {
      <div class="failure" data-testid="test-failure">
        <p class="message" data-testid="test-message">{{ r.message }}</p>
        <dl>
          @if (r.error_class) {
            <div>
              <dt>Error class</dt>
              <dd class="mono" data-testid="test-error-class">{{ r.error_class }}</dd>
            </div>
          }
          @if (r.upstream_status !== null) {
            <div>
              <dt>Upstream status</dt>
              <dd class="mono" data-testid="test-upstream-status">{{ r.upstream_status }}</dd>
            </div>
          }
        </dl>
      </div>
    } @else if (r.message) {
      <p class="ok-message">{{ r.message }}</p>
    }
    <ol class="stages" aria-label="Stages">
      @for (stage of r.stages; track stage.stage) {
        <li [class]="'stage ' + stage.status" [attr.data-testid]="'test-stage-' + stage.stage" [attr.data-status]="stage.status">
          <mat-icon aria-hidden="true">{{ icons[stage.status] }}</mat-icon>
          <span class="name">{{ labels[stage.stage] }}</span>
          <span class="status">{{ statusLabels[stage.status] }}</span>
          <span class="latency">{{ stage.status === 'skipped' ? '—' : stage.latency_ms + ' ms' }}</span>
          @if (stage.detail) {
            <span class="detail">{{ stage.detail }}</span>
          }
        </li>
      }
    </ol>
  `,
  styles: `
    :host {
      display: block;
      padding: 12px 14px;
      border-radius: 12px;
      border: 1px solid #b7dfc3;
      background: #f3faf5;
      --verdict: #1b6b34;
    }
    :host(.failed) {
      border-color: color-mix(in srgb, var(--mat-sys-error) 35%, transparent);
      background: color-mix(in srgb, var(--mat-sys-error-container) 45%, white);
      --verdict: var(--mat-sys-on-error-container);
    }
    .summary {
      display: flex;
      align-items: center;
      flex-wrap: wrap;
      gap: 8px;
    }
    .verdict-icon {
      color: var(--verdict);
    }
    .verdict {
      font: var(--mat-sys-title-small);
      color: var(--verdict);
    }
    .when {
      margin-left: auto;
      font: var(--mat-sys-body-small);
      color: var(--mat-sys-on-surface-variant);
    }
    .message,
    .ok-message {
      margin: 8px 0 0;
    }
    :host(.no-verdict) .message,
    :host(.no-verdict) .ok-message {
      margin-top: 0;
    }
    .message,
    .ok-message {
      font: var(--mat-sys-body-medium);
      overflow-wrap: anywhere;
    }
    .ok-message {
      color: var(--mat-sys-on-surface-variant);
    }
    dl {
      display: flex;
      flex-wrap: wrap;
      gap: 4px 24px;
      margin: 6px 0 0;
      font: var(--mat-sys-body-small);
    }
    dl div {
      display: flex;
      gap: 6px;
    }
    dt {
      color: var(--mat-sys-on-surface-variant);
    }
    dd {
      margin: 0;
    }
    .stages {
      margin: 10px 0 0;
      padding: 0;
      list-style: none;
    }
    .stage {
      display: grid;
      grid-template-columns: 22px 130px 64px 1fr;
      align-items: center;
      column-gap: 8px;
      padding: 5px 0;
      border-top: 1px solid color-mix(in srgb, var(--mat-sys-outline-variant) 70%, transparent);
      font: var(--mat-sys-body-medium);
    }
    .stage mat-icon {
      width: 18px;
      height: 18px;
      font-size: 18px;
    }
    .stage.ok mat-icon {
      color: #1b6b34;
    }
    .stage.failed mat-icon,
    .stage.failed .status {
      color: var(--mat-sys-error);
    }
    .stage.skipped {
      color: var(--mat-sys-on-surface-variant);
    }
    .status {
      font: var(--mat-sys-label-medium);
    }
    .latency {
      justify-self: end;
      font-variant-numeric: tabular-nums;
      color: var(--mat-sys-on-surface-variant);
    }
    .detail {
      grid-column: 2 / -1;
      font: var(--mat-sys-body-small);
      color: var(--mat-sys-on-surface-variant);
      overflow-wrap: anywhere;
    }
  `,
})
export class TestResultComponent {
  readonly result = input.required<TestResultDto>();
  /** Off where the verdict is already said beside it (the provider dialog's status line). */
  readonly showVerdict = input(true);
  protected readonly heading = computed(() => verdict(this.result()));
  protected readonly labels = STAGE_LABELS;
  protected readonly icons = STAGE_ICONS;
  protected readonly statusLabels = STATUS_LABELS;
  protected readonly exactTime = exactTime;
}
