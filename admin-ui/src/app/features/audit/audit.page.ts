import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { SessionService } from '../../core/auth/session.service';
import { EmptyStateComponent } from '../../shared/empty-state.component';
import { PageHeaderComponent } from '../../shared/page-header.component';

@Component({
  selector: 'sb-audit-page',
  imports: [PageHeaderComponent, EmptyStateComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <sb-page-header
      heading="Audit log"
      description="Every change to the registry, recorded in a tamper-evident, hash-chained trail."
      [readOnly]="session.readOnly()"
    />
    <sb-empty-state
      icon="fact_check"
      heading="No events to show yet"
      message="Audit events will be listed here, to filter, compare, export and verify."
    />
  `,
})
export class AuditPage {
  protected readonly session = inject(SessionService);
}
