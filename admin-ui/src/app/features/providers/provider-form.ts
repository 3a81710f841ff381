import { AbstractControl, FormControl, FormGroup, NonNullableFormBuilder, Validators } from '@angular/forms';
import type {
  CreateProviderRequest,
  KindSpecResponse,
  ProviderConfigDto,
  ProviderResponse,
  TestProviderSettingsRequest,
  UpdateProviderRequest,
} from '../../api/models';
import { integer, numberOrNull } from '../../shared/forms';
import type { ProviderKind } from './providers.service';

export type ConfigField = KindSpecResponse['config_fields'][number];
export type HeaderRow = FormGroup<{ name: FormControl<string>; value: FormControl<string> }>;

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/;

/** The add/edit provider form; which fields apply is decided by the kind spec (applyKindSpec). */
export function providerForm(fb: NonNullableFormBuilder) {
  const limit = () => fb.control<number | null>(null, [Validators.min(1), integer]);
  return fb.group({
    name: ['', [Validators.required, Validators.maxLength(100)]],
    kind: fb.control<ProviderKind>('openai', Validators.required),
    api_base: [''],
    api_version: [''],
    api_key: [''],
    /** Editing: the stored key goes (sent as null). */
    remove_api_key: [false],
    /** Editing, with a new endpoint: send the stored key there instead of entering it again. */
    keep_api_key: [false],
    config: fb.group({
      timeout_ms: fb.control<number | null>(null, [Validators.min(1000), Validators.max(600_000), integer]),
      organization: [''],
      project: [''],
      extra_headers: fb.array<HeaderRow>([]),
    }),
    limits: fb.group({ max_concurrency: limit(), rpm: limit(), tpm: limit() }),
    active: [true],
  });
}

export type ProviderForm = ReturnType<typeof providerForm>;
export type ProviderFormValue = ReturnType<ProviderForm['getRawValue']>;

export function headerRow(fb: NonNullableFormBuilder, name = '', value = ''): HeaderRow {
  return fb.group({
    name: [name, [Validators.required, Validators.pattern(HEADER_NAME)]],
    value: [value, [Validators.required, Validators.maxLength(1000)]],
  });
}

/** The form as it should start for an existing provider. */
export function formValueOf(provider: ProviderResponse): Parameters<ProviderForm['patchValue']>[0] {
  return {
    name: provider.name,
    kind: provider.kind,
    api_base: provider.api_base ?? '',
    api_version: provider.api_version ?? '',
    api_key: '',
    remove_api_key: false,
    keep_api_key: false,
    config: {
      timeout_ms: provider.config.timeout_ms ?? null,
      organization: provider.config.organization ?? '',
      project: provider.config.project ?? '',
    },
    limits: { ...provider.limits },
    active: provider.status === 'active',
  };
}

/**
 * Turns fields on and off and sets what is required, following the kind spec. An API key the kind
 * requires is needed for a new active provider only: editing keeps the stored one, and an inactive
 * provider may be staged without it.
 */
export function applyKindSpec(form: ProviderForm, spec: KindSpecResponse, editing: boolean): void {
  const c = form.controls;
  setState(c.api_base, spec.api_base.requirement !== 'unused', spec.api_base.requirement === 'required' && !spec.api_base.default);
  setState(c.api_version, spec.api_version.requirement !== 'unused', spec.api_version.requirement === 'required');
  const keyRequired = spec.api_key.requirement === 'required' && !editing && c.active.value;
  setState(c.api_key, spec.api_key.requirement !== 'unused', keyRequired);
  for (const field of ['timeout_ms', 'organization', 'project', 'extra_headers'] as const) {
    setState(c.config.controls[field], spec.config_fields.includes(field), false);
  }
}

function setState(control: AbstractControl, enabled: boolean, required: boolean): void {
  if (enabled) control.enable({ emitEvent: false });
  else control.disable({ emitEvent: false });
  if (required) control.addValidators(Validators.required);
  else control.removeValidators(Validators.required);
  control.updateValueAndValidity({ emitEvent: false });
}

/** Whether the endpoint in the form differs from the stored one (ignoring a trailing slash). */
export function endpointChanged(value: ProviderFormValue, original: ProviderResponse): boolean {
  const normalise = (url: string | null) => (url ?? '').trim().replace(/\/+$/, '').toLowerCase();
  return normalise(value.api_base) !== normalise(original.api_base);
}

export function toCreateRequest(value: ProviderFormValue, spec: KindSpecResponse): CreateProviderRequest {
  const limits = Object.fromEntries(Object.entries(limitsOf(value)).filter(([, limit]) => limit !== null));
  const config = configOf(value, spec);
  return {
    name: value.name.trim(),
    kind: spec.kind,
    ...(spec.api_base.requirement !== 'unused' && value.api_base.trim() ? { api_base: value.api_base.trim() } : {}),
    ...(spec.api_version.requirement !== 'unused' && value.api_version.trim() ? { api_version: value.api_version.trim() } : {}),
    ...(value.api_key ? { api_key: value.api_key } : {}),
    ...(Object.keys(config).length ? { config } : {}),
    ...(Object.keys(limits).length ? { limits } : {}),
    status: value.active ? 'active' : 'inactive',
  };
}

