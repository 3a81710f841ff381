import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { MatProgressBarModule } from '@angular/material/progress-bar';

/**
 * An indeterminate bar across the top of a table or dialog while something loads. It fades in
 * only after a short delay (CSS), so answers faster than a blink do not flash it.
 */
@Component({
  selector: 'sb-loading-bar',
  imports: [MatProgressBarModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (active()) {
      <mat-progress-bar mode="indeterminate" [attr.aria-label]="label()" data-testid="loading-bar" />
    }
  `,
  styles: `
    :host {
      display: block;
      height: 4px;
      overflow: hidden;
    }
    mat-progress-bar {
      opacity: 0;
      animation: sb-appear 120ms ease-in 150ms forwards;
    }
    @keyframes sb-appear {
      to {
        opacity: 1;
      }
    }
  `,
})
export class LoadingBarComponent {
  readonly active = input(false);
  readonly label = input('Loading');
}
