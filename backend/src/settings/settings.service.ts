import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { diffChanges } from '../audit/audit-changes.js';
import type { Actor } from '../common/actor.js';
import { fieldError, notFound, validationFailed } from '../common/domain-error.js';
import { toFieldErrors } from '../common/validation.js';
import type { SettingResponse } from './dto/setting.dto.js';
import { SETTING_KEYS, SETTINGS, type SettingKey } from './settings.registry.js';
import { SystemSetting } from './system-setting.entity.js';

type SettingValue<K extends SettingKey> = (typeof SETTINGS)[K]['default'] extends infer D
  ? D extends readonly unknown[]
    ? string[]
    : D extends boolean
      ? boolean
      : D extends number
        ? number
        : D extends null
          ? string | null
          : D
  : never;

/** A check a setting's value must pass beyond its shape, registered by the module that knows (a model exists…). */
export type SettingCheck = (value: unknown) => Promise<string | undefined>;

const CACHE_TTL_MS = 5_000;

/**
 * The settings as read at one moment. While the cache is fresh every caller gets the same object,
 * so hot paths can keep what they derived from it until it changes (`derived === snapshot`).
 */
export class SettingsSnapshot {
  constructor(
    readonly rows: ReadonlyMap<string, SystemSetting>,
    readonly loadedAt: number,
  ) {}

  /** The effective value (stored or default). */
  value<K extends SettingKey>(key: K): SettingValue<K> {
    const row = this.rows.get(key);
    return (row ? row.value : SETTINGS[key].default) as SettingValue<K>;
  }
}

@Injectable()
export class SettingsService {
  private cache: SettingsSnapshot | undefined;
  /** A reload in progress, shared by every caller that finds the cache stale. */
  private loading: Promise<SettingsSnapshot> | undefined;
  private generation = 0;
  private readonly checks = new Map<SettingKey, SettingCheck>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** The effective value (stored or default), read from a short-lived cache. */
  async value<K extends SettingKey>(key: K): Promise<SettingValue<K>> {
    return (await this.snapshot()).value(key);
  }

  /**
   * Every setting from the short-lived cache: one object until it is reloaded. Not a promise while
   * cached (the gateway reads it on every call); `await` it either way. Past its 5 s the cached
   * snapshot is still handed out while one read refreshes it: callers waiting on that read would
   * all resume at once, and a burst of 500 calls then ran as one long turn of the event loop. A
   * change made here or announced by another instance drops the cache, so it is waited for.
   */
  snapshot(): Promise<SettingsSnapshot> | SettingsSnapshot {
    const cached = this.cache;
    if (!cached) return this.refresh();
    if (Date.now() - cached.loadedAt >= CACHE_TTL_MS) this.refresh().catch(() => undefined);
    return cached;
  }

  /** The one read in progress, started if there is none. */
  private refresh(): Promise<SettingsSnapshot> {
    if (this.loading) return this.loading;
    const loading = this.load().finally(() => {
      if (this.loading === loading) this.loading = undefined;
    });
    this.loading = loading;
    return loading;
  }

  /** Adds a check `put` runs after the value's shape passed; its message is the `value` field's error. */
  registerCheck(key: SettingKey, check: SettingCheck): void {
    this.checks.set(key, check);
  }

  async list(): Promise<SettingResponse[]> {
    const { rows } = await this.load();
    return SETTING_KEYS.map((key) => toResponse(key, rows.get(key)));
  }

  async get(key: string): Promise<SettingResponse> {
    const known = assertKnown(key);
    return toResponse(known, (await this.load()).rows.get(known));
  }

  async put(actor: Actor, key: string, value: unknown): Promise<SettingResponse> {
    const known = assertKnown(key);
    const schema: new () => { value: unknown } = SETTINGS[known].schema;
    const checked = plainToInstance(schema, { value });
    const errors = validateSync(checked, { forbidUnknownValues: false });
    if (errors.length > 0) throw validationFailed(toFieldErrors(errors));
    const refused = await this.checks.get(known)?.(checked.value);
    if (refused) throw fieldError('value', refused);
    const saved = await this.dataSource.transaction(async (manager) => {
      // The model before the setting: the order a model's delete takes them in.
      if (SETTINGS[known].type === 'generation_model' && checked.value !== null) await lockNamedModel(manager, checked.value as string);
      const previous = await manager.findOne(SystemSetting, { where: { key }, lock: { mode: 'pessimistic_write' } });
      const row = manager.create(SystemSetting, { key, value: checked.value, updatedBy: actor.userId, updatedAt: new Date() });
      await manager.save(row);
      await this.audit.record(manager, actor, {
        action: 'setting.updated',
        entityType: 'setting',
        entityId: key,
        changes: diffChanges({ value: previous ? previous.value : SETTINGS[known].default }, { value: row.value }),
      });
      return row;
    });
    this.invalidate();
    return toResponse(known, saved);
  }

  /** Forgets cached values; called when another instance announces a change. */
  invalidate(): void {
    this.generation++;
    this.cache = undefined;
    this.loading = undefined;
  }

  private async load(): Promise<SettingsSnapshot> {
    const generation = this.generation;
    const rows = await this.dataSource.getRepository(SystemSetting).find();
    const snapshot = new SettingsSnapshot(new Map(rows.map((r) => [r.key, r])), Date.now());
    // A change made while this read was under way must not be covered up by it.
    if (generation === this.generation) this.cache = snapshot;
    return snapshot;
  }
}

function assertKnown(key: string): SettingKey {
  if (!(SETTING_KEYS as string[]).includes(key)) throw notFound('setting', key);
  return key as SettingKey;
}

function toResponse(key: SettingKey, row: SystemSetting | undefined): SettingResponse {
  const def = SETTINGS[key];
  return {
    key,
    value: row ? row.value : def.default,
    default: def.default,
    type: def.type,
    description: def.description,
    is_set: Boolean(row),
    updated_by: row?.updatedBy ?? null,
    updated_at: row ? row.updatedAt.toISOString() : null,
  };
}

/**
 * Holds the model a setting is about to name (FOR SHARE) until the setting commits, so a delete of
 * it waits and then sees the setting; one that committed first leaves no row, and the value is refused.
 */
async function lockNamedModel(manager: EntityManager, modelId: string): Promise<void> {
  const rows = (await manager.query(`SELECT 1 FROM models WHERE id = $1 FOR SHARE`, [modelId])) as unknown[];
  if (rows.length === 0) throw fieldError('value', 'value does not name a model');
}
