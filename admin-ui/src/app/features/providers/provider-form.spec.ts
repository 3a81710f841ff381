import { TestBed } from '@angular/core/testing';
import { NonNullableFormBuilder } from '@angular/forms';
import { aProblem } from '../../../testing/session-fixtures';
import { aProvider, kindSpec } from '../../../testing/registry-fixtures';
import { HttpErrorResponse } from '@angular/common/http';
import { applyServerErrors } from '../../shared/forms';
import {
  applyKindSpec,
  connectionKey,
  controlForField,
  formValueOf,
  headerRow,
  ProviderForm,
  providerForm,
  toCreateRequest,
  toTestRequest,
  toUpdateRequest,
} from './provider-form';

describe('the provider form', () => {
  let fb: NonNullableFormBuilder;
  let form: ProviderForm;

  beforeEach(() => {
    fb = TestBed.inject(NonNullableFormBuilder);
    form = providerForm(fb);
  });

  const required = (control: { hasError(code: string): boolean }) => control.hasError('required');

  describe('follows the kind spec', () => {
    it('Ollama needs an endpoint but no key, and takes no API version', () => {
      applyKindSpec(form, kindSpec('ollama'), false);
      expect(required(form.controls.api_base)).toBe(true);
      expect(required(form.controls.api_key)).toBe(false);
      expect(form.controls.api_version.disabled).toBe(true);
    });

    it('OpenAI has a default endpoint, needs a key for an active new provider, and takes organization and project', () => {
      applyKindSpec(form, kindSpec('openai'), false);
      expect(required(form.controls.api_base)).toBe(false);
      expect(required(form.controls.api_key)).toBe(true);
      expect(form.controls.config.controls.organization.enabled).toBe(true);
      expect(form.controls.config.controls.project.enabled).toBe(true);
    });

    it('an inactive provider may be staged without its key, and editing keeps the stored one', () => {
      form.controls.active.setValue(false);
      applyKindSpec(form, kindSpec('openai'), false);
      expect(required(form.controls.api_key)).toBe(false);

      form.controls.active.setValue(true);
      applyKindSpec(form, kindSpec('openai'), true);
      expect(required(form.controls.api_key)).toBe(false);
    });

    it('Azure needs an endpoint and an API version', () => {
      applyKindSpec(form, kindSpec('azure'), false);
      expect(required(form.controls.api_base)).toBe(true);
      expect(required(form.controls.api_version)).toBe(true);
    });

    it('Anthropic accepts neither organization nor project', () => {
      applyKindSpec(form, kindSpec('anthropic'), false);
      expect(form.controls.config.controls.organization.disabled).toBe(true);
      expect(form.controls.config.controls.project.disabled).toBe(true);
      expect(form.controls.config.controls.extra_headers.enabled).toBe(true);
    });
  });

  it('checks limits and timeouts against the ranges the API enforces', () => {
    form.controls.limits.controls.rpm.setValue(0);
    form.controls.limits.controls.tpm.setValue(1.5);
    form.controls.config.controls.timeout_ms.setValue(500);
    expect(form.controls.limits.controls.rpm.hasError('min')).toBe(true);
    expect(form.controls.limits.controls.tpm.hasError('integer')).toBe(true);
    expect(form.controls.config.controls.timeout_ms.hasError('min')).toBe(true);
  });

  it('creates with only what was given, for the fields the kind uses', () => {
    form.patchValue({ name: ' Local ', kind: 'ollama', api_base: 'http://localhost:11434', api_version: 'ignored' });
    form.controls.limits.controls.rpm.setValue(60);
    form.controls.config.controls.extra_headers.push(headerRow(fb, 'X-Team', 'search'));
    form.controls.config.controls.organization.setValue('org-not-for-ollama');

    expect(toCreateRequest(form.getRawValue(), kindSpec('ollama'))).toEqual({
      name: 'Local',
      kind: 'ollama',
      api_base: 'http://localhost:11434',
      config: { extra_headers: { 'X-Team': 'search' } },
      limits: { rpm: 60 },
      status: 'active',
    });
  });

  describe('editing', () => {
    const stored = aProvider({
      kind: 'ollama',
      api_base: 'http://localhost:11434',
      has_api_key: true,
      api_key_last4: 'wxyz',
      limits: { max_concurrency: 4, rpm: null, tpm: null },
    });

    beforeEach(() => form.patchValue(formValueOf(stored)));

    it('keeps the stored key when the key field stays empty, and clears a removed limit with null', () => {
      form.controls.limits.controls.max_concurrency.setValue(null);
      const request = toUpdateRequest(form.getRawValue(), stored, kindSpec('ollama'));
      expect('api_key' in request).toBe(false);
      expect(request.limits).toEqual({ max_concurrency: null, rpm: null, tpm: null });
    });

    it('sends null to remove the key, and the new key when one is typed', () => {
      form.controls.remove_api_key.setValue(true);
      expect(toUpdateRequest(form.getRawValue(), stored, kindSpec('ollama')).api_key).toBeNull();

      form.controls.remove_api_key.setValue(false);
      form.controls.api_key.setValue('new-secret');
      expect(toUpdateRequest(form.getRawValue(), stored, kindSpec('ollama')).api_key).toBe('new-secret');
    });

    it('asks to keep the stored key only when the endpoint changed and the box is ticked', () => {
      form.controls.keep_api_key.setValue(true);
      expect(toUpdateRequest(form.getRawValue(), stored, kindSpec('ollama')).keep_api_key).toBeUndefined();

      form.controls.api_base.setValue('http://gpu-box:11434');
      expect(toUpdateRequest(form.getRawValue(), stored, kindSpec('ollama')).keep_api_key).toBe(true);
    });
  });

  it('puts 422 field errors on the right controls, including an extra header by name', () => {
    form.controls.config.controls.extra_headers.push(headerRow(fb, 'Authorization', 'Bearer x'));
    const error = new HttpErrorResponse({
      status: 422,
      error: aProblem(422, 'The request has 2 invalid fields', [
        { field: 'config.extra_headers.Authorization', message: 'credentials belong in api_key' },
        { field: 'limits.rpm', message: 'rpm must not be less than 1' },
      ]),
    });
    const unplaced = applyServerErrors(form, error, (field) => controlForField(form, field));

    expect(unplaced).toEqual([]);
    expect(form.controls.config.controls.extra_headers.at(0).controls.value.getError('server')).toBe('credentials belong in api_key');
    expect(form.controls.limits.controls.rpm.getError('server')).toBe('rpm must not be less than 1');
  });

  describe('the connection test', () => {
    it("sends a new provider's kind, endpoint and typed key, and the model to probe", () => {
      form.patchValue({ name: 'Prod', kind: 'openai', api_base: ' https://gw.example.com/v1 ', api_key: 'sk-typed' });
      expect(toTestRequest(form.getRawValue(), kindSpec('openai'), null, { model_id: ' gpt-4o-mini ', model_type: 'generation' })).toEqual({
        kind: 'openai',
        api_base: 'https://gw.example.com/v1',
        api_key: 'sk-typed',
        config: {},
        model_id: 'gpt-4o-mini',
        model_type: 'generation',
      });
    });

    it('names an edited provider and asks for its stored key when no new one is typed', () => {
      const stored = aProvider({ id: 'p-1', kind: 'ollama', api_base: 'http://localhost:11434' });
      form.patchValue(formValueOf(stored));
      expect(toTestRequest(form.getRawValue(), kindSpec('ollama'), stored)).toEqual({
        provider_id: 'p-1',
        api_base: 'http://localhost:11434',
        use_stored_key: true,
        config: {},
      });
      form.patchValue({ remove_api_key: true });
      expect(toTestRequest(form.getRawValue(), kindSpec('ollama'), stored).use_stored_key).toBeUndefined();
    });

    it('changes its key with the connection settings only', () => {
      form.patchValue({ name: 'A', kind: 'ollama', api_base: 'http://a:11434' });
      const before = connectionKey(form.getRawValue());
      form.patchValue({ name: 'B', limits: { rpm: 10 }, active: false });
      expect(connectionKey(form.getRawValue())).toBe(before);
      form.controls.config.controls.extra_headers.push(headerRow(fb, 'X-Team', 'search'));
      expect(connectionKey(form.getRawValue())).not.toBe(before);
    });

    it('puts a refused stored key on the key field', () => {
      expect(controlForField(form, 'use_stored_key')).toBe(form.controls.api_key);
    });
  });
});
