import { TestBed } from '@angular/core/testing';
import { NonNullableFormBuilder } from '@angular/forms';
import { aKnowledgeBase, anEmbeddingModel } from '../../../testing/knowledge-fixtures';
import {
  embeddingChoice,
  embeddingMessage,
  embeddingModelRule,
  fillFrom,
  knowledgeBaseForm,
  toCreateRequest,
  toUpdateRequest,
} from './knowledge-base-form';

const SMALL = anEmbeddingModel('emb-small', 'Small embeddings', 1536);
const ADA = anEmbeddingModel('emb-ada', 'Ada embeddings', 1536);
const NOMIC = anEmbeddingModel('emb-nomic', 'nomic-embed-text', 768);
const UNSIZED = anEmbeddingModel('emb-unsized', 'Unsized', null);
const MODELS = [SMALL, ADA, NOMIC, UNSIZED];
const lookup = (id: string) => MODELS.find((m) => m.id === id);

function newForm() {
  return knowledgeBaseForm(TestBed.inject(NonNullableFormBuilder));
}

describe('knowledge base form rules', () => {
  describe('the embedding model and the dimension lock', () => {
    it('takes the dimensions of the model chosen for a new knowledge base', () => {
      expect(embeddingChoice(null, NOMIC)).toEqual({ kind: 'new', model: NOMIC, dimensions: 768 });
      expect(embeddingChoice(null, undefined)).toEqual({ kind: 'none' });
    });

    it('once created: the same model changes nothing, another of the same size is a re-embed, another size is refused', () => {
      const kb = aKnowledgeBase({ embedding_model: { id: SMALL.id, name: SMALL.display_name }, dimensions: 1536 });
      expect(embeddingChoice(kb, SMALL)).toEqual({ kind: 'unchanged' });
      expect(embeddingChoice(kb, ADA)).toEqual({ kind: 'switch', model: ADA, dimensions: 1536 });
      expect(embeddingChoice(kb, NOMIC)).toEqual({ kind: 'mismatch', model: NOMIC, dimensions: 768, locked: 1536 });
    });

    it('marks a model of other dimensions invalid on an existing knowledge base, and says why', () => {
      const kb = aKnowledgeBase({ embedding_model: { id: SMALL.id, name: SMALL.display_name }, dimensions: 1536 });
      const form = newForm();
      fillFrom(form, kb);
      const control = form.controls.embedding_model_id;
      control.addValidators(embeddingModelRule(kb, lookup));

      control.setValue(NOMIC.id);
      expect(control.hasError('dimensionMismatch')).toBe(true);
      expect(embeddingMessage(control)).toBe('768 dimensions; this knowledge base keeps 1536');

      control.setValue(ADA.id);
      expect(control.valid).toBe(true);
      control.setValue(SMALL.id);
      expect(control.valid).toBe(true);
    });

    it('refuses a model that declares no dimensions for a new knowledge base', () => {
      const control = newForm().controls.embedding_model_id;
      control.addValidators(embeddingModelRule(null, lookup));
      control.setValue(UNSIZED.id);
      expect(embeddingMessage(control)).toBe('Unsized declares no dimensions: set them on the Models page first');
      control.setValue(NOMIC.id);
      expect(control.valid).toBe(true);
    });
  });

  it('keeps the overlap at most half a chunk, and checks again when the chunk size changes', () => {
    const form = newForm();
    form.controls.chunk_size.setValue(64);
    form.controls.chunk_overlap.setValue(40);
    expect(form.controls.chunk_overlap.getError('halfChunk')).toEqual({ max: 32 });
    form.controls.chunk_size.setValue(100);
    form.controls.chunk_overlap.updateValueAndValidity();
    expect(form.controls.chunk_overlap.valid).toBe(true);
    form.controls.chunk_size.setValue(32);
    expect(form.controls.chunk_size.hasError('min')).toBe(true);
  });

  it('builds the create request from the form, trimmed, without an empty description', () => {
    const form = newForm();
    form.setValue({
      name: '  HR handbook ',
      description: '  ',
      embedding_model_id: NOMIC.id,
      generation_model_id: 'gen-1',
      chunk_size: 300,
      chunk_overlap: 30,
    });
    expect(toCreateRequest(form)).toEqual({
      name: 'HR handbook',
      description: null,
      embedding_model_id: NOMIC.id,
      generation_model_id: 'gen-1',
      chunk_size: 300,
      chunk_overlap: 30,
    });
  });

  it('sends only what changed when editing: an untouched embedding model is not sent (it would ask for a re-embed)', () => {
    const kb = aKnowledgeBase();
    const form = newForm();
    fillFrom(form, kb);
    expect(toUpdateRequest(form, kb)).toEqual({});

    form.patchValue({ name: 'People handbook', description: '', chunk_overlap: 20 });
    expect(toUpdateRequest(form, kb)).toEqual({ name: 'People handbook', description: null, chunk_overlap: 20 });

    form.patchValue({ embedding_model_id: ADA.id, generation_model_id: 'gen-2' });
    expect(toUpdateRequest(form, kb)).toMatchObject({ embedding_model_id: ADA.id, generation_model_id: 'gen-2' });
  });
});
