import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import type { UpdateUserRequest, UserResponse } from '../../api/models';
import { ALL_ROLES, Role, ROLE_LABELS } from '../../core/auth/roles';
import { problemMessage } from '../../core/http/problem';
import { AlertComponent } from '../../shared/alert.component';
import { applyServerErrors, validationMessage } from '../../shared/forms';
import { LoadingBarComponent } from '../../shared/loading-bar.component';
import { AccessService } from './access.service';

const PASSWORD_MIN = 12;

/** Create a user, or edit one: role, active, and a password reset. */
@Component({
  selector: 'sb-user-dialog',
  imports: [
    ReactiveFormsModule,
    MatButtonModule,
    MatDialogModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatSelectModule,
    MatSlideToggleModule,
    AlertComponent,
    LoadingBarComponent,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '[attr.data-testid]': 'original ? "edit-user-modal" : "add-user-modal"' },
  template: `
    <sb-loading-bar [active]="saving()" />
    <h2 mat-dialog-title>{{ original ? 'Edit ' + original.email : 'Add user' }}</h2>
    <mat-dialog-content>
      @if (error(); as problem) {
        <sb-alert data-testid="user-form-error">{{ problem }}</sb-alert>
      }
      <form class="sb-form" id="user-form" [formGroup]="form" (ngSubmit)="save()" novalidate>
        @if (!original) {
          <mat-form-field appearance="outline">
            <mat-label>Email</mat-label>
            <input matInput type="email" formControlName="email" autocomplete="off" data-testid="user-email-input" />
            <mat-error data-testid="user-email-error">{{
              message(form.controls.email, { required: 'Enter their email address' })
            }}</mat-error>
          </mat-form-field>
        }
        <mat-form-field appearance="outline">
          <mat-label>Display name</mat-label>
          <input matInput formControlName="display_name" autocomplete="off" data-testid="user-name-input" />
          <mat-error data-testid="user-name-error">{{ message(form.controls.display_name, { required: 'Enter their name' }) }}</mat-error>
        </mat-form-field>
        <mat-form-field appearance="outline">
          <mat-label>Role</mat-label>
          <mat-select formControlName="role" data-testid="user-role-select">
            @for (role of roles; track role) {
              <mat-option [value]="role">{{ roleLabels[role] }}</mat-option>
            }
          </mat-select>
          <mat-hint>{{ roleHints[form.controls.role.value] }}</mat-hint>
          <mat-error data-testid="user-role-error">{{ message(form.controls.role) }}</mat-error>
        </mat-form-field>
        <mat-form-field appearance="outline">
          <mat-label>{{ original ? 'New password (optional)' : 'Password' }}</mat-label>
          <input
            matInput
            [type]="passwordVisible() ? 'text' : 'password'"
            formControlName="password"
            autocomplete="new-password"
            data-testid="user-password-input"
          />
          <button
            mat-icon-button
            matSuffix
            type="button"
            [attr.aria-label]="passwordVisible() ? 'Hide password' : 'Show password'"
            [attr.aria-pressed]="passwordVisible()"
            (click)="passwordVisible.set(!passwordVisible())"
          >
            <mat-icon>{{ passwordVisible() ? 'visibility_off' : 'visibility' }}</mat-icon>
          </button>
          <mat-hint>{{ original ? 'Resets it and signs them out everywhere' : 'At least ' + passwordMin + ' characters' }}</mat-hint>
          <mat-error data-testid="user-password-error">{{ message(form.controls.password, { required: 'Choose a password' }) }}</mat-error>
        </mat-form-field>
        @if (original) {
          <mat-slide-toggle formControlName="is_active" data-testid="user-active-toggle">
            Active — inactive users cannot sign in and their keys stop working
          </mat-slide-toggle>
        }
      </form>
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button mat-button type="button" mat-dialog-close>Cancel</button>
      <button mat-flat-button type="submit" form="user-form" [disabled]="saving()" data-testid="save-user-button">
        {{ saving() ? 'Saving…' : original ? 'Save changes' : 'Add user' }}
      </button>
    </mat-dialog-actions>
  `,
  styles: `
    mat-slide-toggle {
      margin: 4px 0 8px;
    }
  `,
})
export class UserDialogComponent {
  private readonly service = inject(AccessService);
  private readonly ref = inject(MatDialogRef<UserDialogComponent, UserResponse>);
  protected readonly original = inject<UserResponse | null>(MAT_DIALOG_DATA);

  protected readonly roles = ALL_ROLES;
  protected readonly roleLabels = ROLE_LABELS;
  protected readonly roleHints: Record<Role, string> = {
    admin: 'Everything, including users, keys and settings',
    member: 'Conversations, knowledge-base search, the model catalogue, own API keys',
    auditor: 'Read-only registry and audit log',
  };
  protected readonly passwordMin = PASSWORD_MIN;
  protected readonly message = validationMessage;
  protected readonly saving = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly passwordVisible = signal(false);

  protected readonly form = inject(NonNullableFormBuilder).group({
    email: ['', [Validators.required, Validators.email]],
    display_name: ['', [Validators.required, Validators.maxLength(100)]],
    role: this.original?.role ?? ('member' as Role),
    password: ['', [Validators.minLength(PASSWORD_MIN), Validators.maxLength(256)]],
    is_active: true,
  });

  constructor() {
    if (this.original) {
      this.form.patchValue({ display_name: this.original.display_name, role: this.original.role, is_active: this.original.is_active });
      this.form.controls.email.disable();
    } else {
      this.form.controls.password.addValidators(Validators.required);
    }
  }

  protected async save(): Promise<void> {
    if (this.saving()) return;
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    this.saving.set(true);
    this.error.set(null);
    const value = this.form.getRawValue();
    try {
      const saved = this.original
        ? await this.service.updateUser(this.original.id, this.changes(value))
        : await this.service.createUser({
            email: value.email.trim(),
            display_name: value.display_name.trim(),
            role: value.role,
            password: value.password,
          });
      this.ref.close(saved);
    } catch (error) {
      this.error.set(problemMessage(error));
      applyServerErrors(this.form, error);
    } finally {
      this.saving.set(false);
    }
  }

  private changes(value: ReturnType<typeof this.form.getRawValue>): UpdateUserRequest {
    return {
      display_name: value.display_name.trim(),
      role: value.role,
      is_active: value.is_active,
      ...(value.password ? { password: value.password } : {}),
    };
  }
}
