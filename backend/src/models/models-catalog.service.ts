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
  /** Each model's response as JSON text; responses are built per snapshot, so these go with it. */
  private readonly texts = new WeakMap<ModelResponse, string>();
  private lists: { snapshot: RegistrySnapshot; byKey: Map<string, Model[]> } | undefined;

  constructor(private readonly cache: RegistryCache) {}

  /**
   * A page of the list as JSON text: each model's response is serialised once per registry
   * snapshot and the filtered, sorted list is kept per filter, so a request slices and joins.
   * Filtering 10,000 models and serialising 50 as objects was most of the request's CPU.
   */
  async listJson(query: ModelListQuery): Promise<string> {
    const snapshot = await this.cache.get();
    const rows = this.filtered(snapshot, query);
    const { skip, take, page, pageSize } = pageWindow(query);
    const items = rows.slice(skip, skip + take).map((m) => this.text(snapshot, m));
    const rest: Omit<ModelPage, 'items'> = { page, page_size: pageSize, total: rows.length, defaults: snapshot.defaults };
    return `{"items":[${items.join(',')}],${JSON.stringify(rest).slice(1)}`;
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

  private text(snapshot: RegistrySnapshot, model: Model): string {
    const response = this.toResponse(snapshot, model);
    let text = this.texts.get(response);
    if (text === undefined) {
      text = JSON.stringify(response);
      this.texts.set(response, text);
    }
    return text;
  }

  /** The list for a query, in its order. Kept per snapshot for the filters without a search term. */
  private filtered(snapshot: RegistrySnapshot, query: ModelListQuery): Model[] {
    const needle = query.search?.trim().toLowerCase();
    const key = `${query.type ?? ''}|${query.provider_id ?? ''}|${query.status ?? ''}|${query.sort ?? ''}|${query.order ?? ''}`;
    if (this.lists?.snapshot !== snapshot || this.lists.byKey.size >= MAX_KEPT_LISTS) this.lists = { snapshot, byKey: new Map() };
    let rows = this.lists.byKey.get(key);
    if (!rows) {
      rows = sortedAndFiltered(snapshot, query);
      this.lists.byKey.set(key, rows);
    }
    return needle ? rows.filter((m) => m.displayName.toLowerCase().includes(needle) || m.modelId.toLowerCase().includes(needle)) : rows;
  }
}

/** Filter combinations kept per snapshot (types × statuses × providers × sorts in use; a handful in practice). */
const MAX_KEPT_LISTS = 256;

function sortedAndFiltered(snapshot: RegistrySnapshot, query: ModelListQuery): Model[] {
  const source = query.type ? snapshot.modelsByType[query.type] : snapshot.modelsByName;
  let rows =
    query.provider_id || query.status
      ? source.filter((m) => (!query.provider_id || m.providerId === query.provider_id) && (!query.status || m.status === query.status))
      : source;
  const sort = query.sort ?? 'display_name';
  if (sort !== 'display_name') rows = [...rows].sort(comparator(sort, snapshot));
  if (query.order === 'desc') rows = [...rows].reverse();
  return rows;
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
