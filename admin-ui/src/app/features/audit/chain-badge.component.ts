import { ChangeDetectionStrategy, Component, input, output } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatTooltipModule } from '@angular/material/tooltip';
import type { ChainVerification } from '../../api/models';

/** The result of re-walking the audit hash chain: intact, or where it breaks. */
@Component({
  selector: 'sb-chain-badge',
  imports: [MatButtonModule, MatIconModule, MatTooltipModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @let v = verification();
    <div class="chain" [class.valid]="v?.valid" [class.broken]="v && !v.valid" role="status" data-testid="chain-integrity-badge">
      @if (v) {
        <mat-icon aria-hidden="true">{{ v.valid ? 'verified' : 'gpp_bad' }}</mat-icon>
        @if (v.valid) {
          <span [matTooltip]="v.head_hash ? 'Head ' + v.head_hash : ''"
            >Chain intact · {{ v.checked.toLocaleString('en') }} event{{ v.checked === 1 ? '' : 's' }} verified</span
          >
        } @else {
          <span
            >Chain broken at #{{ v.first_broken?.seq }}: {{ v.first_broken?.reason?.replace('_', ' ') }} —
            {{ v.first_broken?.detail }}</span
          >
        }
      } @else if (error()) {
        <mat-icon aria-hidden="true">help_outline</mat-icon><span>Chain not verified: {{ error() }}</span>
      } @else {
        <mat-icon aria-hidden="true">hourglass_top</mat-icon><span>Verifying the chain…</span>
      }
      <button
        mat-icon-button
        type="button"
        aria-label="Verify the chain again"
        matTooltip="Verify again"
        [disabled]="busy()"
        (click)="verify.emit()"
      >
        <mat-icon>refresh</mat-icon>
      </button>
    </div>
  `,
  styles: `
    .chain {
      display: inline-flex;
      align-items: center;
      gap: 8px;
      padding: 0 4px 0 12px;
      border-radius: 999px;
      font: var(--mat-sys-label-large);
      background: var(--mat-sys-surface-container-high);
      color: var(--mat-sys-on-surface-variant);
    }
    .chain.valid {
      background: #e3f4e8;
      color: #14532a;
    }
    .chain.broken {
      background: var(--mat-sys-error-container);
      color: var(--mat-sys-on-error-container);
    }
    mat-icon {
      width: 20px;
      height: 20px;
      font-size: 20px;
    }
  `,
})
export class ChainBadgeComponent {
  readonly verification = input<ChainVerification | null>(null);
  readonly error = input<string | null>(null);
  readonly busy = input(false);
  readonly verify = output<void>();
}
