import { computed, inject, Injectable, resource, signal } from '@angular/core';
import { Api } from '../../api/api';
import { createProvider } from '../../api/fn/providers/create-provider';
import { deleteProvider } from '../../api/fn/providers/delete-provider';
import { discoverProviderModels } from '../../api/fn/providers/discover-provider-models';
import { getProviderDependents } from '../../api/fn/providers/get-provider-dependents';
import { importProviderModels } from '../../api/fn/providers/import-provider-models';
import { listProviderKinds } from '../../api/fn/providers/list-provider-kinds';
import { listProviders, ListProviders$Params } from '../../api/fn/providers/list-providers';
import { testProvider } from '../../api/fn/providers/test-provider';
import { testProviderSettings } from '../../api/fn/providers/test-provider-settings';
import { updateProvider } from '../../api/fn/providers/update-provider';
import type {
  CreateProviderRequest,
  DependentsResponse,
  DiscoveryResponse,
  ImportModelsRequest,
  KindSpecResponse,
  ModelResponse,
  ProviderResponse,
  TestProviderSettingsRequest,
  TestResultDto,
  UpdateProviderRequest,
} from '../../api/models';
import { latestValue, loadError } from '../../shared/latest';

export type ProviderKind = KindSpecResponse['kind'];

/** Providers and the kind specs their forms follow; one instance per providers page. */
@Injectable()
export class ProvidersService {
  private readonly api = inject(Api);

  /** What the list is filtered by (kind, status, search); the list reloads when it changes. */
  readonly filters = signal<ListProviders$Params>({});

  private readonly kindsResource = resource({ loader: () => this.api.invoke(listProviderKinds) });
  private readonly listResource = resource({
    params: () => this.filters(),
    loader: ({ params }) => this.api.invoke(listProviders, params),
  });

  readonly kinds = latestValue(this.kindsResource, [] as KindSpecResponse[]);
  readonly providers = latestValue(this.listResource, [] as ProviderResponse[]);
  readonly loading = computed(() => this.listResource.isLoading() || this.kindsResource.isLoading());
  /** True once the first answer arrived (before that, an empty list means "not yet"). */
  readonly loaded = computed(() => this.listResource.hasValue() || this.listResource.status() === 'error');
  readonly error = loadError(this.listResource);
  readonly kindsError = loadError(this.kindsResource);

  kindSpec(kind: ProviderKind): KindSpecResponse | undefined {
    return this.kinds().find((spec) => spec.kind === kind);
  }

  reload(): void {
    this.listResource.reload();
  }

  async create(body: CreateProviderRequest): Promise<ProviderResponse> {
    const created = await this.api.invoke(createProvider, { body });
    this.reload();
    return created;
  }

  async update(id: string, body: UpdateProviderRequest): Promise<ProviderResponse> {
    const updated = await this.api.invoke(updateProvider, { id, body });
    this.reload();
    return updated;
  }

  /** `cascade`: also delete the provider's models that nothing depends on. */
  async remove(id: string, cascade: boolean): Promise<void> {
    await this.api.invoke(deleteProvider, { id, ...(cascade ? { cascade: 'models' as const } : {}) });
    this.reload();
  }

  dependents(id: string): Promise<DependentsResponse> {
    return this.api.invoke(getProviderDependents, { id });
  }

  /** Tests settings as typed in the dialog; nothing is stored. */
  testSettings(body: TestProviderSettingsRequest): Promise<TestResultDto> {
    return this.api.invoke(testProviderSettings, { body });
  }

  /** Tests a saved provider; the API stores the result as its `last_test`, so the list reloads. */
  async test(id: string): Promise<TestResultDto> {
    const result = await this.api.invoke(testProvider, { id, body: {} });
    this.reload();
    return result;
  }

  discover(id: string): Promise<DiscoveryResponse> {
    return this.api.invoke(discoverProviderModels, { id });
  }

  /** Registers the chosen upstream models, all or nothing; the list reloads for the new model counts. */
  async importModels(id: string, body: ImportModelsRequest): Promise<ModelResponse[]> {
    const { items } = await this.api.invoke(importProviderModels, { id, body });
    this.reload();
    return items;
  }
}
