import {
  afterNextRender,
  ChangeDetectionStrategy,
  Component,
  computed,
  ElementRef,
  inject,
  Injector,
  input,
  signal,
  viewChild,
} from '@angular/core';
import { FormControl, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import type { SettingResponse } from '../../api/models';
import { fieldErrors, problemMessage } from '../../core/http/problem';
import { AlertComponent } from '../../shared/alert.component';
import { ChipsInputComponent } from '../../shared/chips-input.component';
import { integer, validationMessage } from '../../shared/forms';
import { exactTime, RelativeTimePipe } from '../../shared/relative-time.pipe';
import { settingKind, SettingsService } from './settings.service';

/** One setting: its meaning, default and current value, and (for admins) an editor for it. */
@Component({
  selector: 'sb-setting-row',
  imports: [
    ReactiveFormsModule,
    MatButtonModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatSelectModule,
    MatSlideToggleModule,
    AlertComponent,
    ChipsInputComponent,
    RelativeTimePipe,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '[attr.data-testid]': '"setting-" + setting().key' },
  templateUrl: './setting-row.component.html',
  styleUrl: './setting-row.component.scss',
})
export class SettingRowComponent {
  protected readonly service = inject(SettingsService);
  private readonly injector = inject(Injector);
  private readonly editButton = viewChild<string, ElementRef<HTMLButtonElement>>('editButton', { read: ElementRef });
  private readonly editor = viewChild<string, ElementRef<HTMLFormElement>>('editor', { read: ElementRef });

  readonly setting = input.required<SettingResponse>();
  readonly readOnly = input(false);

  protected readonly kind = computed(() => settingKind(this.setting()));
  protected readonly editing = signal(false);
  protected readonly saving = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly exactTime = exactTime;
  protected readonly message = validationMessage;

  protected readonly flag = new FormControl(false, { nonNullable: true });
  protected readonly number = new FormControl<number | null>(null, [Validators.required, integer]);
  protected readonly list = new FormControl<string[]>([], { nonNullable: true });
  protected readonly json = new FormControl('', { nonNullable: true, validators: Validators.required });
  protected readonly model = new FormControl<string | null>(null);

  /** The models an admin may choose: active ones (the API refuses others). */
  protected readonly activeModels = computed(() => this.service.generationModels().filter((m) => m.status === 'active'));

  protected show(value: unknown): string {
    if (this.kind() === 'model') {
      if (value === null) return 'None';
      return this.service.generationModels().find((m) => m.id === value)?.display_name ?? 'A model no longer listed';
    }
    if (Array.isArray(value)) return value.length ? value.join(', ') : 'None';
    if (typeof value === 'boolean') return value ? 'On' : 'Off';
    if (typeof value === 'number') return value.toLocaleString('en');
    return JSON.stringify(value);
  }

  protected edit(): void {
    this.load(this.setting().value);
    this.error.set(null);
    this.editing.set(true);
    // The Edit button leaves with the editor's arrival: keyboard users continue in its field.
    this.focusAfterRender(() => this.editor()?.nativeElement.querySelector<HTMLElement>('input, textarea, button'));
  }

  /** Closes the editor without saving (Cancel, Escape) and gives focus back to the Edit button. */
  protected close(): void {
    this.editing.set(false);
    this.focusAfterRender(() => this.editButton()?.nativeElement);
  }

  /** Fills the editor with the default; it is saved like any other value. */
  protected useDefault(): void {
    this.load(this.setting().default);
  }

  protected async save(event: Event): Promise<void> {
    // A plain form (the editors are single controls): stop the browser's own submission.
    event.preventDefault();
    const control = this.control();
    if (control.invalid) {
      control.markAsTouched();
      return;
    }
    let value: unknown;
    try {
      value = this.kind() === 'json' ? JSON.parse(this.json.value) : control.value;
    } catch {
      this.json.setErrors({ server: 'Enter valid JSON' });
      this.json.markAsTouched();
      return;
    }
    this.saving.set(true);
    this.error.set(null);
    try {
      await this.service.put(this.setting().key, value);
      this.close();
    } catch (error) {
      this.error.set(problemMessage(error));
      // The API names the `value` field (or an item of it, `value.0`).
      const message = Object.entries(fieldErrors(error)).find(([field]) => field === 'value' || field.startsWith('value.'))?.[1];
      if (message) {
        control.setErrors({ server: message });
        control.markAsTouched();
      }
    } finally {
      this.saving.set(false);
    }
  }

  protected control(): FormControl<unknown> {
    return { flag: this.flag, number: this.number, list: this.list, model: this.model, json: this.json }[
      this.kind()
    ] as FormControl<unknown>;
  }

  private focusAfterRender(target: () => HTMLElement | null | undefined): void {
    afterNextRender({ write: () => target()?.focus() }, { injector: this.injector });
  }

  private load(value: unknown): void {
    if (this.kind() === 'flag') this.flag.setValue(value === true);
    else if (this.kind() === 'number') this.number.setValue(typeof value === 'number' ? value : null);
    else if (this.kind() === 'list') this.list.setValue(Array.isArray(value) ? [...(value as string[])] : []);
    else if (this.kind() === 'model') this.model.setValue(typeof value === 'string' ? value : null);
    else this.json.setValue(JSON.stringify(value, null, 2));
  }
}
