import { AbstractControl, NonNullableFormBuilder, ValidatorFn, Validators } from '@angular/forms';
import type { CreateKnowledgeBaseRequest, KnowledgeBaseResponse, ModelResponse, UpdateKnowledgeBaseRequest } from '../../api/models';
import { integer, numberOrNull } from '../../shared/forms';
import { dimensionsOf } from './knowledge-base-state';

export const CHUNK_SIZE = { min: 64, max: 4096, default: 400 } as const;
export const CHUNK_OVERLAP = { min: 0, max: 2048, default: 50 } as const;

/** Overlap repeats tokens between neighbouring chunks: at most half of a chunk (the API's rule). */
const atMostHalfAChunk: ValidatorFn = (control) => {
  const overlap = numberOrNull(control.value);
  const size = numberOrNull(control.parent?.get('chunk_size')?.value);
  return overlap !== null && size !== null && overlap * 2 > size ? { halfChunk: { max: Math.floor(size / 2) } } : null;
};

export function knowledgeBaseForm(fb: NonNullableFormBuilder) {
  return fb.group({
    name: ['', [Validators.required, Validators.maxLength(100)]],
    description: ['', Validators.maxLength(1000)],
    embedding_model_id: ['', Validators.required],
    generation_model_id: ['', Validators.required],
    chunk_size: fb.control<number | null>(CHUNK_SIZE.default, [
      Validators.required,
      Validators.min(CHUNK_SIZE.min),
      Validators.max(CHUNK_SIZE.max),
      integer,
    ]),
    chunk_overlap: fb.control<number | null>(CHUNK_OVERLAP.default, [
      Validators.required,
      Validators.min(CHUNK_OVERLAP.min),
      Validators.max(CHUNK_OVERLAP.max),
      integer,
      atMostHalfAChunk,
    ]),
  });
}

export type KnowledgeBaseForm = ReturnType<typeof knowledgeBaseForm>;

/**
 * What choosing an embedding model means. New: the knowledge base takes its dimensions. Editing:
 * the same dimensions start a re-embed onto it; other dimensions cannot be bound (the API refuses
 * with `dimension_mismatch`), so a re-embed, which builds an index of any size, is offered instead.
 */
export type EmbeddingChoice =
  | { kind: 'none' }
  | { kind: 'new'; model: ModelResponse; dimensions: number | null }
  | { kind: 'unchanged' }
  | { kind: 'switch'; model: ModelResponse; dimensions: number }
  | { kind: 'mismatch'; model: ModelResponse; dimensions: number | null; locked: number };

export function embeddingChoice(kb: KnowledgeBaseResponse | null, model: ModelResponse | undefined): EmbeddingChoice {
  if (kb && (!model || model.id === kb.embedding_model.id)) return { kind: 'unchanged' };
  if (!model) return { kind: 'none' };
  const dimensions = dimensionsOf(model);
  if (!kb) return { kind: 'new', model, dimensions };
  return dimensions === kb.dimensions
    ? { kind: 'switch', model, dimensions }
    : { kind: 'mismatch', model, dimensions, locked: kb.dimensions };
}

/**
 * The embedding model control's rule: a model must declare its dimensions, and once created a
 * knowledge base only takes a model of its own dimensions. `lookup` finds the chosen model.
 */
export function embeddingModelRule(kb: KnowledgeBaseResponse | null, lookup: (id: string) => ModelResponse | undefined): ValidatorFn {
  return (control) => {
    const choice = embeddingChoice(kb, control.value ? lookup(control.value as string) : undefined);
    if (choice.kind === 'new' && choice.dimensions === null) return { noDimensions: { model: choice.model.display_name } };
    if (choice.kind === 'mismatch') {
      return { dimensionMismatch: { model: choice.model.display_name, dimensions: choice.dimensions, locked: choice.locked } };
    }
    return null;
  };
}

/** The words for the embedding control's own errors. */
export function embeddingMessage(control: AbstractControl): string {
  const mismatch = control.getError('dimensionMismatch') as { model: string; dimensions: number | null; locked: number } | null;
  if (mismatch) {
    const size = mismatch.dimensions === null ? 'No dimensions declared' : `${mismatch.dimensions} dimensions`;
    return `${size}; this knowledge base keeps ${mismatch.locked}`;
  }
  const none = control.getError('noDimensions') as { model: string } | null;
  if (none) return `${none.model} declares no dimensions: set them on the Models page first`;
  return '';
}

/** Fills the form from a stored knowledge base (editing). */
export function fillFrom(form: KnowledgeBaseForm, kb: KnowledgeBaseResponse): void {
  form.patchValue({
    name: kb.name,
    description: kb.description ?? '',
    embedding_model_id: kb.embedding_model.id,
    generation_model_id: kb.generation_model.id,
    chunk_size: kb.chunk_size,
    chunk_overlap: kb.chunk_overlap,
  });
}

export function toCreateRequest(form: KnowledgeBaseForm): CreateKnowledgeBaseRequest {
  const value = form.getRawValue();
  return {
    name: value.name.trim(),
    description: value.description.trim() || null,
    embedding_model_id: value.embedding_model_id,
    generation_model_id: value.generation_model_id,
    chunk_size: numberOrNull(value.chunk_size) ?? CHUNK_SIZE.default,
    chunk_overlap: numberOrNull(value.chunk_overlap) ?? CHUNK_OVERLAP.default,
  };
}

/** Only what changed: an unchanged embedding model must not be sent (it would ask for a re-embed). */
export function toUpdateRequest(form: KnowledgeBaseForm, kb: KnowledgeBaseResponse): UpdateKnowledgeBaseRequest {
  const next = toCreateRequest(form);
  const request: UpdateKnowledgeBaseRequest = {};
  if (next.name !== kb.name) request.name = next.name;
  if ((next.description ?? null) !== (kb.description ?? null)) request.description = next.description ?? null;
  if (next.embedding_model_id !== kb.embedding_model.id) request.embedding_model_id = next.embedding_model_id;
  if (next.generation_model_id !== kb.generation_model.id) request.generation_model_id = next.generation_model_id;
  if (next.chunk_size !== kb.chunk_size) request.chunk_size = next.chunk_size;
  if (next.chunk_overlap !== kb.chunk_overlap) request.chunk_overlap = next.chunk_overlap;
  return request;
}

/** The control an API field path names. */
export function controlForField(form: KnowledgeBaseForm, field: string): AbstractControl | null {
  return form.get(field);
}
