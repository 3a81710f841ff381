import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { AuditService } from '../audit/audit.service.js';
import { diffChanges } from '../audit/audit-changes.js';
import type { Actor } from '../common/actor.js';
import { DomainError, type FieldError, notFound, validationFailed } from '../common/domain-error.js';
import { NotificationHub } from '../database/notifications.js';
import { kindSpec } from '../providers/provider-kinds.js';
import { Provider } from '../providers/provider.entity.js';
import { RegistryCache } from '../registry/registry-cache.js';
import { describeBlockers, DependentsService } from './dependents.service.js';
import type { BulkModelsRequest, CreateModelRequest, DependentsResponse, ModelResponse, UpdateModelRequest } from './dto/model.dto.js';
import { changeStatus, defaultRequired, electDefault, lockModels, lockTypes, moveDefault, type DefaultMove } from './model-lifecycle.js';
import { auditedModel, toModelResponse } from './model.mapper.js';
import { Model } from './model.entity.js';
import { checkParams } from './model-params.js';
import { assertNameFree, checkSuccessor, prices } from './model-rules.js';

/** Registry writes for models; every one commits with its audit event and invalidates the catalogue cache. */
@Injectable()
export class ModelsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly cache: RegistryCache,
    private readonly notifications: NotificationHub,
    private readonly dependents: DependentsService,
  ) {}

  async create(actor: Actor, body: CreateModelRequest, outer?: EntityManager): Promise<ModelResponse> {
    return this.write(async (manager) => {
      const provider = await manager.findOne(Provider, { where: { id: body.provider_id }, lock: { mode: 'pessimistic_read' } });
      const errors: FieldError[] = [];
      if (!provider) errors.push({ field: 'provider_id', message: 'provider_id does not name a provider' });
      else if (!kindSpec(provider.kind).model_types.includes(body.type)) {
        errors.push({
          field: 'type',
          code: 'unsupported_by_kind',
          message: `${kindSpec(provider.kind).label} providers serve no ${body.type} models`,
        });
      }
      errors.push(...checkParams(body.type, body.params ?? {}));
      if (errors.length) throw validationFailed(errors);
      await lockTypes(manager, [body.type]);
      const successor = await checkSuccessor(manager, body.successor_id ?? null, body.type, null);
      await assertNameFree(manager, body.display_name, null);
      const model = manager.create(Model, {
        id: randomUUID(),
        providerId: provider!.id,
        displayName: body.display_name,
        modelId: body.model_id,
        type: body.type,
        status: body.status ?? 'active',
        deprecatedAt: body.status === 'deprecated' ? new Date() : null,
        isDefault: false,
        params: body.params ?? {},
        ...prices(body.pricing ?? null),
        capabilities: [...new Set(body.capabilities ?? [])],
        description: body.description ?? null,
        sunsetAt: body.sunset_at ? new Date(body.sunset_at) : null,
        successorId: successor?.id ?? null,
      });
      await manager.insert(Model, model as QueryDeepPartialEntity<Model>);
      const elected = await electDefault(manager, model.type);
      if (elected?.to === model.id) model.isDefault = true;
      const saved = (await manager.findOneBy(Model, { id: model.id }))!;
      await this.audit.record(manager, actor, {
        action: 'model.created',
        entityType: 'model',
        entityId: saved.id,
        changes: diffChanges(undefined, auditedModel(saved)),
      });
      // The first active model of its type became the default: as visible in the trail as a PUT /default.
      await this.auditMoves(manager, actor, elected ? [elected] : []);
      return toModelResponse(saved, provider!);
    }, outer);
  }

  async update(actor: Actor, id: string, body: UpdateModelRequest, outer?: EntityManager): Promise<ModelResponse> {
    return this.write(async (manager) => {
      const found = await manager.findOneBy(Model, { id });
      if (!found) throw notFound('model', id);
      await lockTypes(manager, [found.type]);
      const model = await this.lockOne(manager, id);
      const before = auditedModel(model);
      if (body.params !== undefined) {
        const errors = checkParams(model.type, body.params);
        if (errors.length) throw validationFailed(errors);
        model.params = body.params;
      }
      if (body.display_name !== undefined && body.display_name !== model.displayName) {
        await assertNameFree(manager, body.display_name, id);
        model.displayName = body.display_name;
      }
      if (body.model_id !== undefined) model.modelId = body.model_id;
      if (body.pricing !== undefined) Object.assign(model, prices(body.pricing));
      if (body.capabilities !== undefined) model.capabilities = [...new Set(body.capabilities)];
      if (body.description !== undefined) model.description = body.description;
      if (body.sunset_at !== undefined) model.sunsetAt = body.sunset_at ? new Date(body.sunset_at) : null;
      if (body.successor_id !== undefined)
        model.successorId = (await checkSuccessor(manager, body.successor_id, model.type, id))?.id ?? null;
      model.updatedAt = new Date();
      await manager.save(model);
      const moves: DefaultMove[] = [];
      if (body.status !== undefined && body.status !== model.status) {
        const action = body.status === 'active' ? 'activate' : body.status === 'inactive' ? 'deactivate' : 'deprecate';
        const successor = action === 'deprecate' && model.successorId ? await manager.findOneBy(Model, { id: model.successorId }) : null;
        if (action === 'deprecate') await this.dependents.assertDeprecatable(manager, [model]);
        moves.push(...(await changeStatus(manager, [model], action, { successor })).moves);
      }
      const after = (await manager.findOneBy(Model, { id }))!;
      await this.audit.record(manager, actor, {
        action: 'model.updated',
        entityType: 'model',
        entityId: id,
        changes: diffChanges(before, auditedModel(after)),
      });
      await this.auditMoves(manager, actor, moves);
      return this.respond(manager, after);
    }, outer);
  }

  async setDefault(actor: Actor, id: string): Promise<ModelResponse> {
    return this.write(async (manager) => {
      const found = await manager.findOneBy(Model, { id });
      if (!found) throw notFound('model', id);
      await lockTypes(manager, [found.type]);
      const model = await this.lockOne(manager, id);
      const move = await moveDefault(manager, model);
      await this.auditMoves(manager, actor, move ? [move] : []);
      return this.respond(manager, (await manager.findOneBy(Model, { id }))!);
    });
  }

  async bulk(actor: Actor, body: BulkModelsRequest): Promise<ModelResponse[]> {
    if ((body.successor_id || body.sunset_at) && body.action !== 'deprecate') {
      throw validationFailed([{ field: body.successor_id ? 'successor_id' : 'sunset_at', message: 'only used with action deprecate' }]);
    }
    const ids = [...new Set(body.ids)];
    return this.write(async (manager) => {
      const found = await manager.getRepository(Model).findBy(ids.map((id) => ({ id })));
      const missing = ids.filter((id) => !found.some((m) => m.id === id));
      if (missing.length) {
        throw new DomainError('not_found', 'model.not_found', `No model with id ${missing.join(', ')}`, {
          extensions: { items: missing.map((id) => ({ id, reason: 'not found' })) },
        });
      }
      const successorType = body.successor_id ? (await manager.findOneBy(Model, { id: body.successor_id }))?.type : undefined;
      await lockTypes(manager, [...found.map((m) => m.type), ...(successorType ? [successorType] : [])]);
      const locked = await lockModels(manager, body.successor_id ? [...ids, body.successor_id] : ids);
      const successor = body.successor_id ? (locked.get(body.successor_id) ?? null) : null;
      if (body.successor_id && !successor)
        throw validationFailed([{ field: 'successor_id', message: 'successor_id does not name a model' }]);
      const models = ids.map((id) => locked.get(id)!);
      const befores = new Map(models.map((m) => [m.id, auditedModel(m)]));
      if (body.action === 'deprecate') await this.dependents.assertDeprecatable(manager, models);
      const { changes, moves } = await changeStatus(manager, models, body.action, {
        successor,
        sunsetAt: body.sunset_at ? new Date(body.sunset_at) : undefined,
      });
      for (const { model } of changes) {
        const after = (await manager.findOneBy(Model, { id: model.id }))!;
        await this.audit.record(manager, actor, {
          action: 'model.updated',
          entityType: 'model',
          entityId: model.id,
          changes: diffChanges(befores.get(model.id), auditedModel(after)),
        });
      }
      await this.auditMoves(manager, actor, moves);
      const fresh = await manager.getRepository(Model).findBy(ids.map((id) => ({ id })));
      return Promise.all(
        ids.map((id) =>
          this.respond(
            manager,
            fresh.find((m) => m.id === id)!,
          ),
        ),
      );
    });
  }

  async remove(actor: Actor, id: string): Promise<void> {
    await this.write(async (manager) => {
      const found = await manager.findOneBy(Model, { id });
      if (!found) throw notFound('model', id);
      await lockTypes(manager, [found.type]);
      const model = await this.lockOne(manager, id);
      await this.deleteLocked(manager, actor, [model], []);
    });
  }

  async dependentsOf(id: string): Promise<DependentsResponse> {
    if (!(await this.dataSource.getRepository(Model).existsBy({ id }))) throw notFound('model', id);
    return this.dependents.forModels(this.dataSource.manager, [id]);
  }

  /**
   * Deletes models whose types and rows are locked, refusing (409) while anything depends on
   * them and (400) while one holds a default another model could take over.
   */
  async deleteLocked(manager: EntityManager, actor: Actor, models: Model[], alsoDeleting: string[]): Promise<void> {
    const ids = models.map((m) => m.id);
    const deps = await this.dependents.forModels(manager, ids, alsoDeleting);
    if (deps.blocks_delete) {
      throw new DomainError('conflict', 'model.in_use', `Cannot delete: in use by ${describeBlockers(deps)}`, {
        extensions: { dependents: deps },
      });
    }
    for (const m of models.filter((x) => x.isDefault)) {
      const [{ n }] = (await manager.query(
        `SELECT count(*)::int AS n FROM models WHERE type = $1 AND status = 'active' AND NOT (id = ANY($2))`,
        [m.type, ids],
      )) as { n: number }[];
      if (n > 0) throw new DomainError('bad_request', 'model.default_required', defaultRequired(m));
    }
    await manager.query(`UPDATE models SET successor_id = NULL WHERE successor_id = ANY($1) AND id = ANY($1)`, [ids]);
    for (const m of models) {
      await manager.delete(Model, { id: m.id });
      await this.audit.record(manager, actor, {
        action: 'model.deleted',
        entityType: 'model',
        entityId: m.id,
        changes: diffChanges(auditedModel(m), undefined),
      });
    }
  }

  /**
   * Runs a registry write in a transaction that also tells every instance to drop its cache.
   * Given an outer transaction's manager (an import applying many changes), joins it instead.
   */
  async write<T>(work: (manager: EntityManager) => Promise<T>, outer?: EntityManager): Promise<T> {
    if (outer) return work(outer);
    try {
      return await this.dataSource.transaction(async (manager) => {
        const result = await work(manager);
        await this.notifications.notify('sb_registry', 'models', manager);
        return result;
      });
    } finally {
      this.cache.invalidate();
    }
  }

  private async auditMoves(manager: EntityManager, actor: Actor, moves: DefaultMove[]): Promise<void> {
    for (const move of moves) {
      if (!move.to && !move.from) continue;
      await this.audit.record(manager, actor, {
        action: 'model.default_changed',
        entityType: 'model',
        entityId: move.to ?? move.from,
        changes: { [`default_${move.type}`]: { before: move.from, after: move.to } },
      });
    }
  }

  /** Locks one model after its type; a concurrent delete between lookup and lock is a 404. */
  private async lockOne(manager: EntityManager, id: string): Promise<Model> {
    const model = (await lockModels(manager, [id])).get(id);
    if (!model) throw notFound('model', id);
    return model;
  }

  private async respond(manager: EntityManager, model: Model): Promise<ModelResponse> {
    const provider = await manager.findOneByOrFail(Provider, { id: model.providerId });
    return toModelResponse(model, provider);
  }
}
