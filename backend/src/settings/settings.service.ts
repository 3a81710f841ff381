import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { diffChanges } from '../audit/audit-changes.js';
import type { Actor } from '../common/actor.js';
import { notFound, validationFailed } from '../common/domain-error.js';
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
        : D
  : never;

const CACHE_TTL_MS = 5_000;

@Injectable()
export class SettingsService {
  private cache: { rows: Map<string, SystemSetting>; loadedAt: number } | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** The effective value (stored or default), read from a short-lived cache. */
  async value<K extends SettingKey>(key: K): Promise<SettingValue<K>> {
    const row = (await this.rows()).get(key);
    return (row ? row.value : SETTINGS[key].default) as SettingValue<K>;
  }

  async list(): Promise<SettingResponse[]> {
    const rows = await this.rows(true);
    return SETTING_KEYS.map((key) => toResponse(key, rows.get(key)));
  }

  async get(key: string): Promise<SettingResponse> {
    const known = assertKnown(key);
    return toResponse(known, (await this.rows(true)).get(known));
  }

  async put(actor: Actor, key: string, value: unknown): Promise<SettingResponse> {
    const known = assertKnown(key);
    const schema: new () => { value: unknown } = SETTINGS[known].schema;
    const checked = plainToInstance(schema, { value });
    const errors = validateSync(checked, { forbidUnknownValues: false });
    if (errors.length > 0) throw validationFailed(toFieldErrors(errors));
    const saved = await this.dataSource.transaction(async (manager) => {
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
    this.cache = undefined;
    return toResponse(known, saved);
  }

  /** Forgets cached values; called when another instance announces a change. */
  invalidate(): void {
    this.cache = undefined;
  }

  private async rows(fresh = false): Promise<Map<string, SystemSetting>> {
    if (!fresh && this.cache && Date.now() - this.cache.loadedAt < CACHE_TTL_MS) return this.cache.rows;
    const rows = await this.dataSource.getRepository(SystemSetting).find();
    this.cache = { rows: new Map(rows.map((r) => [r.key, r])), loadedAt: Date.now() };
    return this.cache.rows;
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
    description: def.description,
    is_set: Boolean(row),
    updated_by: row?.updatedBy ?? null,
    updated_at: row ? row.updatedAt.toISOString() : null,
  };
}
