import { computed, inject, Injectable, resource, signal } from '@angular/core';
import { Api } from '../../api/api';
import { bulkUpdateModels } from '../../api/fn/models/bulk-update-models';
import { createModel } from '../../api/fn/models/create-model';
import { deleteModel } from '../../api/fn/models/delete-model';
import { getModelDependents } from '../../api/fn/models/get-model-dependents';
import { listModels, ListModels$Params } from '../../api/fn/models/list-models';
import { setDefaultModel } from '../../api/fn/models/set-default-model';
import { testModel } from '../../api/fn/models/test-model';
import { updateModel } from '../../api/fn/models/update-model';
import { listProviderKinds } from '../../api/fn/providers/list-provider-kinds';
import { listProviders } from '../../api/fn/providers/list-providers';
import type {
  BulkModelsRequest,
  CreateModelRequest,
  DependentsResponse,
  KindSpecResponse,
  ModelPage,
  ModelResponse,
  ProviderResponse,
  TestResultDto,
  UpdateModelRequest,
} from '../../api/models';
import { latestValue, loadError } from '../../shared/latest';

export type ModelType = ModelResponse['type'];
export type ModelStatus = ModelResponse['status'];
export type ModelSort = NonNullable<ListModels$Params['sort']>;
export type ModelQuery = Required<Pick<ListModels$Params, 'page' | 'page_size' | 'sort' | 'order'>> &
  Pick<ListModels$Params, 'type' | 'provider_id' | 'status' | 'search'>;

export const MODEL_TYPES: readonly ModelType[] = ['generation', 'embedding', 'ner'];
export const TYPE_LABELS: Record<ModelType, string> = { generation: 'Generation', embedding: 'Embedding', ner: 'NER' };

const FIRST_PAGE: ModelQuery = { page: 1, page_size: 20, sort: 'display_name', order: 'asc' };
const EMPTY_PAGE: ModelPage = { items: [], page: 1, page_size: 20, total: 0, defaults: { generation: null, embedding: null, ner: null } };

/** The model catalogue, one page at a time, with what its forms need; one instance per models page. */
@Injectable()
export class ModelsService {
  private readonly api = inject(Api);

  /** Filters, sort and page of the list; it reloads whenever this changes. */
  readonly query = signal<ModelQuery>(FIRST_PAGE);
  /** The list waits for its first filter (the page's tab), so it is not loaded twice on arrival. */
  private readonly started = signal(false);

  private readonly pageResource = resource({
    params: () => (this.started() ? this.query() : undefined),
    loader: ({ params }) => this.api.invoke(listModels, params),
  });
  private readonly providersResource = resource({ loader: () => this.api.invoke(listProviders) });
  private readonly kindsResource = resource({ loader: () => this.api.invoke(listProviderKinds) });

  readonly page = latestValue(this.pageResource, EMPTY_PAGE);
  readonly models = computed(() => this.page().items);
  readonly total = computed(() => this.page().total);
  readonly defaults = computed(() => this.page().defaults);
  readonly loading = this.pageResource.isLoading;
  readonly loaded = computed(() => this.pageResource.hasValue() || this.pageResource.status() === 'error');
  readonly error = loadError(this.pageResource);

  readonly providers = latestValue(this.providersResource, [] as ProviderResponse[]);
  readonly kinds = latestValue(this.kindsResource, [] as KindSpecResponse[]);

  /** Changes filters and goes back to the first page (and starts the list on the first call). */
  filter(change: Partial<Pick<ModelQuery, 'type' | 'provider_id' | 'status' | 'search'>>): void {
    const query = this.query();
    const changed = (Object.keys(change) as (keyof typeof change)[]).some((key) => query[key] !== change[key]);
    if (changed) this.query.set({ ...query, ...change, page: 1 });
    this.started.set(true);
  }

  reload(): void {
    this.pageResource.reload();
  }

  /** The types a provider's kind can serve (Anthropic: no embeddings). */
  typesServedBy(providerId: string): readonly ModelType[] {
    const kind = this.providers().find((provider) => provider.id === providerId)?.kind;
    return this.kinds().find((spec) => spec.kind === kind)?.model_types ?? MODEL_TYPES;
  }

  async create(body: CreateModelRequest): Promise<ModelResponse> {
    return this.reloadingAfter(this.api.invoke(createModel, { body }));
  }

  async update(id: string, body: UpdateModelRequest): Promise<ModelResponse> {
    return this.reloadingAfter(this.api.invoke(updateModel, { id, body }));
  }

  async setDefault(id: string): Promise<ModelResponse> {
    return this.reloadingAfter(this.api.invoke(setDefaultModel, { id }));
  }

  /** Activate, deactivate or deprecate many at once: all or nothing (400 with `items` per refusal). */
  async bulk(body: BulkModelsRequest): Promise<ModelResponse[]> {
    return (await this.reloadingAfter(this.api.invoke(bulkUpdateModels, { body }))).items;
  }

  /** One real call to the model; the API stores the result as its `last_test`, so the list reloads. */
  async test(id: string): Promise<TestResultDto> {
    return this.reloadingAfter(this.api.invoke(testModel, { id }));
  }

  async remove(id: string): Promise<void> {
    await this.reloadingAfter(this.api.invoke(deleteModel, { id }));
  }

  dependents(id: string): Promise<DependentsResponse> {
    return this.api.invoke(getModelDependents, { id });
  }

  /** Active models of a type, e.g. successor candidates or who could take over a default. */
  async activeOfType(type: ModelType): Promise<ModelPage> {
    return this.api.invoke(listModels, { type, status: 'active', page_size: 100, sort: 'display_name' });
  }

  private async reloadingAfter<T>(call: Promise<T>): Promise<T> {
    const result = await call;
    this.reload();
    return result;
  }
}

/** One line per refused item of a bulk change, naming the model unless the reason already does. */
export function refusalLines(items: { id: string; reason: string }[], names: Map<string, string>): string[] {
  return items.map(({ id, reason }) => {
    const name = names.get(id) ?? id;
    return reason.includes(name) ? reason : `${name}: ${reason}`;
  });
}
