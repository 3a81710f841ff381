import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { MatTabsModule } from '@angular/material/tabs';
import type { UserResponse } from '../../api/models';
import { SessionService } from '../../core/auth/session.service';
import { area, areaLabel } from '../../core/navigation/console-areas';
import { PageHeaderComponent } from '../../shared/page-header.component';
import { AccessService } from './access.service';
import { ApiKeysPanelComponent } from './api-keys-panel.component';
import { UsersPanelComponent } from './users-panel.component';

/** Admins manage users and every API key; members see only their own keys. */
@Component({
  selector: 'sb-access-page',
  imports: [MatTabsModule, PageHeaderComponent, ApiKeysPanelComponent, UsersPanelComponent],
  providers: [AccessService],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <sb-page-header [heading]="heading()" [description]="description()" />
    @if (isAdmin()) {
      <mat-tab-group
        mat-stretch-tabs="false"
        mat-align-tabs="start"
        animationDuration="0"
        [selectedIndex]="tab()"
        (selectedIndexChange)="tab.set($event)"
      >
        <mat-tab>
          <ng-template mat-tab-label><span data-testid="access-tab-users">Users</span></ng-template>
          <sb-users-panel (showKeys)="showKeysOf($event)" />
        </mat-tab>
        <mat-tab>
          <ng-template mat-tab-label><span data-testid="access-tab-keys">API keys</span></ng-template>
          <sb-api-keys-panel />
        </mat-tab>
      </mat-tab-group>
    } @else {
      <sb-api-keys-panel />
    }
  `,
  styles: `
    mat-tab-group {
      --mat-tab-header-divider-height: 0;
    }
    sb-users-panel,
    sb-api-keys-panel {
      display: block;
      padding-top: 16px;
    }
  `,
})
export class AccessPage {
  private readonly session = inject(SessionService);
  private readonly service = inject(AccessService);

  protected readonly tab = signal(0);
  protected readonly isAdmin = computed(() => this.session.role() === 'admin');
  protected readonly heading = computed(() => areaLabel(area('access'), this.session.role()));
  protected readonly description = computed(() =>
    this.isAdmin()
      ? 'People who sign in to the console, and the keys services use to call the API.'
      : 'Keys your services use to call the API and the OpenAI-compatible endpoint.',
  );

  protected showKeysOf(user: UserResponse): void {
    this.service.keyOwner.set(user.id === this.session.user()?.id ? { kind: 'mine' } : { kind: 'user', id: user.id, email: user.email });
    this.tab.set(1);
  }
}
