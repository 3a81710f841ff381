import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

export type BadgeTone = 'success' | 'neutral' | 'warning' | 'error' | 'info';

const TONE_BY_STATUS: Record<string, BadgeTone> = {
  active: 'success',
  ok: 'success',
  success: 'success',
  inactive: 'neutral',
  revoked: 'neutral',
  deprecated: 'warning',
  expired: 'warning',
  denied: 'warning',
  failed: 'error',
  error: 'error',
};

/** A small coloured pill for a status word; the tone follows the word unless given, the text too. */
@Component({
  selector: 'sb-status-badge',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<span class="badge" [class]="'badge tone-' + resolvedTone()" [class.word]="!text()"
    ><span class="dot" aria-hidden="true"></span>{{ label() }}</span
  >`,
  styles: `
    .badge {
      display: inline-flex;
      align-items: center;
      gap: 6px;
      padding: 2px 10px 2px 8px;
      border-radius: 999px;
      font: var(--mat-sys-label-medium);
      white-space: nowrap;
    }
    /* A status word ("deprecated") is capitalised; a given text is shown as written. */
    .word {
      text-transform: capitalize;
    }
    .dot {
      width: 6px;
      height: 6px;
      border-radius: 50%;
      background: currentColor;
    }
    .tone-success {
      background: #e3f4e8;
      color: #1b6b34;
    }
    .tone-neutral {
      background: var(--mat-sys-surface-container-high);
      color: var(--mat-sys-on-surface-variant);
    }
    .tone-warning {
      background: #fdf0d5;
      color: #7a4b00;
    }
    .tone-error {
      background: var(--mat-sys-error-container);
      color: var(--mat-sys-on-error-container);
    }
    .tone-info {
      background: var(--mat-sys-secondary-container);
      color: var(--mat-sys-on-secondary-container);
    }
  `,
})
export class StatusBadgeComponent {
  readonly status = input.required<string>();
  readonly tone = input<BadgeTone | null>(null);
  readonly text = input<string | null>(null);

  protected readonly label = computed(() => this.text() ?? this.status().replace(/_/g, ' '));
  protected readonly resolvedTone = computed(() => this.tone() ?? TONE_BY_STATUS[this.status()] ?? 'neutral');
}
