import type { EntityManager } from 'typeorm';
import type { FieldError } from '../common/domain-error.js';
import { Model } from '../models/model.entity.js';
import type { ModelType } from '../providers/provider-kinds.js';

export type Checked = { model: Model; error?: undefined } | { model?: undefined; error: FieldError };

/**
 * A model a knowledge base may be bound to: it exists, has the right type, is active and (for
 * embeddings) declares its dimensions. Read under a share lock so a concurrent delete waits.
 */
export async function checkBoundModel(manager: EntityManager, id: string, field: string, type: ModelType): Promise<Checked> {
  const model = await manager.findOne(Model, { where: { id }, lock: { mode: 'pessimistic_read' } });
  const fail = (message: string, code: string): Checked => ({ error: { field, message, code } });
  if (!model) return fail(`${field} does not name a model`, 'not_found');
  if (model.type !== type) return fail(`${model.displayName} is a ${model.type} model; a ${type} model is needed`, 'wrong_type');
  if (model.status !== 'active') return fail(`${model.displayName} is ${model.status}: choose an active model`, 'not_active');
  if (type === 'embedding' && !(dimensionsOf(model) > 0)) return fail(`${model.displayName} declares no dimensions`, 'no_dimensions');
  return { model };
}

export function dimensionsOf(model: Model): number {
  const value = model.params?.['dimensions'];
  return typeof value === 'number' && Number.isInteger(value) ? value : 0;
}
