import { ChangeDetectionStrategy, Component } from '@angular/core';
import { EmptyStateComponent } from '../../shared/empty-state.component';
import { PageHeaderComponent } from '../../shared/page-header.component';

@Component({
  selector: 'sb-usage-page',
  imports: [PageHeaderComponent, EmptyStateComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <sb-page-header heading="Usage" description="Tokens, cost and latency by model, provider and day." />
    <sb-empty-state
      icon="insights"
      heading="No usage recorded yet"
      message="Usage appears here once services send requests through Switchboard."
    />
  `,
})
export class UsagePage {}
