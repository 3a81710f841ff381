import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MAT_DIALOG_DATA, MatDialogRef } from '@angular/material/dialog';
import { MatSelectHarness } from '@angular/material/select/testing';
import { provideRouter } from '@angular/router';
import type { KnowledgeBaseResponse } from '../../api/models';
import { testing } from '../../../testing/harness';
import { aKnowledgeBase, anEmbeddingModel } from '../../../testing/knowledge-fixtures';
import { aModel, aModelPage } from '../../../testing/registry-fixtures';
import { KnowledgeBaseDialogComponent, KnowledgeBaseDialogResult } from './knowledge-base-dialog.component';
import { KnowledgeBasesService } from './knowledge-bases.service';

const MODELS = '/api/v1/models';
const SMALL = anEmbeddingModel('emb-small', 'Small embeddings', 1536);
const ADA = anEmbeddingModel('emb-ada', 'Ada embeddings', 1536);
const NOMIC = anEmbeddingModel('emb-nomic', 'nomic-embed-text', 768);
const CHAT = aModel({ id: 'gen-1', display_name: 'GPT-4o mini' });

describe('KnowledgeBaseDialogComponent', () => {
  let fixture: ComponentFixture<KnowledgeBaseDialogComponent>;
  let http: HttpTestingController;
  let t: ReturnType<typeof testing<KnowledgeBaseDialogComponent>>;
  let closedWith: KnowledgeBaseDialogResult | undefined;

  async function open(kb?: KnowledgeBaseResponse) {
    closedWith = undefined;
    TestBed.configureTestingModule({
      imports: [KnowledgeBaseDialogComponent],
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([]),
        KnowledgeBasesService,
        { provide: MAT_DIALOG_DATA, useValue: { kb } },
        { provide: MatDialogRef, useValue: { close: (value: KnowledgeBaseDialogResult) => (closedWith = value) } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(KnowledgeBaseDialogComponent);
    t = testing(fixture, http);
    (await t.request(MODELS, 'GET', (p) => p.get('type') === 'embedding' && p.get('status') === 'active')).flush(
      aModelPage([SMALL, ADA, NOMIC]),
    );
    (await t.request(MODELS, 'GET', (p) => p.get('type') === 'generation')).flush(aModelPage([CHAT]));
    await fixture.whenStable();
  }

  const select = async (testId: string) =>
    (await TestbedHarnessEnvironment.loader(fixture)).getHarness(MatSelectHarness.with({ selector: `[data-testid="${testId}"]` }));
  const dimensions = () => t.byTestId<HTMLInputElement>('kb-dimensions')!.value;

  afterEach(() => http.verify());

  it('creates a knowledge base whose dimensions follow the embedding model chosen', async () => {
    await open();
    expect(dimensions()).toBe('—');
    expect(t.text('kb-dimensions-hint')).toBe('Fixed once created');
    await (await select('kb-embedding-select')).clickOptions({ text: /nomic-embed-text/ });
    await t.until(() => expect(dimensions()).toBe('768'));
    await (await select('kb-embedding-select')).clickOptions({ text: /Small embeddings/ });
    await t.until(() => expect(dimensions()).toBe('1536'));
    await (await select('kb-generation-select')).clickOptions({ text: /GPT-4o mini/ });
    await t.type('kb-name-input', 'HR handbook');
    await t.click('save-kb-button');

    const created = await t.request('/api/v1/knowledge-bases', 'POST');
    expect(created.request.body).toEqual({
      name: 'HR handbook',
      description: null,
      embedding_model_id: SMALL.id,
      generation_model_id: CHAT.id,
      chunk_size: 400,
      chunk_overlap: 50,
    });
    const kb = aKnowledgeBase();
    created.flush(kb);
    await t.until(() => expect(closedWith).toEqual({ saved: kb, reembedding: false }));
  });

  it('says what is missing instead of sending an incomplete form', async () => {
    await open();
    await t.click('save-kb-button');
    expect(t.text('kb-name-error')).toBe('Give the knowledge base a name');
    expect(t.text('kb-embedding-error')).toBe('Choose the model that embeds documents');
    expect(t.allText()).toContain('Choose the model that answers');
    http.expectNone('/api/v1/knowledge-bases');
  });

  it('locks the dimensions of an existing knowledge base and offers a re-embed for a model of other dimensions', async () => {
    await open(
      aKnowledgeBase({
        embedding_model: { id: SMALL.id, name: SMALL.display_name },
        generation_model: { id: CHAT.id, name: 'GPT-4o mini' },
      }),
    );
    expect(dimensions()).toBe('1536');
    expect(t.text('kb-dimensions-hint')).toBe('Fixed since creation');
    expect(t.byTestId('dimension-lock-warning')).toBeNull();

    await (await select('kb-embedding-select')).clickOptions({ text: /nomic-embed-text/ });
    await t.until(() => expect(t.text('dimension-lock-warning')).toContain('cannot be switched in place'));
    expect(t.text('dimension-lock-warning')).toContain('nomic-embed-text makes 768-dimension vectors');
    await t.click('save-kb-button');
    expect(t.text('kb-embedding-error')).toBe('768 dimensions; this knowledge base keeps 1536');
    http.expectNone((request) => request.method === 'PATCH');

    await t.click('offer-reembed-button');
    expect(closedWith).toEqual({ reembedOnto: NOMIC });
  });

  it('explains that a model of the same dimensions is switched to by a re-embed, and sends only that change', async () => {
    const kb = aKnowledgeBase({
      embedding_model: { id: SMALL.id, name: SMALL.display_name },
      generation_model: { id: CHAT.id, name: 'GPT-4o mini' },
    });
    await open(kb);
    await (await select('kb-embedding-select')).clickOptions({ text: /Ada embeddings/ });
    await t.until(() => expect(t.text('reembed-on-save-notice')).toContain('Saving starts a re-embed onto Ada embeddings'));
    expect(t.text('reembed-on-save-notice')).toContain('keep using Small embeddings until every chunk is embedded');
    await t.click('save-kb-button');
    const patch = await t.request(`/api/v1/knowledge-bases/${kb.id}`, 'PATCH');
    expect(patch.request.body).toEqual({ embedding_model_id: ADA.id });
    patch.flush(kb);
    await t.until(() => expect(closedWith).toEqual({ saved: kb, reembedding: true }));
  });

  it('offers the re-embed when the API refuses the model for its dimensions (dimension_mismatch)', async () => {
    const kb = aKnowledgeBase({
      embedding_model: { id: SMALL.id, name: SMALL.display_name },
      generation_model: { id: CHAT.id, name: 'GPT-4o mini' },
    });
    await open(kb);
    await (await select('kb-embedding-select')).clickOptions({ text: /Ada embeddings/ });
    await t.click('save-kb-button');
    (await t.request(`/api/v1/knowledge-bases/${kb.id}`, 'PATCH')).flush(
      {
        type: 'urn:switchboard:problem:validation_failed',
        title: 'Unprocessable Content',
        status: 422,
        detail: 'The request has 1 invalid field: embedding_model_id',
        code: 'validation_failed',
        request_id: 'r-1',
        errors: [
          {
            field: 'embedding_model_id',
            message: 'Ada embeddings has 3072 dimensions and this knowledge base 1536',
            code: 'dimension_mismatch',
          },
        ],
      },
      { status: 422, statusText: 'Unprocessable Content' },
    );
    await t.until(() => expect(t.byTestId('dimension-lock-warning')).not.toBeNull());
    expect(t.text('kb-embedding-error')).toContain('Ada embeddings has 3072 dimensions and this knowledge base 1536');
    expect(t.text('kb-form-error')).toContain('1 invalid field');
  });
});
