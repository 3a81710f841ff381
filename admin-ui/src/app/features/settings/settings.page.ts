import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { SessionService } from '../../core/auth/session.service';
import { AlertComponent } from '../../shared/alert.component';
import { EmptyStateComponent } from '../../shared/empty-state.component';
import { LoadingBarComponent } from '../../shared/loading-bar.component';
import { PageHeaderComponent } from '../../shared/page-header.component';
import { SettingRowComponent } from './setting-row.component';
import { SettingsService } from './settings.service';

@Component({
  selector: 'sb-settings-page',
  imports: [MatButtonModule, AlertComponent, EmptyStateComponent, LoadingBarComponent, PageHeaderComponent, SettingRowComponent],
  providers: [SettingsService],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <sb-page-header
      heading="Settings"
      description="System-wide limits, timeouts and network rules. Every change is recorded in the audit log."
      [readOnly]="session.readOnly()"
    />
    @if (service.error(); as problem) {
      <sb-alert data-testid="settings-error"
        >{{ problem }} <button mat-button type="button" (click)="service.reload()">Try again</button></sb-alert
      >
    } @else if (service.loaded() && service.settings().length === 0) {
      <sb-empty-state icon="settings" heading="No settings" message="This server has no adjustable settings." />
    } @else {
      <section class="sb-card" aria-label="Settings" data-testid="settings-list">
        <sb-loading-bar [active]="service.loading()" label="Loading settings" />
        @for (setting of service.settings(); track setting.key) {
          <sb-setting-row [setting]="setting" [readOnly]="session.readOnly()" />
        }
      </section>
    }
  `,
})
export class SettingsPage {
  protected readonly session = inject(SessionService);
  protected readonly service = inject(SettingsService);
}
