import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { MatIconModule } from '@angular/material/icon';

const ICONS = { error: 'error_outline', warning: 'warning_amber', info: 'info', success: 'check_circle' } as const;

/**
 * A boxed message inside a page or dialog. Errors are announced (role="alert"), the others are
 * polite status messages.
 */
@Component({
  selector: 'sb-alert',
  imports: [MatIconModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="alert" [class]="'alert ' + kind()" [attr.role]="kind() === 'error' ? 'alert' : 'status'">
      <mat-icon aria-hidden="true">{{ icon() }}</mat-icon>
      <div class="body"><ng-content /></div>
    </div>
  `,
  styles: `
    :host {
      display: block;
    }
    .alert {
      display: flex;
      align-items: flex-start;
      gap: 10px;
      padding: 12px 14px;
      border-radius: 12px;
      font: var(--mat-sys-body-medium);
    }
    .alert mat-icon {
      flex: none;
      width: 20px;
      height: 20px;
      font-size: 20px;
      margin-top: 1px;
    }
    .body {
      flex: 1;
      min-width: 0;
      overflow-wrap: anywhere;
    }
    .error {
      background: var(--mat-sys-error-container);
      color: var(--mat-sys-on-error-container);
    }
    .warning {
      background: #fdf0d5;
      color: #5c3900;
    }
    .info {
      background: var(--mat-sys-secondary-container);
      color: var(--mat-sys-on-secondary-container);
    }
    .success {
      background: #e3f4e8;
      color: #14532a;
    }
  `,
})
export class AlertComponent {
  readonly kind = input<keyof typeof ICONS>('error');
  protected readonly icon = computed(() => ICONS[this.kind()]);
}
