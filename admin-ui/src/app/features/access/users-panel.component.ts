import { ChangeDetectionStrategy, Component, inject, Injector, output } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormControl, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatPaginatorModule, PageEvent } from '@angular/material/paginator';
import { MatSelectModule } from '@angular/material/select';
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatTableModule } from '@angular/material/table';
import { MatTooltipModule } from '@angular/material/tooltip';
import { debounceTime } from 'rxjs';
import type { UserResponse } from '../../api/models';
import { ALL_ROLES, Role, ROLE_LABELS } from '../../core/auth/roles';
import { AlertComponent } from '../../shared/alert.component';
import { ConfirmDialogComponent, ConfirmDialogData } from '../../shared/confirm-dialog.component';
import { LoadingBarComponent } from '../../shared/loading-bar.component';
import { exactTime, RelativeTimePipe } from '../../shared/relative-time.pipe';
import { StatusBadgeComponent } from '../../shared/status-badge.component';
import { AccessService } from './access.service';
import { UserDialogComponent } from './user-dialog.component';

/** Admins: console users, searchable and paged, with create/edit/delete. */
@Component({
  selector: 'sb-users-panel',
  imports: [
    ReactiveFormsModule,
    MatButtonModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatPaginatorModule,
    MatSelectModule,
    MatTableModule,
    MatTooltipModule,
    AlertComponent,
    LoadingBarComponent,
    RelativeTimePipe,
    StatusBadgeComponent,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './users-panel.component.html',
})
export class UsersPanelComponent {
  protected readonly service = inject(AccessService);
  private readonly dialog = inject(MatDialog);
  private readonly snackBar = inject(MatSnackBar);
  private readonly injector = inject(Injector);

  /** "Show this user's keys". */
  readonly showKeys = output<UserResponse>();

  protected readonly columns = ['user', 'role', 'status', 'last_login', 'created', 'actions'];
  protected readonly roles = ALL_ROLES;
  // Table cells are untyped (`let u`), so labels are looked up by any string.
  protected readonly roleLabels: Record<string, string> = ROLE_LABELS;
  protected readonly exactTime = exactTime;
  protected readonly search = new FormControl('', { nonNullable: true });
  protected readonly roleFilter = new FormControl<Role | ''>('', { nonNullable: true });

  constructor() {
    this.search.valueChanges
      .pipe(debounceTime(250), takeUntilDestroyed())
      .subscribe((search) => this.service.filterUsers({ search: search.trim() || undefined }));
    this.roleFilter.valueChanges.pipe(takeUntilDestroyed()).subscribe((role) => this.service.filterUsers({ role: role || undefined }));
  }

  protected onPage(event: PageEvent): void {
    this.service.userQuery.update((query) => ({ ...query, page: event.pageIndex + 1, page_size: event.pageSize }));
  }

  protected openEditor(user?: UserResponse): void {
    this.dialog
      .open(UserDialogComponent, { data: user ?? null, injector: this.injector, width: '520px', maxWidth: '95vw' })
      .afterClosed()
      .subscribe(
        (saved?: UserResponse) => saved && this.snackBar.open(`${user ? 'Saved' : 'Added'} ${saved.email}`, 'Dismiss', { duration: 4000 }),
      );
  }

  protected confirmDelete(user: UserResponse): void {
    const data: ConfirmDialogData = {
      title: `Delete ${user.email}?`,
      message: 'They can no longer sign in and their API keys stop working. Audit events keep their email. This cannot be undone.',
      confirmLabel: 'Delete user',
      destructive: true,
      testId: 'delete-user-modal',
      action: () => this.service.deleteUser(user.id),
    };
    this.dialog
      .open(ConfirmDialogComponent, { data, width: '480px', maxWidth: '95vw' })
      .afterClosed()
      .subscribe((done) => done && this.snackBar.open(`Deleted ${user.email}`, 'Dismiss', { duration: 4000 }));
  }
}
