import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { NotificationHub } from '../database/notifications.js';
import type { ModelResponse } from '../models/dto/model.dto.js';
import { Model } from '../models/model.entity.js';
import { toModelResponse } from '../models/model.mapper.js';
import { MODEL_TYPES, type ModelType } from '../providers/provider-kinds.js';
import { Provider } from '../providers/provider.entity.js';
import { compareNames } from '../common/collation.js';

/** The whole catalogue in memory: ten thousand models is a few megabytes and a ~50 ms load. */
export interface RegistrySnapshot {
  providers: Map<string, Provider>;
  models: Map<string, Model>;
  /** Models sorted by display name, the default list order. */
  modelsByName: Model[];
  /** The same order, split by type: most catalogue queries filter by type. */
  modelsByType: Record<ModelType, Model[]>;
  /** API responses built once per load, not per request. */
  responses: Map<string, ModelResponse>;
  modelsByLowerName: Map<string, Model>;
  defaults: Record<ModelType, string | null>;
  modelCountByProvider: Map<string, number>;
}

/**
 * Catalogue reads are served from this snapshot. Every registry write invalidates it after
 * commit, here and (through NOTIFY) on every other instance; the next read reloads it.
 */
@Injectable()
export class RegistryCache implements OnModuleInit {
  private snapshot: RegistrySnapshot | undefined;
  private loading: Promise<RegistrySnapshot> | undefined;
  private version = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly notifications: NotificationHub,
  ) {}

  onModuleInit(): void {
    this.notifications.on('sb_registry', () => this.invalidate());
  }

  async get(): Promise<RegistrySnapshot> {
    if (this.snapshot) return this.snapshot;
    this.loading ??= this.load();
    return this.loading;
  }

  invalidate(): void {
    this.version++;
    this.snapshot = undefined;
    this.loading = undefined;
  }

  private async load(): Promise<RegistrySnapshot> {
    const version = this.version;
    try {
      const [providers, models] = await Promise.all([
        this.dataSource.getRepository(Provider).find(),
        this.dataSource.getRepository(Model).find(),
      ]);
      const snapshot = buildSnapshot(providers, models);
      // A write that landed while loading makes this snapshot stale: serve it once, keep none.
      if (version === this.version) this.snapshot = snapshot;
      return snapshot;
    } finally {
      if (version === this.version) this.loading = undefined;
    }
  }
}

function buildSnapshot(providers: Provider[], models: Model[]): RegistrySnapshot {
  const defaults = Object.fromEntries(MODEL_TYPES.map((t) => [t, null])) as Record<ModelType, string | null>;
  const modelCountByProvider = new Map<string, number>();
  for (const m of models) {
    if (m.isDefault) defaults[m.type] = m.id;
    modelCountByProvider.set(m.providerId, (modelCountByProvider.get(m.providerId) ?? 0) + 1);
  }
  const modelsByName = [...models].sort((a, b) => compareNames(a.displayName, b.displayName));
  const providerById = new Map(providers.map((p) => [p.id, p]));
  const modelsByType = Object.fromEntries(MODEL_TYPES.map((t) => [t, modelsByName.filter((m) => m.type === t)])) as Record<
    ModelType,
    Model[]
  >;
  const responses = new Map(models.map((m) => [m.id, toModelResponse(m, providerById.get(m.providerId)!)]));
  return {
    providers: providerById,
    models: new Map(models.map((m) => [m.id, m])),
    modelsByName,
    modelsByType,
    responses,
    modelsByLowerName: new Map(models.map((m) => [m.displayName.toLowerCase(), m])),
    defaults,
    modelCountByProvider,
  };
}
