import { normaliseDecimal } from '../common/decimal.js';
import { toTestResult } from '../providers/provider.mapper.js';
import type { Provider } from '../providers/provider.entity.js';
import type { ModelResponse } from './dto/model.dto.js';
import type { Model } from './model.entity.js';

export function toModelResponse(m: Model, provider: Pick<Provider, 'id' | 'name' | 'kind'>): ModelResponse {
  return {
    id: m.id,
    provider: { id: provider.id, name: provider.name, kind: provider.kind },
    display_name: m.displayName,
    model_id: m.modelId,
    type: m.type,
    status: m.status,
    is_default: m.isDefault,
    params: m.params ?? {},
    pricing:
      m.inputPricePerMillion !== null && m.outputPricePerMillion !== null
        ? {
            input_per_million: normaliseDecimal(m.inputPricePerMillion)!,
            output_per_million: normaliseDecimal(m.outputPricePerMillion)!,
            currency: 'USD',
          }
        : null,
    capabilities: m.capabilities ?? [],
    description: m.description,
    deprecated_at: m.deprecatedAt ? m.deprecatedAt.toISOString() : null,
    sunset_at: m.sunsetAt ? m.sunsetAt.toISOString() : null,
    successor_id: m.successorId,
    last_test: toTestResult(m.lastTest),
    created_at: m.createdAt.toISOString(),
    updated_at: m.updatedAt.toISOString(),
  };
}

/** What the audit trail records of a model: its response without timestamps and test results. */
export function auditedModel(m: Model): Record<string, unknown> {
  const {
    created_at: _c,
    updated_at: _u,
    last_test: _t,
    provider,
    ...rest
  } = toModelResponse(m, { id: m.providerId, name: '', kind: 'openai' });
  return { ...rest, provider_id: provider.id };
}
