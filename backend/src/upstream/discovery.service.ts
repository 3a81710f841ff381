import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../common/actor.js';
import { DomainError, notFound, validationFailed, type FieldError } from '../common/domain-error.js';
import type { CreateModelRequest, ModelResponse, NamedRef } from '../models/dto/model.dto.js';
import { ModelsService } from '../models/models.service.js';
import type { Provider } from '../providers/provider.entity.js';
import { RegistryCache } from '../registry/registry-cache.js';
import { adapterFor } from './adapters/index.js';
import type { DiscoveredModelDto, DiscoveryResponse, ImportModelItem, ImportModelsRequest } from './dto/discovery.dto.js';
import { withKnownLimits } from './known-models.js';
import { UpstreamClient } from './upstream.client.js';
import type { ListedModel } from './upstream.types.js';

/** /api/show is one call per model: describe at most this many, a few at a time. */
const MAX_DESCRIBED = 50;
const DESCRIBE_CONCURRENCY = 4;

/** Ollama answers `llama3.2:latest` for `llama3.2`; Gemini lists `models/…`. */
export const modelKey = (id: string) =>
  id
    .replace(/^models\//, '')
    .replace(/:latest$/, '')
    .toLowerCase();

/** What a provider's upstream serves, and registering the chosen models in one audited transaction. */
@Injectable()
export class DiscoveryService {
  constructor(
    private readonly client: UpstreamClient,
    private readonly cache: RegistryCache,
    private readonly models: ModelsService,
    private readonly audit: AuditService,
  ) {}

  async discover(providerId: string): Promise<DiscoveryResponse> {
    const provider = await this.provider(providerId);
    const listed = await this.listed(provider);
    const snapshot = await this.cache.get();
    const registered = new Map<string, NamedRef[]>();
    for (const m of snapshot.models.values()) {
      if (m.providerId !== providerId) continue;
      const key = modelKey(m.modelId);
      registered.set(key, [...(registered.get(key) ?? []), { id: m.id, name: m.displayName }]);
    }
    const models: DiscoveredModelDto[] = listed.map((m) => {
      const refs = registered.get(modelKey(m.id)) ?? [];
      return { model_id: m.id, type: m.type ?? null, params: suggestedParams(m), registered: refs.length > 0, registered_as: refs };
    });
    return {
      provider: { id: provider.id, name: provider.name, kind: provider.kind },
      models: models.sort((a, b) => a.model_id.localeCompare(b.model_id)),
      fetched_at: new Date().toISOString(),
    };
  }

  /**
   * Registers models through ModelsService.create in one transaction: all or nothing, each with its
   * `model.created` event (the request id ties them together). What an item
   * leaves out (type, limits) comes from discovery.
   */
  async import(actor: Actor, providerId: string, body: ImportModelsRequest): Promise<ModelResponse[]> {
    const provider = await this.provider(providerId);
    const needsDiscovery = body.models.some((item) => !item.type || !item.params);
    const suggestions = new Map((needsDiscovery ? await this.listed(provider) : []).map((m) => [modelKey(m.id), m]));
    const names = new Set([...(await this.cache.get()).modelsByLowerName.keys()]);
    const requests = body.models.map((item, index) =>
      this.createRequest(provider, item, index, suggestions.get(modelKey(item.model_id)), names),
    );
    // Each model's own `model.created` event records the import; the request id ties them together.
    return this.models.write(async (manager) => {
      const created: ModelResponse[] = [];
      for (const [index, request] of requests.entries()) {
        try {
          created.push(await this.models.create(actor, request, manager));
        } catch (error) {
          throw prefixFields(error, `models[${index}]`);
        }
      }
      return created;
    });
  }

  private createRequest(
    provider: Provider,
    item: ImportModelItem,
    index: number,
    suggestion: ListedModel | undefined,
    names: Set<string>,
  ): CreateModelRequest {
    const type = item.type ?? suggestion?.type;
    if (!type) {
      throw validationFailed([
        { field: `models[${index}].type`, message: `${provider.name} does not say what ${item.model_id} is: give its type` },
      ]);
    }
    const params = item.params ?? paramsFor(type, suggestion);
    let name = item.display_name ?? item.model_id;
    if (!item.display_name && names.has(name.toLowerCase())) name = `${item.model_id} (${provider.name})`.slice(0, 100);
    names.add(name.toLowerCase());
    return { provider_id: provider.id, display_name: name, model_id: item.model_id, type, params } as CreateModelRequest;
  }

  private async provider(id: string): Promise<Provider> {
    const provider = (await this.cache.get()).providers.get(id);
    if (!provider) throw notFound('provider', id);
    return provider;
  }

  /** The upstream list with limits filled in from /api/show (Ollama) and published values. */
  private async listed(provider: Provider): Promise<ListedModel[]> {
    const listed = await this.client.listModels(provider);
    const described = [...listed];
    const queue = adapterFor(provider.kind).describeModel ? listed.slice(0, MAX_DESCRIBED).map((m, i) => [m, i] as const) : [];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const [model, i] = next;
        const details = await this.client.describeModel(provider, model.id).catch(() => null);
        if (details) described[i] = { ...model, ...definedOnly(details), id: model.id };
      }
    };
    await Promise.all(Array.from({ length: DESCRIBE_CONCURRENCY }, worker));
    return described.map(withKnownLimits);
  }
}

function suggestedParams(m: ListedModel): DiscoveredModelDto['params'] {
  return definedOnly({ context_window: m.contextWindow, max_output_tokens: m.maxOutputTokens, dimensions: m.dimensions });
}

/** Registry params for a type from what discovery knows (embedding models need their dimensions). */
function paramsFor(type: string, m: ListedModel | undefined): Record<string, unknown> {
  if (type === 'embedding') return definedOnly({ dimensions: m?.dimensions, max_tokens: m?.contextWindow });
  const maxOut = m?.maxOutputTokens && m.contextWindow && m.maxOutputTokens > m.contextWindow ? undefined : m?.maxOutputTokens;
  return definedOnly({ context_window: m?.contextWindow, max_output_tokens: maxOut });
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;
}

/** Field errors of one imported item, re-pointed at `models[i].…` so the console can mark the row. */
function prefixFields(error: unknown, prefix: string): unknown {
  if (!(error instanceof DomainError) || !error.options.errors) return error;
  const errors: FieldError[] = error.options.errors.map((e) => ({ ...e, field: `${prefix}.${e.field}` }));
  return new DomainError(error.kind, error.code, `${prefix}: ${error.message}`, { ...error.options, errors });
}
