import { In, type EntityManager } from 'typeorm';
import { DomainError } from '../common/domain-error.js';
import type { ModelType } from '../providers/provider-kinds.js';
import type { BulkAction } from './dto/model.dto.js';
import { Model, type ModelStatus } from './model.entity.js';
import { successorChainReaches } from './model-rules.js';

const TARGET_STATUS: Record<BulkAction, ModelStatus> = { activate: 'active', deactivate: 'inactive', deprecate: 'deprecated' };

export interface Refusal {
  id: string;
  reason: string;
}

export interface StatusChange {
  model: Model;
  before: ModelStatus;
}

export interface DefaultMove {
  type: ModelType;
  from: string | null;
  to: string | null;
}

/**
 * Serialises every change that can move a type's default: a transaction-scoped advisory lock per
 * type, always taken in the same order. The partial unique index on (type) WHERE is_default is
 * the database's own guarantee of "never two" underneath.
 */
export async function lockTypes(manager: EntityManager, types: Iterable<ModelType>): Promise<void> {
  for (const type of [...new Set(types)].sort()) {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('switchboard.models.' || $1))`, [type]);
  }
}

/** Loads models row-locked, after their types are locked, so what is read is what gets changed. */
export async function lockModels(manager: EntityManager, ids: string[]): Promise<Map<string, Model>> {
  const rows = await manager.find(Model, { where: { id: In(ids) }, lock: { mode: 'pessimistic_write' }, order: { id: 'ASC' } });
  return new Map(rows.map((m) => [m.id, m]));
}

export const defaultRequired = (m: Model) => `${m.displayName} is the default ${m.type} model: set another default first`;

/**
 * Applies activate/deactivate/deprecate to models whose types are locked. All or nothing: any
 * refusal throws with every reason. Deprecating the default with a successor hands the default over.
 */
export async function changeStatus(
  manager: EntityManager,
  models: Model[],
  action: BulkAction,
  options: { successor?: Model | null; sunsetAt?: Date | null } = {},
): Promise<{ changes: StatusChange[]; moves: DefaultMove[] }> {
  const target = TARGET_STATUS[action];
  const ids = new Set(models.map((m) => m.id));
  const refusals: Refusal[] = [];
  const successor = options.successor ?? null;
  if (successor) {
    for (const m of models) {
      if (successor.type !== m.type)
        refusals.push({ id: m.id, reason: `the successor ${successor.displayName} is a ${successor.type} model, not ${m.type}` });
    }
    if (successor.status !== 'active' || ids.has(successor.id)) {
      refusals.push({
        id: successor.id,
        reason: `the successor ${successor.displayName} must be an active model that is not being changed`,
      });
    } else if (await successorChainReaches(manager, successor.id, [...ids])) {
      refusals.push({
        id: successor.id,
        reason: `the successor ${successor.displayName} leads back to a model being deprecated; successor links cannot form a cycle`,
      });
    }
  }
  for (const m of models) {
    if (!m.isDefault || target === 'active') continue;
    if (action === 'deprecate' && successor) continue;
    const others = (await manager.query(
      `SELECT count(*)::int AS n FROM models WHERE type = $1 AND status = 'active' AND NOT (id = ANY($2))`,
      [m.type, [...ids]],
    )) as { n: number }[];
    if (others[0].n > 0) refusals.push({ id: m.id, reason: defaultRequired(m) });
  }
  if (refusals.length > 0) {
    throw new DomainError('bad_request', 'model.lifecycle_refused', refusals.map((r) => r.reason).join('; '), {
      extensions: { items: refusals },
    });
  }
  const changes: StatusChange[] = [];
  const moves: DefaultMove[] = [];
  const now = new Date();
  for (const m of models) {
    if (m.status === target && !(action === 'deprecate' && (options.sunsetAt !== undefined || successor))) continue;
    const before = m.status;
    const wasDefault = m.isDefault;
    m.status = target;
    if (target !== 'active') m.isDefault = false;
    m.deprecatedAt = target === 'deprecated' ? (before === 'deprecated' ? m.deprecatedAt : now) : null;
    if (action === 'deprecate') {
      if (successor) m.successorId = successor.id;
      if (options.sunsetAt !== undefined) m.sunsetAt = options.sunsetAt;
    }
    m.updatedAt = now;
    await manager.update(
      Model,
      { id: m.id },
      {
        status: m.status,
        isDefault: m.isDefault,
        successorId: m.successorId,
        sunsetAt: m.sunsetAt,
        deprecatedAt: m.deprecatedAt,
        updatedAt: now,
      },
    );
    if (wasDefault && !m.isDefault && successor) {
      await manager.update(Model, { id: successor.id }, { isDefault: true, updatedAt: now });
      successor.isDefault = true;
      moves.push({ type: m.type, from: m.id, to: successor.id });
    } else if (wasDefault && !m.isDefault) {
      moves.push({ type: m.type, from: m.id, to: null });
    }
    changes.push({ model: m, before });
  }
  for (const type of new Set(models.map((m) => m.type))) {
    const elected = await electDefault(manager, type);
    if (elected) moves.push(elected);
  }
  return { changes, moves };
}

/**
 * Invariant 1's repair step: a type with active models but no default gets its earliest active
 * model as default ("the first active model of a type becomes the default").
 */
export async function electDefault(manager: EntityManager, type: ModelType): Promise<DefaultMove | null> {
  const rows = (await manager.query(
    `UPDATE models SET is_default = true, updated_at = now()
      WHERE id = (SELECT id FROM models WHERE type = $1 AND status = 'active' ORDER BY created_at, id LIMIT 1)
        AND NOT EXISTS (SELECT 1 FROM models WHERE type = $1 AND is_default)
      RETURNING id`,
    [type],
  )) as [{ id: string }[], number] | { id: string }[];
  const list = Array.isArray(rows[0]) ? (rows[0] as { id: string }[]) : (rows as { id: string }[]);
  return list.length > 0 ? { type, from: null, to: list[0].id } : null;
}

/** Moves the default of a locked type to an active model. */
export async function moveDefault(manager: EntityManager, target: Model): Promise<DefaultMove | null> {
  if (target.status !== 'active') {
    throw new DomainError(
      'bad_request',
      'model.default_requires_active',
      `${target.displayName} is ${target.status}: only an active model can be the default`,
    );
  }
  if (target.isDefault) return null;
  const [current] = (await manager.query(`SELECT id FROM models WHERE type = $1 AND is_default`, [target.type])) as { id: string }[];
  const now = new Date();
  if (current) await manager.update(Model, { id: current.id }, { isDefault: false, updatedAt: now });
  await manager.update(Model, { id: target.id }, { isDefault: true, updatedAt: now });
  target.isDefault = true;
  target.updatedAt = now;
  return { type: target.type, from: current?.id ?? null, to: target.id };
}
