import type { CircuitStateName } from '../upstream/provider-policy.js';
import type { ProviderResponse, TestResultDto } from './dto/provider.dto.js';
import { effectiveApiBase } from './provider-rules.js';
import type { Provider, StoredTestResult } from './provider.entity.js';

/** Secrets never leave: the response says whether a key is stored and its last four characters. */
export function toProviderResponse(p: Provider, modelCount: number, circuitState: CircuitStateName = 'closed'): ProviderResponse {
  return {
    id: p.id,
    name: p.name,
    kind: p.kind,
    api_base: p.apiBase,
    effective_api_base: effectiveApiBase(p.kind, p.apiBase),
    api_version: p.apiVersion,
    has_api_key: p.apiKeyCiphertext !== null,
    api_key_last4: p.apiKeyLast4 || null,
    config: p.config ?? {},
    limits: { max_concurrency: p.maxConcurrency, rpm: p.rpm, tpm: p.tpm },
    status: p.status,
    last_test: toTestResult(p.lastTest),
    circuit_state: circuitState,
    model_count: modelCount,
    created_at: p.createdAt.toISOString(),
    updated_at: p.updatedAt.toISOString(),
  };
}

/**
 * What the audit trail records of a provider: the response without volatile members, and the key
 * as `api_key` masked as `****abcd`, or `****` for a key too short to show any of it.
 */
export function auditedProvider(p: Provider): Record<string, unknown> {
  const {
    model_count: _c,
    created_at: _cr,
    updated_at: _u,
    last_test: _t,
    circuit_state: _s,
    effective_api_base: _e,
    api_key_last4: _l,
    ...rest
  } = toProviderResponse(p, 0);
  return { ...rest, api_key: p.apiKeyCiphertext === null ? null : `****${p.apiKeyLast4 ?? ''}` };
}

/** A stored connection test as the API shows it (older rows lack the newer members). */
export function toTestResult(t: StoredTestResult | null): TestResultDto | null {
  if (!t) return null;
  return {
    ok: t.ok,
    tested_at: t.tested_at,
    latency_ms: t.latency_ms,
    failed_stage: t.failed_stage ?? null,
    error_class: t.error_class ?? null,
    upstream_status: t.upstream_status ?? null,
    message: t.message ?? null,
    model_id: t.model_id ?? null,
    stages: (t.stages ?? []).map((s) => ({ stage: s.stage, status: s.status, latency_ms: s.latency_ms, detail: s.detail ?? null })),
  };
}
