import type { EntityManager } from 'typeorm';
import { toDecimalString } from '../common/decimal.js';
import { DomainError, validationFailed } from '../common/domain-error.js';
import type { PricingDto } from './dto/model.dto.js';
import { Model } from './model.entity.js';

const nameTaken = (name: string) =>
  new DomainError('conflict', 'model.name_taken', `A model named ${name} already exists`, {
    errors: [{ field: 'display_name', message: 'display_name is already in use' }],
  });

/** Display names are unique regardless of case. */
export async function assertNameFree(manager: EntityManager, name: string, exceptId: string | null): Promise<void> {
  const [row] = (await manager.query(`SELECT id FROM models WHERE lower(display_name) = lower($1)`, [name])) as { id: string }[];
  if (row && row.id !== exceptId) throw nameTaken(name);
}

/**
 * A successor must be another active model of the same type whose own chain of successors does not
 * lead back to this model: successor links never form a cycle, of any length.
 */
export async function checkSuccessor(
  manager: EntityManager,
  successorId: string | null,
  type: Model['type'],
  selfId: string | null,
): Promise<Model | null> {
  if (!successorId) return null;
  const successor = await manager.findOneBy(Model, { id: successorId });
  const reason = !successor
    ? 'successor_id does not name a model'
    : successor.id === selfId
      ? 'a model cannot succeed itself'
      : successor.type !== type
        ? `the successor must be a ${type} model, not ${successor.type}`
        : successor.status !== 'active'
          ? `the successor ${successor.displayName} is ${successor.status}; it must be active`
          : selfId && successor.successorId === selfId
            ? `${successor.displayName} already names this model as its successor`
            : selfId && (await successorChainReaches(manager, successor.id, [selfId]))
              ? `${successor.displayName} leads back to this model through its successors; successor links cannot form a cycle`
              : null;
  if (reason) throw validationFailed([{ field: 'successor_id', message: reason }]);
  return successor;
}

/** Whether following successor links from `startId` reaches one of `targets` (the start included). */
export async function successorChainReaches(manager: EntityManager, startId: string, targets: string[]): Promise<boolean> {
  // UNION (not UNION ALL) stops at a row already seen, so even a corrupt cycle terminates.
  const rows = (await manager.query(
    `WITH RECURSIVE chain (id, successor_id) AS (
       SELECT id, successor_id FROM models WHERE id = $1
       UNION SELECT m.id, m.successor_id FROM models m JOIN chain c ON m.id = c.successor_id
     )
     SELECT 1 FROM chain WHERE id = ANY($2::uuid[]) LIMIT 1`,
    [startId, targets],
  )) as unknown[];
  return rows.length > 0;
}

/** Prices as stored: exact decimal text, or none. */
export function prices(pricing: PricingDto | null): Pick<Model, 'inputPricePerMillion' | 'outputPricePerMillion'> {
  return pricing
    ? {
        inputPricePerMillion: toDecimalString(pricing.input_per_million),
        outputPricePerMillion: toDecimalString(pricing.output_per_million),
      }
    : { inputPricePerMillion: null, outputPricePerMillion: null };
}
