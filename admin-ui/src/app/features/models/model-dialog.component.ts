import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { NonNullableFormBuilder, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import { startWith } from 'rxjs';
import type { ModelResponse } from '../../api/models';
import { problemMessage } from '../../core/http/problem';
import { AlertComponent } from '../../shared/alert.component';
import { ChipsInputComponent } from '../../shared/chips-input.component';
import { applyServerErrors, validationMessage } from '../../shared/forms';
import { LoadingBarComponent } from '../../shared/loading-bar.component';
import {
  CAPABILITY_SUGGESTIONS,
  controlForField,
  DISTANCE_METRICS,
  fillFrom,
  modelForm,
  NUMBER_PARAMS,
  NumberParam,
  paramsGroup,
  showParamsOf,
  toCreateRequest,
  toUpdateRequest,
} from './model-form';
import { MODEL_TYPES, ModelsService, ModelType, TYPE_LABELS } from './models.service';

export interface ModelDialogData {
  /** The model to edit; absent to add one. */
  model?: ModelResponse;
}

/** Add or edit a model; the parameters shown (and their ranges) follow the chosen type. */
@Component({
  selector: 'sb-model-dialog',
  imports: [
    ReactiveFormsModule,
    MatButtonModule,
    MatCheckboxModule,
    MatDialogModule,
    MatFormFieldModule,
    MatInputModule,
    MatSelectModule,
    MatSlideToggleModule,
    AlertComponent,
    ChipsInputComponent,
    LoadingBarComponent,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '[attr.data-testid]': 'original ? "edit-model-modal" : "add-model-modal"' },
  templateUrl: './model-dialog.component.html',
  styleUrl: './model-dialog.component.scss',
})
export class ModelDialogComponent {
  private readonly ref = inject(MatDialogRef<ModelDialogComponent, ModelResponse>);
  protected readonly service = inject(ModelsService);
  protected readonly original = inject<ModelDialogData>(MAT_DIALOG_DATA).model ?? null;

  protected readonly form = modelForm(inject(NonNullableFormBuilder));
  protected readonly c = this.form.controls;
  protected readonly types = MODEL_TYPES;
  protected readonly typeLabels = TYPE_LABELS;
  protected readonly numberParams = NUMBER_PARAMS;
  protected readonly metrics = DISTANCE_METRICS;
  protected readonly capabilitySuggestions = CAPABILITY_SUGGESTIONS;
  protected readonly message = validationMessage;

  protected readonly saving = signal(false);
  protected readonly error = signal<string | null>(null);

  protected readonly type = toSignal(this.c.type.valueChanges.pipe(startWith(this.c.type.value)), { requireSync: true });
  private readonly providerId = toSignal(this.c.provider_id.valueChanges.pipe(startWith(this.c.provider_id.value)), { requireSync: true });
  /** Types the chosen provider's kind can serve; the others are disabled in the type select. */
  protected readonly servedTypes = computed(() => (this.providerId() ? this.service.typesServedBy(this.providerId()) : MODEL_TYPES));
  protected readonly kindLabel = computed(() => {
    const provider = this.service.providers().find((candidate) => candidate.id === this.providerId());
    return this.service.kinds().find((spec) => spec.kind === provider?.kind)?.label ?? '';
  });

  constructor() {
    if (this.original) {
      fillFrom(this.form, this.original);
      this.c.provider_id.disable();
      this.c.type.disable();
    }
    showParamsOf(this.form, this.c.type.value);
    this.c.type.valueChanges.pipe(takeUntilDestroyed()).subscribe((type) => showParamsOf(this.form, type));
    this.c.provider_id.valueChanges.pipe(takeUntilDestroyed()).subscribe((id) => {
      // A provider that cannot serve the chosen type moves the form to a type it serves.
      const served = this.service.typesServedBy(id);
      if (!served.includes(this.c.type.value)) this.c.type.setValue(served[0]);
    });
    // max_output_tokens is checked against context_window, and each price against the other.
    for (const type of ['generation', 'ner'] as const) {
      const group = paramsGroup(this.form, type);
      group
        .get('context_window')!
        .valueChanges.pipe(takeUntilDestroyed())
        .subscribe(() => {
          group.get('max_output_tokens')!.updateValueAndValidity({ emitEvent: false });
        });
    }
    const pricing = this.c.pricing.controls;
    pricing.input.valueChanges.pipe(takeUntilDestroyed()).subscribe(() => pricing.output.updateValueAndValidity({ emitEvent: false }));
    pricing.output.valueChanges.pipe(takeUntilDestroyed()).subscribe(() => pricing.input.updateValueAndValidity({ emitEvent: false }));
  }

  protected providerServes(providerId: string, type: ModelType): boolean {
    return this.service.typesServedBy(providerId).includes(type);
  }

  protected paramMessage(param: NumberParam): string {
    return validationMessage(paramsGroup(this.form, this.type()).get(param.name), {
      required: `Enter the ${param.label.toLowerCase()}`,
      withinContext: 'Exceeds the context window',
      min: `At least ${param.min}`,
      max: `At most ${param.max.toLocaleString('en')}`,
    });
  }

  protected async save(): Promise<void> {
    if (this.saving()) return;
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    this.saving.set(true);
    this.error.set(null);
    try {
      const saved = this.original
        ? await this.service.update(this.original.id, toUpdateRequest(this.form))
        : await this.service.create(toCreateRequest(this.form));
      this.ref.close(saved);
    } catch (error) {
      this.error.set(problemMessage(error));
      applyServerErrors(this.form, error, (field) => controlForField(this.form, field));
    } finally {
      this.saving.set(false);
    }
  }
}
