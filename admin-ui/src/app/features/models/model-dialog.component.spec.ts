import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MAT_DIALOG_DATA, MatDialogRef } from '@angular/material/dialog';
import { MatSelectHarness } from '@angular/material/select/testing';
import type { ModelResponse } from '../../api/models';
import { testing } from '../../../testing/harness';
import { aModel, aProvider, KIND_SPECS } from '../../../testing/registry-fixtures';
import { aProblem } from '../../../testing/session-fixtures';
import { ModelDialogComponent } from './model-dialog.component';
import { ModelsService } from './models.service';

const MODELS = '/api/v1/models';
const OPENAI = aProvider({ id: 'openai-1', name: 'OpenAI production', kind: 'openai' });
const ANTHROPIC = aProvider({ id: 'anthropic-1', name: 'Anthropic', kind: 'anthropic' });

describe('ModelDialogComponent', () => {
  let fixture: ComponentFixture<ModelDialogComponent>;
  let http: HttpTestingController;
  let t: ReturnType<typeof testing<ModelDialogComponent>>;
  let closedWith: ModelResponse | undefined;

  async function open(model?: ModelResponse) {
    closedWith = undefined;
    TestBed.configureTestingModule({
      imports: [ModelDialogComponent],
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        ModelsService,
        { provide: MAT_DIALOG_DATA, useValue: { model } },
        { provide: MatDialogRef, useValue: { close: (value: ModelResponse) => (closedWith = value) } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(ModelDialogComponent);
    t = testing(fixture, http);
    (await t.request('/api/v1/providers')).flush([ANTHROPIC, OPENAI]);
    (await t.request('/api/v1/providers/kinds')).flush(KIND_SPECS);
    await fixture.whenStable();
  }

  const select = async (testId: string) =>
    (await TestbedHarnessEnvironment.loader(fixture)).getHarness(MatSelectHarness.with({ selector: `[data-testid="${testId}"]` }));

  afterEach(() => http.verify());

  it('shows the parameters of the chosen type', async () => {
    await open();
    expect(t.text('model-params-title')).toBe('Generation parameters');
    expect(t.byTestId('param-top_p-input')).not.toBeNull();
    expect(t.byTestId('param-dimensions-input')).toBeNull();

    await (await select('model-type-select')).clickOptions({ text: 'Embedding' });
    await t.until(() => expect(t.text('model-params-title')).toBe('Embedding parameters'));
    expect(t.byTestId('param-dimensions-input')).not.toBeNull();
    expect(t.byTestId('param-batch_size-input')).not.toBeNull();
    expect(t.byTestId('param-distance_metric-select')).not.toBeNull();
    expect(t.byTestId('param-top_p-input')).toBeNull();

    await (await select('model-type-select')).clickOptions({ text: 'NER' });
    await t.until(() => expect(t.byTestId('param-entity_types-input')).not.toBeNull());
    expect(t.byTestId('param-dimensions-input')).toBeNull();
  });

  it('explains each out-of-range parameter under its field, and sends nothing', async () => {
    await open();
    await t.type('param-context_window-input', '8000');
    await t.type('param-max_output_tokens-input', '9000');
    await t.type('param-temperature-input', '2.5');
    await t.type('param-top_p-input', '1.2');
    await t.type('param-top_k-input', '0');
    await t.click('save-model-button');

    expect(t.text('param-max_output_tokens-error')).toBe('Exceeds the context window');
    expect(t.text('param-temperature-error')).toBe('At most 2');
    expect(t.text('param-top_p-error')).toBe('At most 1');
    expect(t.text('param-top_k-error')).toBe('At least 1');
    expect(t.allText()).toContain('Choose the provider that serves it');
    http.expectNone(MODELS);
  });

  it('requires the dimensions of an embedding model', async () => {
    await open();
    await (await select('model-type-select')).clickOptions({ text: 'Embedding' });
    await t.click('save-model-button');
    await t.until(() => expect(t.text('param-dimensions-error')).toBe('Enter the dimensions'));
  });

  it('does not offer embeddings from an Anthropic provider', async () => {
    await open();
    await (await select('model-provider-select')).clickOptions({ text: 'Anthropic' });
    const type = await select('model-type-select');
    await type.open();
    const embedding = await type.getOptions({ text: /Embedding/ });
    expect(await embedding[0].isDisabled()).toBe(true);
    expect(await embedding[0].getText()).toBe('Embedding — not served by Anthropic');
    const generation = await type.getOptions({ text: 'Generation' });
    expect(await generation[0].isDisabled()).toBe(false);
  });

  it('with embedding chosen, does not offer providers that cannot serve it', async () => {
    await open();
    await (await select('model-type-select')).clickOptions({ text: 'Embedding' });
    const provider = await select('model-provider-select');
    await provider.open();
    expect(await (await provider.getOptions({ text: 'Anthropic' }))[0].isDisabled()).toBe(true);
  });

  it('creates the model with the parameters of its type, prices as decimals and capabilities', async () => {
    await open();
    await (await select('model-provider-select')).clickOptions({ text: 'OpenAI production' });
    await (await select('model-type-select')).clickOptions({ text: 'Embedding' });
    await t.type('model-name-input', 'text-embedding-3-small');
    await t.type('model-id-input', 'text-embedding-3-small');
    await t.type('param-dimensions-input', '1536');
    await t.type('price-input-input', '0.02');
    await t.type('price-output-input', '0');
    await t.click('save-model-button');

    const create = await t.request(MODELS, 'POST');
    expect(create.request.body).toEqual({
      provider_id: 'openai-1',
      type: 'embedding',
      display_name: 'text-embedding-3-small',
      model_id: 'text-embedding-3-small',
      status: 'active',
      params: { dimensions: 1536, normalize: false },
      pricing: { input_per_million: '0.02', output_per_million: '0' },
      capabilities: [],
      description: null,
    });
    const created = aModel({ type: 'embedding', display_name: 'text-embedding-3-small' });
    create.flush(created);
    await t.until(() => expect(closedWith).toEqual(created));
  });

  it('binds the inputs to the chosen type after a switch, even where types share a parameter name', async () => {
    await open();
    await t.type('param-context_window-input', '1000');
    await (await select('model-provider-select')).clickOptions({ text: 'OpenAI production' });
    await (await select('model-type-select')).clickOptions({ text: 'NER' });
    await t.until(() => expect(t.text('model-params-title')).toBe('NER parameters'));
    expect(t.byTestId<HTMLInputElement>('param-context_window-input')?.disabled).toBe(false);
    await t.type('param-context_window-input', '4096');
    await t.type('model-name-input', 'gliner');
    await t.type('model-id-input', 'gliner-multi');
    await t.click('save-model-button');
    const create = await t.request(MODELS, 'POST');
    expect(create.request.body).toMatchObject({ type: 'ner', params: { context_window: 4096 } });
    create.flush(aModel({ type: 'ner' }));
  });

  it('asks for both prices or neither', async () => {
    await open();
    await t.type('price-input-input', '0.15');
    await t.click('save-model-button');
    expect(t.allText()).toContain('Enter both prices, or neither');
  });

  it('puts the 422 field errors of the API under the matching parameter', async () => {
    const stored = aModel({ id: 'm-1' });
    await open(stored);
    expect(t.byTestId<HTMLInputElement>('param-context_window-input')?.value).toBe('128000');
    await t.type('param-temperature-input', '1.9');
    await t.click('save-model-button');

    const update = await t.request(`${MODELS}/m-1`, 'PATCH');
    expect(update.request.body).not.toHaveProperty('status');
    expect(update.request.body.params).toEqual({ context_window: 128000, max_output_tokens: 4096, temperature: 1.9 });
    update.flush(
      aProblem(422, 'The request has 1 invalid field: params.temperature', [
        { field: 'params.temperature', message: 'temperature is too hot for this model' },
      ]),
      { status: 422, statusText: 'Unprocessable Content' },
    );
    await t.until(() => expect(t.text('param-temperature-error')).toBe('temperature is too hot for this model'));
    expect(t.text('model-form-error')).toContain('The request has 1 invalid field: params.temperature');
    expect(closedWith).toBeUndefined();
  });
});
