import { AbstractControl, FormGroup, NonNullableFormBuilder, ValidatorFn, Validators } from '@angular/forms';
import type { CreateModelRequest, ModelResponse, UpdateModelRequest } from '../../api/models';
import { decimal, integer, numberOrNull } from '../../shared/forms';
import { MODEL_TYPES, ModelType } from './models.service';

/** A numeric parameter of a model type, with the range the API enforces. */
export interface NumberParam {
  name: string;
  label: string;
  min: number;
  max: number;
  integer: boolean;
  required?: boolean;
  hint: string;
}

const contextWindow: NumberParam = {
  name: 'context_window',
  label: 'Context window',
  min: 1,
  max: 10_000_000,
  integer: true,
  hint: 'Tokens',
};
const maxOutput: NumberParam = {
  name: 'max_output_tokens',
  label: 'Max output tokens',
  min: 1,
  max: 10_000_000,
  integer: true,
  hint: 'At most the context window',
};
const temperature: NumberParam = { name: 'temperature', label: 'Temperature', min: 0, max: 2, integer: false, hint: '0–2' };

/** The numeric parameters of each type, in form order (generation: …, embedding: …, ner: …). */
export const NUMBER_PARAMS: Record<ModelType, NumberParam[]> = {
  generation: [
    contextWindow,
    maxOutput,
    temperature,
    { name: 'top_p', label: 'Top P', min: 0, max: 1, integer: false, hint: '0–1' },
    { name: 'top_k', label: 'Top K', min: 1, max: 1000, integer: true, hint: 'At least 1' },
  ],
  embedding: [
    { name: 'dimensions', label: 'Dimensions', min: 1, max: 65_536, integer: true, required: true, hint: 'Length of each vector' },
    { name: 'max_tokens', label: 'Max input tokens', min: 1, max: 10_000_000, integer: true, hint: 'Per input' },
    { name: 'batch_size', label: 'Batch size', min: 1, max: 2048, integer: true, hint: '1–2048 inputs per call' },
  ],
  ner: [contextWindow, maxOutput, temperature],
};

export const DISTANCE_METRICS = ['cosine', 'dot', 'euclidean'] as const;
export type DistanceMetric = (typeof DISTANCE_METRICS)[number];

export const CAPABILITY_SUGGESTIONS = ['streaming', 'tools', 'vision', 'json_mode', 'reasoning'];

/** max_output_tokens must not exceed context_window (the sibling control). */
const withinContext: ValidatorFn = (control) => {
  const context = numberOrNull(control.parent?.get('context_window')?.value);
  const output = numberOrNull(control.value);
  return context !== null && output !== null && output > context ? { withinContext: true } : null;
};

/** Prices come in pairs: one without the other is refused. */
const pairedWith =
  (sibling: 'input' | 'output'): ValidatorFn =>
  (control) =>
    !String(control.value ?? '').trim() && String(control.parent?.get(sibling)?.value ?? '').trim() ? { required: true } : null;

function numberControls(fb: NonNullableFormBuilder, type: ModelType) {
  const controls: Record<string, AbstractControl<number | null>> = {};
  for (const param of NUMBER_PARAMS[type]) {
    const validators = [Validators.min(param.min), Validators.max(param.max)];
    if (param.integer) validators.push(integer);
    if (param.required) validators.push(Validators.required);
    if (param.name === 'max_output_tokens') validators.push(withinContext);
    controls[param.name] = fb.control<number | null>(null, validators);
  }
  return controls;
}

export function modelForm(fb: NonNullableFormBuilder) {
  return fb.group({
    provider_id: ['', Validators.required],
    type: fb.control<ModelType>('generation'),
    display_name: ['', [Validators.required, Validators.maxLength(100)]],
    model_id: ['', [Validators.required, Validators.maxLength(200)]],
    active: [true],
    generation: fb.group(numberControls(fb, 'generation')),
    embedding: fb.group({
      ...numberControls(fb, 'embedding'),
      normalize: fb.control(false),
      distance_metric: fb.control<DistanceMetric | ''>(''),
    }),
    ner: fb.group({ ...numberControls(fb, 'ner'), entity_types: fb.control<string[]>([]) }),
    pricing: fb.group({
      input: ['', [decimal, pairedWith('output')]],
      output: ['', [decimal, pairedWith('input')]],
    }),
    capabilities: fb.control<string[]>([]),
    description: ['', Validators.maxLength(1000)],
  });
}

