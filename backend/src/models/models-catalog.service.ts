import { Injectable } from '@nestjs/common';
import { notFound } from '../common/domain-error.js';
import { pageWindow } from '../common/pagination.js';
import { RegistryCache, type RegistrySnapshot } from '../registry/registry-cache.js';
import type { ModelListQuery, ModelPage, ModelResponse } from './dto/model.dto.js';
import type { Model } from './model.entity.js';
import { compareNames } from '../common/collation.js';

type Comparator = (a: Model, b: Model) => number;

/** Catalogue reads, answered from the in-memory registry snapshot (no query per request). */
@Injectable()
export class ModelsCatalog {
  constructor(private readonly cache: RegistryCache) {}

  async list(query: ModelListQuery): Promise<ModelPage> {
    const snapshot = await this.cache.get();
    const needle = query.search?.trim().toLowerCase();
    const source = query.type ? snapshot.modelsByType[query.type] : snapshot.modelsByName;
    const noFilter = !query.provider_id && !query.status && !needle;
    let rows = noFilter
      ? source
      : source.filter(
          (m) =>
            (!query.provider_id || m.providerId === query.provider_id) &&
            (!query.status || m.status === query.status) &&
            (!needle || m.displayName.toLowerCase().includes(needle) || m.modelId.toLowerCase().includes(needle)),
        );
    const sort = query.sort ?? 'display_name';
    if (sort !== 'display_name') rows = [...rows].sort(comparator(sort, snapshot));
    if (query.order === 'desc') rows = [...rows].reverse();
    const { skip, take, page, pageSize } = pageWindow(query);
    return {
      items: rows.slice(skip, skip + take).map((m) => this.toResponse(snapshot, m)),
      page,
      page_size: pageSize,
      total: rows.length,
      defaults: snapshot.defaults,
    };
  }

  async get(id: string): Promise<ModelResponse> {
    const snapshot = await this.cache.get();
    const model = snapshot.models.get(id);
    if (!model) throw notFound('model', id);
    return this.toResponse(snapshot, model);
  }

  /** Looks a model up by the name callers use (case-insensitive). */
  async byName(name: string): Promise<Model | undefined> {
    return (await this.cache.get()).modelsByLowerName.get(name.toLowerCase());
  }

  private toResponse(snapshot: RegistrySnapshot, model: Model): ModelResponse {
    return snapshot.responses.get(model.id)!;
  }
}

function comparator(sort: string, snapshot: RegistrySnapshot): Comparator {
  const byName: Comparator = (a, b) => compareNames(a.displayName, b.displayName);
  const then =
    (first: Comparator): Comparator =>
    (a, b) =>
      first(a, b) || byName(a, b);
  switch (sort) {
    case 'created_at':
      return then((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    case 'updated_at':
      return then((a, b) => a.updatedAt.getTime() - b.updatedAt.getTime());
    case 'type':
      return then((a, b) => a.type.localeCompare(b.type));
    case 'status':
      return then((a, b) => a.status.localeCompare(b.status));
    case 'provider':
      return then((a, b) => compareNames(snapshot.providers.get(a.providerId)!.name, snapshot.providers.get(b.providerId)!.name));
    default:
      return byName;
  }
}
