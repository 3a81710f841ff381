import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../common/actor.js';
import { normaliseDecimal } from '../common/decimal.js';
import { DomainError, validationFailed } from '../common/domain-error.js';
import { Model } from '../models/model.entity.js';
import { ModelsService } from '../models/models.service.js';
import { KIND_SPECS } from '../providers/provider-kinds.js';
import { Provider } from '../providers/provider.entity.js';
import { withDefaultApiVersion } from '../providers/provider-rules.js';
import { ProvidersService } from '../providers/providers.service.js';
import type { ImportPlanItem, ImportPlanResponse } from './dto/litellm.dto.js';
import { type LitellmEntry, parseLitellmYaml, toLitellmYaml } from './litellm-config.js';
import { RegistryCache } from './registry-cache.js';

class DryRunRollback extends Error {
  constructor(readonly plan: ImportPlanResponse) {
    super('dry run');
  }
}

/** LiteLLM proxy config export, and its import: planned and applied by the same code in one transaction. */
@Injectable()
export class LitellmService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cache: RegistryCache,
    private readonly providers: ProvidersService,
    private readonly models: ModelsService,
  ) {}

  async export(): Promise<string> {
    const snapshot = await this.cache.get();
    return toLitellmYaml([...snapshot.models.values()], snapshot.providers);
  }

  /**
   * Applies the config through the same services as the API (validation, defaults, audit). A dry
   * run does exactly that and rolls back, so the plan it shows is the one an apply would make.
   */
  async import(actor: Actor, yaml: string, dryRun: boolean): Promise<ImportPlanResponse> {
    const { entries, errors } = parseLitellmYaml(yaml);
    if (errors.length) throw validationFailed(errors, `The config has ${errors.length} problem${errors.length > 1 ? 's' : ''}`);
    try {
      return await this.models.write(async (manager) => {
        const plan = await this.apply(manager, actor, entries);
        if (dryRun) throw new DryRunRollback({ ...plan, dry_run: true });
        return plan;
      });
    } catch (err) {
      if (err instanceof DryRunRollback) return err.plan;
      throw err;
    }
  }

  private async apply(manager: EntityManager, actor: Actor, entries: LitellmEntry[]): Promise<ImportPlanResponse> {
    const items: ImportPlanItem[] = [];
    const warnings: string[] = [];
    const providerIds = new Map<string, string>();
    for (const entry of entries) {
      const key = entry.providerName.toLowerCase();
      if (providerIds.has(key)) continue;
      providerIds.set(key, await within(entry, () => this.upsertProvider(manager, actor, entry, items, warnings)));
    }
    for (const entry of entries) {
      await within(entry, () => this.upsertModel(manager, actor, entry, providerIds.get(entry.providerName.toLowerCase())!, items));
    }
    return { dry_run: false, items, warnings };
  }

  private async upsertProvider(
    manager: EntityManager,
    actor: Actor,
    e: LitellmEntry,
    items: ImportPlanItem[],
    warnings: string[],
  ): Promise<string> {
    const [existing] = await manager.query(`SELECT id FROM providers WHERE lower(name) = lower($1)`, [e.providerName]);
    if (!existing) {
      const needsKey = KIND_SPECS[e.providerKind].api_key.requirement === 'required';
      const created = await this.providers.create(
        actor,
        {
          name: e.providerName,
          kind: e.providerKind,
          api_base: e.apiBase,
          api_version: e.apiVersion,
          limits: { rpm: e.rpm, tpm: e.tpm },
          status: needsKey ? 'inactive' : 'active',
        },
        manager,
      );
      if (needsKey)
        warnings.push(
          `Provider ${e.providerName} was created inactive: enter its API key (${e.apiKeyEnv ?? 'no key reference'} in the LiteLLM config), then activate it`,
        );
      items.push({ action: 'create', entity: 'provider', name: e.providerName, id: created.id });
      return created.id;
    }
    const provider = (await manager.findOneBy(Provider, { id: existing.id as string }))!;
    if (provider.kind !== e.providerKind) {
      throw validationFailed([
        { field: 'litellm_params.model', message: `provider ${provider.name} is ${provider.kind}, not ${e.providerKind}` },
      ]);
    }
    const fields = [
      ['api_base', provider.apiBase, e.apiBase],
      // A config without api_version means the kind's default, which is what got stored.
      ['api_version', provider.apiVersion, withDefaultApiVersion(provider.kind, e.apiVersion)],
      ['limits.rpm', provider.rpm, e.rpm],
      ['limits.tpm', provider.tpm, e.tpm],
    ]
      .filter(([, a, b]) => (a ?? null) !== (b ?? null))
      .map(([f]) => f as string);
    if (fields.length === 0) {
      items.push({ action: 'unchanged', entity: 'provider', name: provider.name, id: provider.id });
      return provider.id;
    }
    // A stored key is never sent to a host it was not entered for: a new endpoint drops it.
    const dropKey = fields.includes('api_base') && provider.apiKeyCiphertext !== null;
    const needsKey = KIND_SPECS[provider.kind].api_key.requirement === 'required';
    await this.providers.update(
      actor,
      provider.id,
      {
        api_base: e.apiBase,
        api_version: e.apiVersion,
        limits: { rpm: e.rpm, tpm: e.tpm },
        ...(dropKey ? { api_key: null, ...(needsKey ? { status: 'inactive' as const } : {}) } : {}),
      },
      manager,
    );
    items.push({ action: 'update', entity: 'provider', name: provider.name, id: provider.id, fields });
    if (dropKey)
      warnings.push(`Provider ${provider.name} has a new endpoint, so its stored key was removed: enter the key for the new endpoint`);
    return provider.id;
  }

  private async upsertModel(
    manager: EntityManager,
    actor: Actor,
    e: LitellmEntry,
    providerId: string,
    items: ImportPlanItem[],
  ): Promise<void> {
    const [existing] = await manager.query(`SELECT id FROM models WHERE lower(display_name) = lower($1)`, [e.displayName]);
    if (!existing) {
      const created = await this.models.create(
        actor,
        {
          provider_id: providerId,
          display_name: e.displayName,
          model_id: e.modelId,
          type: e.type,
          params: e.params,
          pricing: e.pricing,
          capabilities: e.capabilities,
        },
        manager,
      );
      items.push({ action: 'create', entity: 'model', name: e.displayName, id: created.id });
      return;
    }
    const model = (await manager.findOneBy(Model, { id: existing.id as string }))!;
    if (model.providerId !== providerId || model.type !== e.type) {
      throw validationFailed([
        { field: 'model_name', message: `${model.displayName} exists as a ${model.type} model of another provider; rename one of them` },
      ]);
    }
    const samePrice =
      normaliseDecimal(model.inputPricePerMillion) === (e.pricing?.input_per_million ?? null) &&
      normaliseDecimal(model.outputPricePerMillion) === (e.pricing?.output_per_million ?? null);
    const fields = [
      model.modelId !== e.modelId && 'model_id',
      JSON.stringify(sorted(model.params)) !== JSON.stringify(sorted(e.params)) && 'params',
      !samePrice && 'pricing',
      JSON.stringify([...model.capabilities].sort()) !== JSON.stringify([...e.capabilities].sort()) && 'capabilities',
      model.status !== 'active' && 'status',
    ].filter((f): f is string => Boolean(f));
    if (fields.length === 0) {
      items.push({ action: 'unchanged', entity: 'model', name: model.displayName, id: model.id });
      return;
    }
    await this.models.update(
      actor,
      model.id,
      { model_id: e.modelId, params: e.params, pricing: e.pricing, capabilities: e.capabilities, status: 'active' },
      manager,
    );
    items.push({ action: 'update', entity: 'model', name: model.displayName, id: model.id, fields });
  }
}

/** Points a service's field errors at the config entry they came from. */
async function within<T>(entry: LitellmEntry, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof DomainError && err.options.errors) {
      const errors = err.options.errors.map((f) => ({ ...f, field: `model_list[${entry.index}].${f.field}` }));
      throw new DomainError(err.kind, err.code, `model_list[${entry.index}] (${entry.displayName}): ${err.message}`, {
        ...err.options,
        errors,
      });
    }
    throw err;
  }
}

const sorted = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
