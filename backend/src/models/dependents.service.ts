import { Injectable } from '@nestjs/common';
import { In, type EntityManager } from 'typeorm';
import { DomainError } from '../common/domain-error.js';
import type { ModelType } from '../providers/provider-kinds.js';
import { SETTING_KEYS, SETTINGS } from '../settings/settings.registry.js';
import type { DependentsResponse, NamedRef } from './dto/model.dto.js';
import { Model } from './model.entity.js';

/** Finds what uses a set of models; each dependent module (knowledge bases, conversations) adds one. */
export type DependencyProbe = (manager: EntityManager, modelIds: string[]) => Promise<NamedRef[]>;
export type ProbeKind = 'knowledge_bases' | 'conversations';

/**
 * Everything that would break if models (or a provider's models) went away: bound knowledge
 * bases, conversations, successor links and default slots. Used before deletes and deprecations
 * and shown by the console first.
 */
@Injectable()
export class DependentsService {
  private readonly probes = new Map<ProbeKind, DependencyProbe>();

  register(kind: ProbeKind, probe: DependencyProbe): void {
    this.probes.set(kind, probe);
  }

  /**
   * Knowledge bases are bound to their models, so deprecating one of those is refused too (409);
   * conversations are not: they move to the successor.
   */
  async assertDeprecatable(manager: EntityManager, models: Model[]): Promise<void> {
    const knowledgeBases =
      (await this.probes.get('knowledge_bases')?.(
        manager,
        models.map((m) => m.id),
      )) ?? [];
    if (knowledgeBases.length === 0) return;
    const dependents: DependentsResponse = {
      knowledge_bases: knowledgeBases,
      conversations: [],
      successor_of: [],
      default_for: [],
      models: [],
      settings: [],
      blocks_delete: true,
    };
    throw new DomainError(
      'conflict',
      'model.in_use',
      `Cannot deprecate: in use by ${describeBlockers(dependents)}; bind them to another model first`,
      { extensions: { dependents } },
    );
  }

  async forModels(manager: EntityManager, modelIds: string[], ignoreSuccessorsFrom: string[] = []): Promise<DependentsResponse> {
    const models = modelIds.length > 0 ? await manager.find(Model, { where: { id: In(modelIds) } }) : [];
    const successorOf = modelIds.length
      ? ((await manager.query(
          `SELECT id, display_name AS name FROM models WHERE successor_id = ANY($1) AND NOT (id = ANY($2)) ORDER BY display_name`,
          [modelIds, [...modelIds, ...ignoreSuccessorsFrom]],
        )) as NamedRef[])
      : [];
    const [knowledgeBases, conversations] = await Promise.all(
      (['knowledge_bases', 'conversations'] as const).map((kind) => this.probes.get(kind)?.(manager, modelIds) ?? Promise.resolve([])),
    );
    const settings = await settingsNaming(manager, modelIds);
    const defaultFor = [...new Set(models.filter((m) => m.isDefault).map((m) => m.type))] as ModelType[];
    return {
      knowledge_bases: knowledgeBases,
      conversations,
      successor_of: successorOf,
      default_for: defaultFor,
      models: [],
      settings,
      blocks_delete: knowledgeBases.length + conversations.length + successorOf.length + settings.length > 0,
    };
  }
}

const MODEL_SETTINGS = SETTING_KEYS.filter((key) => SETTINGS[key].type === 'generation_model');

/**
 * The settings that name one of the models. Their rows are locked (FOR SHARE) so that a setting
 * cannot come to name a model while a delete of it commits; `SettingsService.put` locks the model.
 */
async function settingsNaming(manager: EntityManager, modelIds: string[]): Promise<string[]> {
  if (modelIds.length === 0) return [];
  const rows = (await manager.query(
    `SELECT key FROM system_settings WHERE key = ANY($1) AND value #>> '{}' = ANY($2::text[]) ORDER BY key FOR SHARE`,
    [MODEL_SETTINGS, modelIds],
  )) as { key: string }[];
  return rows.map((row) => row.key);
}

/** One line naming what blocks a delete, e.g. "knowledge bases Support, HR; 3 conversations". */
export function describeBlockers(d: DependentsResponse): string {
  const parts: string[] = [];
  const names = (refs: NamedRef[]) =>
    refs
      .slice(0, 10)
      .map((r) => r.name)
      .join(', ') + (refs.length > 10 ? ` and ${refs.length - 10} more` : '');
  if (d.knowledge_bases.length) parts.push(`knowledge base${d.knowledge_bases.length > 1 ? 's' : ''} ${names(d.knowledge_bases)}`);
  if (d.conversations.length) parts.push(`${d.conversations.length} conversation${d.conversations.length > 1 ? 's' : ''}`);
  if (d.successor_of.length) parts.push(`the successor link of ${names(d.successor_of)}`);
  if (d.settings.length) parts.push(`the setting${d.settings.length > 1 ? 's' : ''} ${d.settings.join(', ')}`);
  return parts.join('; ');
}