/**
 * What to PATCH: the key only when a new one is typed (or `null` to remove it), the whole config
 * (it replaces the stored one), every limit (null removes one).
 */
export function toUpdateRequest(value: ProviderFormValue, original: ProviderResponse, spec: KindSpecResponse): UpdateProviderRequest {
  const request: UpdateProviderRequest = {
    name: value.name.trim(),
    config: configOf(value, spec),
    limits: limitsOf(value),
    status: value.active ? 'active' : 'inactive',
  };
  if (spec.api_base.requirement !== 'unused') request.api_base = value.api_base.trim() || null;
  if (spec.api_version.requirement !== 'unused') request.api_version = value.api_version.trim() || null;
  if (value.remove_api_key) request.api_key = null;
  else if (value.api_key) request.api_key = value.api_key;
  else if (value.keep_api_key && original.has_api_key && endpointChanged(value, original)) request.keep_api_key = true;
  return request;
}

/** What a connection test may also probe: a model the upstream should serve, and how to call it. */
export interface ProbeChoice {
  model_id: string;
  model_type: NonNullable<TestProviderSettingsRequest['model_type']>;
}

/**
 * The settings a connection depends on, as one string: a passed test stands for these exactly, and
 * any change to them (not to the name, limits or status) asks for a new test before saving.
 */
export function connectionKey(value: ProviderFormValue): string {
  return JSON.stringify([
    value.kind,
    value.api_base.trim(),
    value.api_version.trim(),
    value.api_key,
    value.remove_api_key,
    value.keep_api_key,
    numberOrNull(value.config.timeout_ms),
    value.config.organization.trim(),
    value.config.project.trim(),
    value.config.extra_headers.map((row) => [row.name.trim(), row.value]),
  ]);
}

/**
 * `POST /providers/test` with the unsaved form: a new provider sends its kind and key; an edited one
 * names itself (`provider_id`) and, with no new key typed, asks for its stored key, which the API
 * sends only to the endpoint it was saved for.
 */
export function toTestRequest(
  value: ProviderFormValue,
  spec: KindSpecResponse,
  original: ProviderResponse | null,
  probe: ProbeChoice | null = null,
): TestProviderSettingsRequest {
  const request: TestProviderSettingsRequest = original ? { provider_id: original.id } : { kind: spec.kind };
  if (spec.api_base.requirement !== 'unused') request.api_base = value.api_base.trim() || null;
  if (spec.api_version.requirement !== 'unused') request.api_version = value.api_version.trim() || null;
  if (value.api_key && !value.remove_api_key) request.api_key = value.api_key;
  else if (original?.has_api_key && !value.remove_api_key) request.use_stored_key = true;
  request.config = configOf(value, spec);
  if (probe?.model_id.trim()) {
    request.model_id = probe.model_id.trim();
    request.model_type = probe.model_type;
  }
  return request;
}

function configOf(value: ProviderFormValue, spec: KindSpecResponse): ProviderConfigDto {
  const accepts = (field: ConfigField) => spec.config_fields.includes(field);
  const config: ProviderConfigDto = {};
  const timeout = numberOrNull(value.config.timeout_ms);
  if (accepts('timeout_ms') && timeout !== null) config.timeout_ms = timeout;
  if (accepts('organization') && value.config.organization.trim()) config.organization = value.config.organization.trim();
  if (accepts('project') && value.config.project.trim()) config.project = value.config.project.trim();
  const headers = value.config.extra_headers.filter((row) => row.name.trim());
  if (accepts('extra_headers') && headers.length) {
    config.extra_headers = Object.fromEntries(headers.map((row) => [row.name.trim(), row.value]));
  }
  return config;
}

function limitsOf(value: ProviderFormValue) {
  return {
    max_concurrency: numberOrNull(value.limits.max_concurrency),
    rpm: numberOrNull(value.limits.rpm),
    tpm: numberOrNull(value.limits.tpm),
  };
}

/** The control an API field path names (`limits.rpm`, `config.extra_headers.X-Team`), for 422s. */
export function controlForField(form: ProviderForm, field: string): AbstractControl | null {
  // A test refuses the stored key for a new endpoint: the fix is typing the key.
  if (field === 'use_stored_key') return form.controls.api_key;
  const header = /^config\.extra_headers\.(.+)$/.exec(field);
  if (header) {
    const row = form.controls.config.controls.extra_headers.controls.find(
      (candidate) => candidate.controls.name.value.trim() === header[1],
    );
    return row?.controls.value ?? form.controls.config.controls.extra_headers;
  }
  return form.get(field);
}
