import type { ProviderResponse } from './dto/provider.dto.js';
import { effectiveApiBase } from './provider-rules.js';
import type { Provider } from './provider.entity.js';

/** Secrets never leave: the response says whether a key is stored and its last four characters. */
export function toProviderResponse(p: Provider, modelCount: number): ProviderResponse {
  return {
    id: p.id,
    name: p.name,
    kind: p.kind,
    api_base: p.apiBase,
    effective_api_base: effectiveApiBase(p.kind, p.apiBase),
    api_version: p.apiVersion,
    has_api_key: p.apiKeyCiphertext !== null,
    api_key_last4: p.apiKeyLast4,
    config: p.config ?? {},
    limits: { max_concurrency: p.maxConcurrency, rpm: p.rpm, tpm: p.tpm },
    status: p.status,
    last_test: p.lastTest
      ? {
          ok: p.lastTest.ok,
          tested_at: p.lastTest.tested_at,
          latency_ms: p.lastTest.latency_ms,
          failed_stage: p.lastTest.failed_stage ?? null,
          error_class: p.lastTest.error_class ?? null,
          message: p.lastTest.message ?? null,
        }
      : null,
    model_count: modelCount,
    created_at: p.createdAt.toISOString(),
    updated_at: p.updatedAt.toISOString(),
  };
}

/**
 * What the audit trail records of a provider: the response without volatile members, and the key
 * as `api_key` so the audit masking shows it as `****abcd`.
 */
export function auditedProvider(p: Provider): Record<string, unknown> {
  const {
    model_count: _c,
    created_at: _cr,
    updated_at: _u,
    last_test: _t,
    effective_api_base: _e,
    api_key_last4: _l,
    ...rest
  } = toProviderResponse(p, 0);
  return { ...rest, api_key: p.apiKeyLast4 ? `****${p.apiKeyLast4}` : null };
}