export type ModelForm = ReturnType<typeof modelForm>;

/** The parameter group of a type, loosely typed: its controls differ by type. */
export function paramsGroup(form: ModelForm, type: ModelType): FormGroup {
  return form.controls[type] as unknown as FormGroup;
}

/** Only the parameter group of the chosen type counts (and is validated). */
export function showParamsOf(form: ModelForm, type: ModelType): void {
  for (const candidate of MODEL_TYPES) {
    const group = form.controls[candidate];
    if (candidate === type) group.enable({ emitEvent: false });
    else group.disable({ emitEvent: false });
  }
}

/** Fills the form from a stored model (editing). */
export function fillFrom(form: ModelForm, model: ModelResponse): void {
  form.patchValue({
    provider_id: model.provider.id,
    type: model.type,
    display_name: model.display_name,
    model_id: model.model_id,
    active: model.status === 'active',
    pricing: { input: model.pricing?.input_per_million ?? '', output: model.pricing?.output_per_million ?? '' },
    capabilities: [...model.capabilities],
    description: model.description ?? '',
  });
  paramsGroup(form, model.type).patchValue(model.params);
}

/** The `params` object of the chosen type: only the values that were given. */
export function paramsOf(form: ModelForm): Record<string, unknown> {
  const type = form.controls.type.value;
  const raw = paramsGroup(form, type).getRawValue() as Record<string, unknown>;
  const params: Record<string, unknown> = {};
  for (const param of NUMBER_PARAMS[type]) {
    const value = numberOrNull(raw[param.name] as number | null);
    if (value !== null) params[param.name] = value;
  }
  if (type === 'embedding') {
    params['normalize'] = raw['normalize'];
    if (raw['distance_metric']) params['distance_metric'] = raw['distance_metric'];
  }
  if (type === 'ner' && (raw['entity_types'] as string[]).length) params['entity_types'] = raw['entity_types'];
  return params;
}

function pricingOf(form: ModelForm): CreateModelRequest['pricing'] {
  const { input, output } = form.controls.pricing.getRawValue();
  // Sent as strings so the decimals arrive exactly as typed.
  return input.trim() && output.trim() ? { input_per_million: input.trim(), output_per_million: output.trim() } : null;
}

export function toCreateRequest(form: ModelForm): CreateModelRequest {
  const value = form.getRawValue();
  return {
    provider_id: value.provider_id,
    type: value.type,
    display_name: value.display_name.trim(),
    model_id: value.model_id.trim(),
    status: value.active ? 'active' : 'inactive',
    params: paramsOf(form),
    pricing: pricingOf(form),
    capabilities: value.capabilities,
    description: value.description.trim() || null,
  };
}

/** Status changes go through their own actions (with their rules and confirmations), not the form. */
export function toUpdateRequest(form: ModelForm): UpdateModelRequest {
  const { status: _status, provider_id: _provider, type: _type, ...rest } = toCreateRequest(form);
  return rest;
}

/** The control an API field path names (`params.temperature`, `pricing.input_per_million`). */
export function controlForField(form: ModelForm, field: string): AbstractControl | null {
  const param = /^params\.(\w+)/.exec(field);
  if (param) return paramsGroup(form, form.controls.type.value).get(param[1]);
  if (field === 'params') return null;
  if (field.startsWith('pricing.input')) return form.controls.pricing.controls.input;
  if (field.startsWith('pricing.output')) return form.controls.pricing.controls.output;
  if (field === 'pricing') return form.controls.pricing.controls.input;
  return form.get(field);
}
