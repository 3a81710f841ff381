import { ChangeDetectionStrategy, Component, computed, inject, Injector } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatDividerModule } from '@angular/material/divider';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatSelectModule } from '@angular/material/select';
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatTableModule } from '@angular/material/table';
import { MatTooltipModule } from '@angular/material/tooltip';
import type { ApiKeyResponse } from '../../api/models';
import { ROLE_LABELS } from '../../core/auth/roles';
import { AlertComponent } from '../../shared/alert.component';
import { ConfirmDialogComponent, ConfirmDialogData } from '../../shared/confirm-dialog.component';
import { EmptyStateComponent } from '../../shared/empty-state.component';
import { LoadingBarComponent } from '../../shared/loading-bar.component';
import { exactTime, RelativeTimePipe } from '../../shared/relative-time.pipe';
import { StatusBadgeComponent } from '../../shared/status-badge.component';
import { AccessService, KeyOwner } from './access.service';
import { ApiKeyDialogComponent, ApiKeyDialogData } from './api-key-dialog.component';

/** API keys: everyone sees and manages their own; admins can pick another owner, or everyone. */
@Component({
  selector: 'sb-api-keys-panel',
  imports: [
    MatButtonModule,
    MatDividerModule,
    MatFormFieldModule,
    MatIconModule,
    MatSelectModule,
    MatTableModule,
    MatTooltipModule,
    AlertComponent,
    EmptyStateComponent,
    LoadingBarComponent,
    RelativeTimePipe,
    StatusBadgeComponent,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './api-keys-panel.component.html',
})
export class ApiKeysPanelComponent {
  protected readonly service = inject(AccessService);
  private readonly dialog = inject(MatDialog);
  private readonly snackBar = inject(MatSnackBar);
  private readonly injector = inject(Injector);

  // Table cells are untyped (`let k`), so labels are looked up by any string.
  protected readonly roleLabels: Record<string, string> = ROLE_LABELS;
  protected readonly exactTime = exactTime;
  /** The owner select's value: `mine`, `all` or a user id. */
  protected readonly ownerChoice = computed(() => {
    const owner = this.service.keyOwner();
    return owner.kind === 'user' ? owner.id : owner.kind;
  });
  protected readonly columns = computed(() => [
    'name',
    'prefix',
    'role',
    'models',
    ...(this.service.keyOwner().kind === 'all' ? ['owner'] : []),
    'created',
    'last_used',
    'expires',
    'status',
    'actions',
  ]);

  protected chooseOwner(choice: string): void {
    const user = this.service.owners().find((candidate) => candidate.id === choice);
    const owner: KeyOwner =
      choice === 'all'
        ? { kind: 'all' }
        : user && user.id !== this.service.me()?.id
          ? { kind: 'user', id: user.id, email: user.email }
          : { kind: 'mine' };
    this.service.keyOwner.set(owner);
  }

  protected status(key: ApiKeyResponse): 'active' | 'revoked' | 'expired' {
    if (key.revoked_at) return 'revoked';
    return key.expires_at && new Date(key.expires_at).getTime() <= Date.now() ? 'expired' : 'active';
  }

  protected create(): void {
    const owner = this.service.keyOwner();
    const user = owner.kind === 'user' ? this.service.owners().find((candidate) => candidate.id === owner.id) : undefined;
    const data: ApiKeyDialogData = user ? { owner: { id: user.id, email: user.email, role: user.role } } : {};
    this.dialog.open(ApiKeyDialogComponent, { data, injector: this.injector, width: '560px', maxWidth: '95vw' });
  }

  protected confirmRevoke(key: ApiKeyResponse): void {
    const data: ConfirmDialogData = {
      title: `Revoke ${key.name}?`,
      message: `Calls with ${key.prefix}… are refused from now on. This cannot be undone.`,
      confirmLabel: 'Revoke key',
      destructive: true,
      testId: 'revoke-api-key-modal',
      action: () => this.service.revokeKey(key.id),
    };
    this.dialog
      .open(ConfirmDialogComponent, { data, width: '480px', maxWidth: '95vw' })
      .afterClosed()
      .subscribe((done) => done && this.snackBar.open(`Revoked ${key.name}`, 'Dismiss', { duration: 4000 }));
  }
}
