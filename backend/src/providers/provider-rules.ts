import type { FieldError } from '../common/domain-error.js';
import { CONFIG_FIELDS, kindSpec, type ProviderKind } from './provider-kinds.js';
import type { ProviderConfig } from './provider.entity.js';

const CREDENTIAL_HEADER = /auth|key|token|secret|cookie|password|signature|session/i;
const CREDENTIAL_VALUE = [/^(bearer|basic|token)\s+\S/i, /^(sk|pk|rk|key|api|secret)[-_]/i, /^[A-Za-z0-9+/_=.-]{32,}$/];
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/;

/** Fields of a provider as they will be stored, for checking against its kind's spec. */
export interface ProviderShape {
  kind: ProviderKind;
  apiBase: string | null;
  apiVersion: string | null;
  hasKey: boolean;
  config: ProviderConfig;
  /** An inactive provider may be staged without its key; activating it needs the key. */
  active: boolean;
}

/** Everything the kind spec says about required, optional and unused fields, as field errors. */
export function checkAgainstKind(shape: ProviderShape): FieldError[] {
  const spec = kindSpec(shape.kind);
  const errors: FieldError[] = [];
  const need = (field: string, requirement: string, present: boolean, what: string) => {
    if (requirement === 'required' && !present)
      errors.push({ field, code: 'required_by_kind', message: `${spec.label} providers need ${what}` });
    if (requirement === 'unused' && present)
      errors.push({ field, code: 'unused_by_kind', message: `${field} is not used by ${spec.label} providers` });
  };
  need('api_base', spec.api_base.default ? 'optional' : spec.api_base.requirement, Boolean(shape.apiBase), 'an endpoint (api_base)');
  need('api_version', spec.api_version.requirement, Boolean(shape.apiVersion), 'an api_version');
  need('api_key', shape.active ? spec.api_key.requirement : 'optional', shape.hasKey, 'an API key');
  for (const field of Object.keys(shape.config) as (keyof ProviderConfig)[]) {
    if (shape.config[field] === undefined) continue;
    if (!spec.config_fields.includes(field)) {
      const known = (CONFIG_FIELDS as readonly string[]).includes(field);
      errors.push({
        field: `config.${field}`,
        code: known ? 'unused_by_kind' : 'unknown_field',
        message: known ? `config.${field} is not used by ${spec.label} providers` : `config.${field} is not a known field`,
      });
    }
  }
  errors.push(...checkHeaders(shape.config.extra_headers));
  return errors;
}

function checkHeaders(headers: Record<string, unknown> | undefined): FieldError[] {
  if (!headers) return [];
  const errors: FieldError[] = [];
  const entries = Object.entries(headers);
  if (entries.length > 20) errors.push({ field: 'config.extra_headers', message: 'at most 20 extra headers' });
  for (const [name, value] of entries) {
    const field = `config.extra_headers.${name}`;
    if (!HEADER_NAME.test(name)) errors.push({ field, code: 'invalid_header', message: `${name} is not a valid header name` });
    else if (typeof value !== 'string' || value.length > 1000 || /[\r\n]/.test(value)) {
      errors.push({ field, code: 'invalid_header', message: 'header values must be single-line strings up to 1000 characters' });
    } else if (CREDENTIAL_HEADER.test(name) || CREDENTIAL_VALUE.some((p) => p.test(value))) {
      errors.push({
        field,
        code: 'credential_in_config',
        message: `${name} looks like a credential: put it in api_key, which is stored encrypted`,
      });
    }
  }
  return errors;
}

/** Compares endpoints the way a client would reach them (case of host, trailing slash). */
export function sameEndpoint(a: string | null, b: string | null): boolean {
  const norm = (u: string | null) => {
    if (!u) return '';
    try {
      const url = new URL(u);
      return `${url.protocol}//${url.host.toLowerCase()}${url.pathname.replace(/\/+$/, '')}`;
    } catch {
      return u;
    }
  };
  return norm(a) === norm(b);
}

/** The api_version to store: the one given, else the kind's default where the kind uses one. */
export function withDefaultApiVersion(kind: ProviderKind, apiVersion: string | null | undefined): string | null {
  const spec = kindSpec(kind).api_version;
  return apiVersion ?? (spec.requirement === 'unused' ? null : spec.default);
}

/** Keys shorter than this never show their last four: four of a short key is most of it. */
export const LAST4_MIN_KEY_LENGTH = 12;

/**
 * The last four characters a response and the audit trail may show; empty for a short key (stored
 * as '' rather than null: ck_providers_key_parts wants the column set whenever a key is).
 */
export function visibleLast4(key: string): string {
  return key.length >= LAST4_MIN_KEY_LENGTH ? key.slice(-4) : '';
}

export function effectiveApiBase(kind: ProviderKind, apiBase: string | null): string {
  return apiBase ?? kindSpec(kind).api_base.default ?? '';
}
