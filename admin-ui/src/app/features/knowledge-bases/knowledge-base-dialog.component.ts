import { ChangeDetectionStrategy, Component, computed, inject, resource, signal } from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { NonNullableFormBuilder, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { RouterLink } from '@angular/router';
import { startWith } from 'rxjs';
import type { KnowledgeBaseResponse, ModelResponse } from '../../api/models';
import { hasFieldErrorCode, problemMessage } from '../../core/http/problem';
import { AlertComponent } from '../../shared/alert.component';
import { applyServerErrors, validationMessage } from '../../shared/forms';
import { loadError } from '../../shared/latest';
import { LoadingBarComponent } from '../../shared/loading-bar.component';
import {
  CHUNK_OVERLAP,
  CHUNK_SIZE,
  controlForField,
  embeddingChoice,
  embeddingMessage,
  embeddingModelRule,
  fillFrom,
  knowledgeBaseForm,
  toCreateRequest,
  toUpdateRequest,
} from './knowledge-base-form';
import { dimensionsOf } from './knowledge-base-state';
import { KnowledgeBasesService } from './knowledge-bases.service';

export interface KnowledgeBaseDialogData {
  /** The knowledge base to edit; absent to create one. */
  kb?: KnowledgeBaseResponse;
}

/** Saved, or the admin chose to re-embed onto a model of other dimensions instead. */
export type KnowledgeBaseDialogResult = { saved: KnowledgeBaseResponse; reembedding: boolean } | { reembedOnto: ModelResponse };

interface ModelOption {
  id: string;
  label: string;
  detail: string;
}

/** Create or edit a knowledge base: its models, with the dimension lock explained, and chunking. */
@Component({
  selector: 'sb-knowledge-base-dialog',
  imports: [
    ReactiveFormsModule,
    RouterLink,
    MatButtonModule,
    MatDialogModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatSelectModule,
    AlertComponent,
    LoadingBarComponent,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { 'data-testid': 'knowledge-base-modal' },
  templateUrl: './knowledge-base-dialog.component.html',
  styles: `
    .embedding-row {
      display: grid;
      grid-template-columns: 1fr 170px;
      column-gap: 16px;
    }
    .dimensions input {
      font-variant-numeric: tabular-nums;
    }
    @media (max-width: 599.98px) {
      .embedding-row {
        grid-template-columns: 1fr;
      }
    }
    .option-detail {
      color: var(--mat-sys-on-surface-variant);
    }
    .offer {
      margin: 0 0 8px;
    }
  `,
})
export class KnowledgeBaseDialogComponent {
  private readonly ref = inject(MatDialogRef<KnowledgeBaseDialogComponent, KnowledgeBaseDialogResult>);
  private readonly service = inject(KnowledgeBasesService);
  protected readonly original = inject<KnowledgeBaseDialogData>(MAT_DIALOG_DATA).kb ?? null;

  protected readonly form = knowledgeBaseForm(inject(NonNullableFormBuilder));
  protected readonly c = this.form.controls;
  protected readonly message = validationMessage;
  protected readonly embeddingMessage = embeddingMessage;
  protected readonly chunkSize = CHUNK_SIZE;
  protected readonly chunkOverlap = CHUNK_OVERLAP;

  protected readonly models = resource({
    loader: async () => {
      const [embedding, generation] = await Promise.all([this.service.activeModels('embedding'), this.service.activeModels('generation')]);
      return { embedding, generation };
    },
  });
  protected readonly modelsProblem = loadError(this.models);
  private readonly embeddingModels = computed(() => (this.models.hasValue() ? this.models.value().embedding : []));
  private readonly generationModels = computed(() => (this.models.hasValue() ? this.models.value().generation : []));
  protected readonly noEmbeddingModels = computed(() => this.models.hasValue() && this.embeddingModels().length === 0);

  protected readonly saving = signal(false);
  protected readonly error = signal<string | null>(null);
  /** The API refused the embedding model for its dimensions (a race with a model edit, say). */
  private readonly serverMismatch = signal(false);

  private readonly embeddingId = toSignal(this.c.embedding_model_id.valueChanges.pipe(startWith(this.c.embedding_model_id.value)), {
    requireSync: true,
  });
  private readonly generationId = toSignal(this.c.generation_model_id.valueChanges.pipe(startWith(this.c.generation_model_id.value)), {
    requireSync: true,
  });
  /** The chosen models' names for the closed selects (the options also carry provider and size). */
  protected readonly embeddingName = computed(() => this.embeddingOptions().find((o) => o.id === this.embeddingId())?.label ?? '');
  protected readonly generationName = computed(() => this.generationOptions().find((o) => o.id === this.generationId())?.label ?? '');
  protected readonly choice = computed(() => embeddingChoice(this.original, this.lookup(this.embeddingId())));
  /** Same dimensions, another model: saving starts a re-embed onto it. */
  protected readonly switchTo = computed(() => {
    const choice = this.choice();
    return choice.kind === 'switch' ? choice.model : null;
  });
  /** Other dimensions: it cannot be bound, a re-embed onto it is offered. */
  protected readonly reembedOffer = computed(() => {
    const choice = this.choice();
    return choice.kind === 'mismatch' ? choice.model : this.serverMismatch() ? (this.lookup(this.embeddingId()) ?? null) : null;
  });
  protected readonly offerReason = computed(() => {
    const choice = this.choice();
    const locked = this.original?.dimensions;
    if (choice.kind === 'mismatch' && choice.dimensions !== null) {
      return `${choice.model.display_name} makes ${choice.dimensions}-dimension vectors and this knowledge base holds ${locked}-dimension ones: it cannot be switched in place.`;
    }
    return `${this.reembedOffer()?.display_name} does not make ${locked}-dimension vectors: it cannot be switched in place.`;
  });
  protected readonly dimensions = computed(() => {
    if (this.original) return String(this.original.dimensions);
    const choice = this.choice();
    return choice.kind === 'new' ? (choice.dimensions === null ? 'Not declared' : String(choice.dimensions)) : '—';
  });

  protected readonly embeddingOptions = computed(() =>
    this.options(this.embeddingModels(), this.original?.embedding_model, (m) => {
      const dimensions = dimensionsOf(m);
      return dimensions === null ? 'no dimensions' : `${dimensions} dims`;
    }),
  );
  protected readonly generationOptions = computed(() => this.options(this.generationModels(), this.original?.generation_model, () => ''));

  constructor() {
    if (this.original) fillFrom(this.form, this.original);
    this.c.embedding_model_id.addValidators(embeddingModelRule(this.original, (id) => this.lookup(id)));
    this.c.embedding_model_id.valueChanges.pipe(takeUntilDestroyed()).subscribe(() => this.serverMismatch.set(false));
    this.c.chunk_size.valueChanges
      .pipe(takeUntilDestroyed())
      .subscribe(() => this.c.chunk_overlap.updateValueAndValidity({ emitEvent: false }));
  }

  protected chunkMessage(name: 'chunk_size' | 'chunk_overlap'): string {
    const control = this.c[name];
    const half = control.getError('halfChunk') as { max: number } | null;
    return half ? `At most half a chunk: ${half.max}` : validationMessage(control);
  }

  protected async save(): Promise<void> {
    if (this.saving()) return;
    // The models may have arrived after the value was set: check the lock against them now.
    this.c.embedding_model_id.updateValueAndValidity();
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const reembedding = this.switchTo() !== null;
    this.saving.set(true);
    this.error.set(null);
    try {
      const saved = this.original
        ? await this.service.update(this.original.id, toUpdateRequest(this.form, this.original))
        : await this.service.create(toCreateRequest(this.form));
      this.ref.close({ saved, reembedding });
    } catch (error) {
      this.error.set(problemMessage(error));
      this.serverMismatch.set(hasFieldErrorCode(error, 'embedding_model_id', 'dimension_mismatch'));
      applyServerErrors(this.form, error, (field) => controlForField(this.form, field));
    } finally {
      this.saving.set(false);
    }
  }

  protected offerReembed(model: ModelResponse): void {
    this.ref.close({ reembedOnto: model });
  }

  private lookup(id: string): ModelResponse | undefined {
    return id ? this.embeddingModels().find((m) => m.id === id) : undefined;
  }

  /** The active models, and the bound one even when it is no longer active (it stays selected). */
  private options(models: ModelResponse[], bound: { id: string; name: string } | undefined, detail: (m: ModelResponse) => string) {
    const options: ModelOption[] = models.map((m) => ({
      id: m.id,
      label: m.display_name,
      detail: [m.provider.name, detail(m)].filter(Boolean).join(' · '),
    }));
    if (bound && !options.some((o) => o.id === bound.id))
      options.unshift({ id: bound.id, label: bound.name, detail: 'current, not active' });
    return options;
  }
}
