import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MAT_DIALOG_DATA, MatDialogRef } from '@angular/material/dialog';
import { MatSelectHarness } from '@angular/material/select/testing';
import type { KnowledgeBaseResponse, ModelResponse } from '../../api/models';
import { testing } from '../../../testing/harness';
import { aKnowledgeBase, anEmbeddingModel, KB_ID } from '../../../testing/knowledge-fixtures';
import { aModelPage } from '../../../testing/registry-fixtures';
import { aProblem } from '../../../testing/session-fixtures';
import { KnowledgeBasesService } from './knowledge-bases.service';
import { ReembedDialogComponent } from './reembed-dialog.component';

const MODELS = '/api/v1/models';
const REEMBED = `/api/v1/knowledge-bases/${KB_ID}/reembed`;
const SMALL = anEmbeddingModel('emb-small', 'Small embeddings', 1536);
const NOMIC = anEmbeddingModel('emb-nomic', 'nomic-embed-text', 768);
const NO_DIMS = anEmbeddingModel('emb-odd', 'Unsized embeddings', null);
const KB = aKnowledgeBase({ chunk_count: 42 });

describe('ReembedDialogComponent', () => {
  let fixture: ComponentFixture<ReembedDialogComponent>;
  let http: HttpTestingController;
  let t: ReturnType<typeof testing<ReembedDialogComponent>>;
  let closedWith: KnowledgeBaseResponse | undefined;

  async function open(preselected?: ModelResponse) {
    closedWith = undefined;
    TestBed.configureTestingModule({
      imports: [ReembedDialogComponent],
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        KnowledgeBasesService,
        { provide: MAT_DIALOG_DATA, useValue: { kb: KB, model: preselected } },
        { provide: MatDialogRef, useValue: { close: (value: KnowledgeBaseResponse) => (closedWith = value) } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(ReembedDialogComponent);
    t = testing(fixture, http);
    const models = await t.request(MODELS, 'GET', (p) => p.get('type') === 'embedding' && p.get('status') === 'active');
    models.flush(aModelPage([SMALL, NOMIC, NO_DIMS]));
    await fixture.whenStable();
  }

  afterEach(() => http.verify());

  const target = async () =>
    (await TestbedHarnessEnvironment.loader(fixture)).getHarness(
      MatSelectHarness.with({ selector: '[data-testid="reembed-model-select"]' }),
    );

  it('asks for a target before starting, and offers neither the current model nor one without dimensions', async () => {
    await open();
    await t.click('start-reembed-button');
    expect(t.text('reembed-model-error')).toBe('Choose the model to move to');
    http.expectNone(REEMBED);

    const select = await target();
    await select.open();
    const options = await select.getOptions();
    const labels = await Promise.all(options.map((option) => option.getText()));
    expect(labels).toEqual(['nomic-embed-text · 768 dims', 'Unsized embeddings · no dimensions']);
    expect(await options[1].isDisabled()).toBe(true);
    expect(t.text('reembed-explanation')).toContain('Small embeddings');
    expect(t.text('reembed-explanation')).toContain('42 chunks to embed');
  });

  it('starts the re-embed onto the chosen model and closes with the knowledge base it answers', async () => {
    await open();
    await (await target()).clickOptions({ text: /nomic-embed-text/ });
    const after = () => t.byTestId('reembed-comparison')!.querySelectorAll('dd')[1].textContent?.trim();
    await t.until(() => expect(after()).toBe('nomic-embed-text · 768 dimensions'));
    await t.click('start-reembed-button');

    const start = await t.request(REEMBED, 'POST');
    expect(start.request.body).toEqual({ embedding_model_id: NOMIC.id });
    const answer = aKnowledgeBase({ chunk_count: 42 });
    start.flush(answer, { status: 202, statusText: 'Accepted' });
    await t.until(() => expect(closedWith).toEqual(answer));
  });

  it('starts on the model offered by the edit form without a choice', async () => {
    await open(NOMIC);
    await t.click('start-reembed-button');
    const start = await t.request(REEMBED, 'POST');
    expect(start.request.body).toEqual({ embedding_model_id: NOMIC.id });
    start.flush(KB);
    await t.until(() => expect(closedWith).toEqual(KB));
  });

  it('shows a refused model under the select and stays open', async () => {
    await open(NOMIC);
    await t.click('start-reembed-button');
    (await t.request(REEMBED, 'POST')).flush(
      aProblem(422, 'The request has 1 invalid field: embedding_model_id', [
        { field: 'embedding_model_id', message: 'nomic-embed-text is not an active embedding model' },
      ]),
      { status: 422, statusText: 'Unprocessable Content' },
    );
    await t.until(() => expect(t.text('reembed-model-error')).toBe('nomic-embed-text is not an active embedding model'));
    expect(t.text('reembed-error')).toContain('1 invalid field');
    expect(closedWith).toBeUndefined();
  });

  it('shows a conflict (another re-embed under way) as the dialog error, not on the field', async () => {
    await open(NOMIC);
    await t.click('start-reembed-button');
    (await t.request(REEMBED, 'POST')).flush(aProblem(409, 'A re-embed onto another model is under way: cancel it first'), {
      status: 409,
      statusText: 'Conflict',
    });
    await t.until(() => expect(t.text('reembed-error')).toContain('A re-embed onto another model is under way'));
    expect(t.byTestId('reembed-model-error')).toBeNull();
  });
});
