import { normaliseDecimal } from '../common/decimal.js';
import { costUnits, formatUsd } from '../common/money.js';
import type { Model } from '../models/model.entity.js';
import type { RegistrySnapshot } from '../registry/registry-cache.js';
import type { TokenUsage } from '../upstream/upstream.types.js';
import type { CostSnapshot, ModelSnapshot } from './message.entity.js';

/** What a call cost in USD at the model's prices right now, exactly (a decimal string). */
export function totalCostUsd(model: Model, usage: TokenUsage): string {
  return formatUsd(costUnits(usage.inputTokens, model.inputPricePerMillion) + costUnits(usage.outputTokens, model.outputPricePerMillion));
}

/** What the reply cost at the model's prices right now, exactly; kept with the message. */
export function costOfReply(model: Model, usage: TokenUsage): CostSnapshot {
  const input = costUnits(usage.inputTokens, model.inputPricePerMillion);
  const output = costUnits(usage.outputTokens, model.outputPricePerMillion);
  return {
    input_per_million: normaliseDecimal(model.inputPricePerMillion),
    output_per_million: normaliseDecimal(model.outputPricePerMillion),
    input_usd: formatUsd(input),
    output_usd: formatUsd(output),
    total_usd: formatUsd(input + output),
    currency: 'USD',
  };
}

export function snapshotOf(model: Model, snapshot: RegistrySnapshot): ModelSnapshot {
  const provider = snapshot.providers.get(model.providerId);
  return {
    id: model.id,
    display_name: model.displayName,
    model_id: model.modelId,
    provider_id: model.providerId,
    provider_name: provider?.name ?? '',
    provider_kind: provider?.kind ?? '',
  };
}
