import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { SessionService } from '../../core/auth/session.service';
import { EmptyStateComponent } from '../../shared/empty-state.component';
import { PageHeaderComponent } from '../../shared/page-header.component';

@Component({
  selector: 'sb-settings-page',
  imports: [PageHeaderComponent, EmptyStateComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <sb-page-header
      heading="Settings"
      description="System-wide settings: network allow-lists, defaults and limits."
      [readOnly]="session.readOnly()"
    />
    <sb-empty-state icon="settings" heading="Nothing to configure yet" message="System settings will be listed here." />
  `,
})
export class SettingsPage {
  protected readonly session = inject(SessionService);
}
