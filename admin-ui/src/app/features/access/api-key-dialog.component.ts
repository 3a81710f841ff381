import { Clipboard } from '@angular/cdk/clipboard';
import { ChangeDetectionStrategy, Component, computed, inject, resource, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import type { CreateApiKeyRequest, CreatedApiKeyResponse } from '../../api/models';
import { ALL_ROLES, Role, ROLE_LABELS } from '../../core/auth/roles';
import { problemMessage } from '../../core/http/problem';
import { AlertComponent } from '../../shared/alert.component';
import { applyServerErrors, validationMessage } from '../../shared/forms';
import { LoadingBarComponent } from '../../shared/loading-bar.component';
import { AccessService } from './access.service';
import { GatewaySnippetsComponent } from './gateway-snippets.component';

export interface ApiKeyDialogData {
  /** Admins creating a key for someone else; absent for the signed-in user's own key. */
  owner?: { id: string; email: string; role: Role };
}

/** Creates an API key, then shows its secret once, with a copy button. */
@Component({
  selector: 'sb-api-key-dialog',
  imports: [
    ReactiveFormsModule,
    MatButtonModule,
    MatDialogModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatSelectModule,
    AlertComponent,
    GatewaySnippetsComponent,
    LoadingBarComponent,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { 'data-testid': 'api-key-modal' },
  templateUrl: './api-key-dialog.component.html',
  styleUrl: './api-key-dialog.component.scss',
})
export class ApiKeyDialogComponent {
  private readonly service = inject(AccessService);
  private readonly clipboard = inject(Clipboard);
  private readonly ref = inject(MatDialogRef<ApiKeyDialogComponent, CreatedApiKeyResponse>);
  protected readonly owner = inject<ApiKeyDialogData>(MAT_DIALOG_DATA).owner ?? null;

  private readonly ownerRole: Role = this.owner?.role ?? this.service.me()?.role ?? 'member';
  /** A key never has more rights than its owner: an admin's key may be anything, others only their own role. */
  protected readonly roles = this.ownerRole === 'admin' ? ALL_ROLES : [this.ownerRole];
  protected readonly roleLabels = ROLE_LABELS;
  protected readonly message = validationMessage;
  protected readonly today = new Date().toISOString().slice(0, 10);

  protected readonly saving = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly created = signal<CreatedApiKeyResponse | null>(null);
  protected readonly copied = signal(false);
  protected readonly title = computed(() => (this.created() ? 'Copy your new API key' : 'Create API key'));

  protected readonly form = inject(NonNullableFormBuilder).group({
    name: ['', [Validators.required, Validators.maxLength(100)]],
    role: this.ownerRole,
    expires_at: [''],
    models: [[] as string[]],
  });
  /** What the key may be limited to; none chosen: every model. */
  protected readonly modelChoices = resource({ loader: () => this.service.keyModelChoices() });

  protected async create(): Promise<void> {
    if (this.saving()) return;
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    this.saving.set(true);
    this.error.set(null);
    const { name, role, expires_at, models } = this.form.getRawValue();
    const body: CreateApiKeyRequest = {
      name: name.trim(),
      role,
      ...(models.length ? { models } : {}),
      // The key works through the whole chosen day (UTC).
      ...(expires_at ? { expires_at: new Date(`${expires_at}T23:59:59Z`).toISOString() } : {}),
      ...(this.owner ? { owner_id: this.owner.id } : {}),
    };
    try {
      this.created.set(await this.service.createKey(body));
      // From here on, closing by accident would lose the secret: only "Done" closes.
      this.ref.disableClose = true;
      // Room for the example requests' lines.
      this.ref.updateSize('760px');
    } catch (error) {
      this.error.set(problemMessage(error));
      applyServerErrors(this.form, error);
    } finally {
      this.saving.set(false);
    }
  }

  protected copy(secret: string): void {
    this.copied.set(this.clipboard.copy(secret));
  }

  protected done(): void {
    this.ref.close(this.created() ?? undefined);
  }
}
