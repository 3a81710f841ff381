import { ChangeDetectionStrategy, Component, computed, effect, inject, signal, untracked } from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { NonNullableFormBuilder, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import { MatTooltipModule } from '@angular/material/tooltip';
import { map } from 'rxjs';
import type { KindSpecResponse, ProviderResponse, TestResultDto } from '../../api/models';
import { hasFieldErrorCode, problemMessage } from '../../core/http/problem';
import { AlertComponent } from '../../shared/alert.component';
import { applyServerErrors, validationMessage } from '../../shared/forms';
import { LoadingBarComponent } from '../../shared/loading-bar.component';
import { ConnectionState, ConnectionTestComponent } from './connection-test.component';
import {
  applyKindSpec,
  connectionKey,
  controlForField,
  endpointChanged,
  formValueOf,
  headerRow,
  ProbeChoice,
  providerForm,
  toCreateRequest,
  toTestRequest,
  toUpdateRequest,
} from './provider-form';
import { ProvidersService } from './providers.service';

export interface ProviderDialogData {
  /** The provider to edit; absent to add one. */
  provider?: ProviderResponse;
}

/** Add or edit a provider; the fields follow the kind spec from `GET /providers/kinds`. */
@Component({
  selector: 'sb-provider-dialog',
  imports: [
    ReactiveFormsModule,
    MatDialogModule,
    MatButtonModule,
    MatCheckboxModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatSelectModule,
    MatSlideToggleModule,
    MatTooltipModule,
    AlertComponent,
    ConnectionTestComponent,
    LoadingBarComponent,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { 'data-testid': 'provider-modal' },
  templateUrl: './provider-dialog.component.html',
  styleUrl: './provider-dialog.component.scss',
})
export class ProviderDialogComponent {
  private readonly fb = inject(NonNullableFormBuilder);
  private readonly ref = inject(MatDialogRef<ProviderDialogComponent, ProviderResponse>);
  protected readonly service = inject(ProvidersService);
  protected readonly original = inject<ProviderDialogData>(MAT_DIALOG_DATA).provider ?? null;

  protected readonly form = providerForm(this.fb);
  protected readonly c = this.form.controls;
  protected readonly headers = this.c.config.controls.extra_headers;
  protected readonly message = validationMessage;

  protected readonly saving = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly keyVisible = signal(false);
  /** The server asked for the key again because the endpoint changed (422 key_reentry_required). */
  protected readonly keyReentryAsked = signal(false);

  private readonly value = toSignal(this.form.valueChanges.pipe(map(() => this.form.getRawValue())), {
    initialValue: this.form.getRawValue(),
  });
  protected readonly spec = computed<KindSpecResponse | undefined>(() => this.service.kinds().find((s) => s.kind === this.value().kind));
  private readonly active = computed(() => this.value().active);
  protected readonly keyRemoved = computed(() => this.value().remove_api_key);
  /** Editing a provider with a stored key whose endpoint now differs, with no new key typed. */
  protected readonly needsKeyDecision = computed(() => {
    const value = this.value();
    return !!this.original?.has_api_key && !value.api_key && !value.remove_api_key && endpointChanged(value, this.original);
  });

  protected readonly testing = signal(false);
  protected readonly testResult = signal<TestResultDto | null>(null);
  protected readonly testError = signal<string | null>(null);
  /** The connection settings the last test ran with. */
  private readonly testedConnection = signal<string | null>(null);
  private readonly connection = computed(() => connectionKey(this.value()));
  private initialConnection = '';

  /** New providers, and edits of the endpoint, key or options, are saved after a passed test. */
  protected readonly connectionChanged = computed(() => this.original === null || this.connection() !== this.initialConnection);
  protected readonly testPassed = computed(() => this.testResult()?.ok === true && this.testedConnection() === this.connection());
  protected readonly canSave = computed(() => !this.connectionChanged() || this.testPassed());
  protected readonly connectionState = computed<ConnectionState>(() => {
    if (this.testing()) return 'running';
    if (this.testedConnection() !== null && this.testedConnection() !== this.connection()) return 'stale';
    if (this.testResult()) return this.testResult()!.ok ? 'passed' : 'failed';
    if (this.testError()) return 'failed';
    return this.connectionChanged() ? 'untested' : 'unchanged';
  });

  constructor() {
    if (this.original) {
      this.form.patchValue(formValueOf(this.original));
      for (const [name, value] of Object.entries(this.original.config.extra_headers ?? {})) {
        this.headers.push(headerRow(this.fb, name, value));
      }
      this.c.kind.disable();
    }
    // Re-apply the kind spec when the kind, the status or the list of kinds changes.
    effect(() => {
      const spec = this.spec();
      this.active();
      if (spec) untracked(() => applyKindSpec(this.form, spec, this.original !== null));
    });
    this.c.kind.valueChanges.pipe(takeUntilDestroyed()).subscribe((kind) => {
      // A new provider starts with the kind's API version (Azure's current GA version).
      const version = this.service.kindSpec(kind)?.api_version.default;
      if (version && !this.c.api_version.value) this.c.api_version.setValue(version);
    });
    this.c.keep_api_key.valueChanges.pipe(takeUntilDestroyed()).subscribe(() => this.c.api_key.updateValueAndValidity());
    this.initialConnection = connectionKey(this.form.getRawValue());
  }

  protected removeKey(remove: boolean): void {
    this.c.remove_api_key.setValue(remove);
    this.c.api_key.setValue('');
    if (remove) this.c.api_key.disable();
    else this.c.api_key.enable();
  }

  protected addHeader(): void {
    this.headers.push(headerRow(this.fb));
  }

  protected removeHeader(index: number): void {
    this.headers.removeAt(index);
  }

  /** Enter in a field: save once the connection passed its test, else test it first. */
  protected submit(): void {
    if (this.canSave()) void this.save();
    else void this.test(null);
  }

  protected async test(probe: ProbeChoice | null): Promise<void> {
    const spec = this.spec();
    if (this.testing() || !spec) return;
    const fields = [this.c.api_base, this.c.api_version, this.c.config];
    if (fields.some((control) => control.invalid)) {
      fields.forEach((control) => control.markAllAsTouched());
      return;
    }
    const value = this.form.getRawValue();
    this.testing.set(true);
    this.testError.set(null);
    try {
      this.testResult.set(await this.service.testSettings(toTestRequest(value, spec, this.original, probe)));
      this.testedConnection.set(connectionKey(value));
    } catch (error) {
      this.testResult.set(null);
      this.testedConnection.set(null);
      this.testError.set(problemMessage(error));
      applyServerErrors(this.form, error, (field) => controlForField(this.form, field));
    } finally {
      this.testing.set(false);
    }
  }

  /** `untested`: the admin chose to save without a passed test. */
  protected async save(untested = false): Promise<void> {
    const spec = this.spec();
    if (this.saving() || !spec || (!untested && !this.canSave())) return;
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    this.saving.set(true);
    this.error.set(null);
    try {
      const value = this.form.getRawValue();
      const saved = this.original
        ? await this.service.update(this.original.id, toUpdateRequest(value, this.original, spec))
        : await this.service.create(toCreateRequest(value, spec));
      this.ref.close(saved);
    } catch (error) {
      this.error.set(problemMessage(error));
      applyServerErrors(this.form, error, (field) => controlForField(this.form, field));
      const reentry = hasFieldErrorCode(error, 'api_key', 'key_reentry_required');
      this.keyReentryAsked.set(reentry);
      // The API's wording names its request member (keep_api_key); say it in the form's terms.
      if (reentry) this.c.api_key.setErrors({ server: 'The endpoint changed: enter the key again, or keep the stored key below.' });
    } finally {
      this.saving.set(false);
    }
  }
}
