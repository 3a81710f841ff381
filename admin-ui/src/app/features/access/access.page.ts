import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { SessionService } from '../../core/auth/session.service';
import { area, areaLabel } from '../../core/navigation/console-areas';
import { EmptyStateComponent } from '../../shared/empty-state.component';
import { PageHeaderComponent } from '../../shared/page-header.component';

/** Admins manage users and every API key; members see only their own keys. */
@Component({
  selector: 'sb-access-page',
  imports: [PageHeaderComponent, EmptyStateComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <sb-page-header [heading]="heading()" [description]="description()" />
    <sb-empty-state
      icon="key"
      [heading]="isAdmin() ? 'No users or API keys to show yet' : 'No API keys yet'"
      [message]="
        isAdmin()
          ? 'Console users, their roles and the API keys issued to services will be listed here.'
          : 'API keys you create for your services will be listed here.'
      "
    />
  `,
})
export class AccessPage {
  private readonly session = inject(SessionService);

  protected readonly isAdmin = computed(() => this.session.role() === 'admin');
  protected readonly heading = computed(() => areaLabel(area('access'), this.session.role()));
  protected readonly description = computed(() =>
    this.isAdmin()
      ? 'People who sign in to the console, and the keys services use to call the API.'
      : 'Keys your services use to call the API and the OpenAI-compatible endpoint.',
  );
}
