import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { MatIconModule } from '@angular/material/icon';

/** The title row every console page starts with; actions go in the projected content. */
@Component({
  selector: 'sb-page-header',
  imports: [MatIconModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <header class="page-header">
      <div class="heading">
        <h1>{{ heading() }}</h1>
        @if (readOnly()) {
          <span class="read-only" data-testid="read-only-badge"> <mat-icon aria-hidden="true" inline>visibility</mat-icon>Read-only </span>
        }
      </div>
      @if (description()) {
        <p class="description">{{ description() }}</p>
      }
      <div class="actions"><ng-content /></div>
    </header>
  `,
  styles: `
    .page-header {
      display: grid;
      grid-template-columns: 1fr auto;
      column-gap: 16px;
      margin-bottom: 24px;
    }
    .heading {
      display: flex;
      align-items: center;
      gap: 12px;
    }
    h1 {
      margin: 0;
      font: var(--mat-sys-headline-small);
      color: var(--mat-sys-on-surface);
    }
    .read-only {
      display: inline-flex;
      align-items: center;
      gap: 4px;
      padding: 2px 10px;
      border-radius: 999px;
      font: var(--mat-sys-label-medium);
      background: var(--mat-sys-secondary-container);
      color: var(--mat-sys-on-secondary-container);
    }
    .description {
      grid-column: 1;
      margin: 4px 0 0;
      font: var(--mat-sys-body-medium);
      color: var(--mat-sys-on-surface-variant);
    }
    .actions {
      grid-column: 2;
      grid-row: 1 / span 2;
      align-self: center;
    }
    /* On a phone the actions would squeeze the title into a column a word wide: they go below it. */
    @media (max-width: 599px) {
      .page-header {
        grid-template-columns: 1fr;
      }
      .actions {
        grid-column: 1;
        grid-row: auto;
        margin-top: 12px;
      }
    }
  `,
})
export class PageHeaderComponent {
  readonly heading = input.required<string>();
  readonly description = input<string>('');
  readonly readOnly = input(false);
}
