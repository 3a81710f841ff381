import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { diffChanges } from '../audit/audit-changes.js';
import type { Actor } from '../common/actor.js';
import { DomainError, notFound, validationFailed } from '../common/domain-error.js';
import { SecretBox } from '../common/secret-box.js';
import { describeBlockers, DependentsService } from '../models/dependents.service.js';
import type { DependentsResponse } from '../models/dto/model.dto.js';
import { lockModels, lockTypes } from '../models/model-lifecycle.js';
import { Model } from '../models/model.entity.js';
import { ModelsService } from '../models/models.service.js';
import { RegistryCache } from '../registry/registry-cache.js';
import { UpstreamPolicies } from '../upstream/upstream-policies.js';
import type { CreateProviderRequest, ProviderListQuery, ProviderResponse, UpdateProviderRequest } from './dto/provider.dto.js';
import { ProviderListJson } from './provider-list-json.js';
import { checkAgainstKind, sameEndpoint, visibleLast4, withDefaultApiVersion } from './provider-rules.js';
import { auditedProvider, toProviderResponse } from './provider.mapper.js';
import { Provider, type ProviderConfig } from './provider.entity.js';

const nameTaken = (name: string) =>
  new DomainError('conflict', 'provider.name_taken', `A provider named ${name} already exists`, {
    errors: [{ field: 'name', message: 'name is already in use' }],
  });

@Injectable()
export class ProvidersService {
  private readonly openedKeys = new Map<string, string>();
  private readonly listJsonCache = new ProviderListJson();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly box: SecretBox,
    private readonly cache: RegistryCache,
    private readonly models: ModelsService,
    private readonly dependents: DependentsService,
    private readonly policies: UpstreamPolicies,
  ) {}

  /** The providers in name order, as UTF-8 JSON (see ProviderListJson). */
  async listJson(query: ProviderListQuery): Promise<Buffer> {
    const snapshot = await this.cache.get();
    const needle = query.search?.trim().toLowerCase();
    return this.listJsonCache.render(
      snapshot,
      JSON.stringify([query.kind, query.status, needle]),
      (p) =>
        (!query.kind || p.kind === query.kind) &&
        (!query.status || p.status === query.status) &&
        (!needle || p.name.toLowerCase().includes(needle) || (p.apiBase ?? '').toLowerCase().includes(needle)),
      (id) => this.policies.circuitState(id),
    );
  }

  async get(id: string): Promise<ProviderResponse> {
    const snapshot = await this.cache.get();
    const provider = snapshot.providers.get(id);
    if (!provider) throw notFound('provider', id);
    return toProviderResponse(provider, snapshot.modelCountByProvider.get(id) ?? 0, this.policies.circuitState(id));
  }

  async create(actor: Actor, body: CreateProviderRequest, outer?: EntityManager): Promise<ProviderResponse> {
    const config = cleanConfig(body.config);
    const apiVersion = withDefaultApiVersion(body.kind, body.api_version);
    const errors = checkAgainstKind({
      kind: body.kind,
      apiBase: body.api_base ?? null,
      apiVersion,
      hasKey: Boolean(body.api_key),
      config,
      active: (body.status ?? 'active') === 'active',
    });
    if (errors.length) throw validationFailed(errors);
    return this.models.write(async (manager) => {
      await this.assertNameFree(manager, body.name, null);
      const id = randomUUID();
      const provider = manager.create(Provider, {
        id,
        name: body.name,
        kind: body.kind,
        apiBase: body.api_base ?? null,
        apiVersion,
        config,
        maxConcurrency: body.limits?.max_concurrency ?? null,
        rpm: body.limits?.rpm ?? null,
        tpm: body.limits?.tpm ?? null,
        status: body.status ?? 'active',
        ...this.sealKey(id, body.api_key ?? null),
      });
      await manager.insert(Provider, provider);
      const saved = (await manager.findOneBy(Provider, { id: provider.id }))!;
      await this.audit.record(manager, actor, {
        action: 'provider.created',
        entityType: 'provider',
        entityId: saved.id,
        changes: diffChanges(undefined, auditedProvider(saved)),
      });
      return toProviderResponse(saved, 0);
    }, outer);
  }

  async update(actor: Actor, id: string, body: UpdateProviderRequest, outer?: EntityManager): Promise<ProviderResponse> {
    return this.models.write(async (manager) => {
      const provider = await manager.findOne(Provider, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!provider) throw notFound('provider', id);
      const before = auditedProvider(provider);
      if (body.name !== undefined && body.name.toLowerCase() !== provider.name.toLowerCase())
        await this.assertNameFree(manager, body.name, id);
      const apiBase = body.api_base !== undefined ? body.api_base : provider.apiBase;
      const endpointChanged = !sameEndpoint(apiBase, provider.apiBase);
      const keyGiven = 'api_key' in body && body.api_key !== undefined;
      if (endpointChanged && provider.apiKeyCiphertext && !keyGiven && body.keep_api_key !== true) {
        throw validationFailed([
          {
            field: 'api_key',
            code: 'key_reentry_required',
            message:
              'the endpoint changed: enter the API key again for the new endpoint, or send keep_api_key: true to send the stored key there',
          },
        ]);
      }
      const config = body.config !== undefined ? cleanConfig(body.config) : provider.config;
      const hasKey = keyGiven ? Boolean(body.api_key) : provider.apiKeyCiphertext !== null;
      const apiVersion = body.api_version !== undefined ? withDefaultApiVersion(provider.kind, body.api_version) : provider.apiVersion;
      const active = (body.status ?? provider.status) === 'active';
      const errors = checkAgainstKind({ kind: provider.kind, apiBase, apiVersion, hasKey, config, active });
      if (errors.length) throw validationFailed(errors);
      if (body.name !== undefined) provider.name = body.name;
      provider.apiBase = apiBase;
      provider.apiVersion = apiVersion;
      provider.config = config;
      if (body.limits) {
        if (body.limits.max_concurrency !== undefined) provider.maxConcurrency = body.limits.max_concurrency;
        if (body.limits.rpm !== undefined) provider.rpm = body.limits.rpm;
        if (body.limits.tpm !== undefined) provider.tpm = body.limits.tpm;
      }
      if (body.status !== undefined) provider.status = body.status;
      if (keyGiven) Object.assign(provider, this.sealKey(provider.id, body.api_key ?? null));
      // A new endpoint invalidates the last test: it said nothing about this host.
      if (endpointChanged) provider.lastTest = null;
      provider.updatedAt = new Date();
      await manager.save(provider);
      const changes = diffChanges(before, auditedProvider(provider));
      // A new key with the same mask (a short key, or the same last four) is still a change worth recording.
      if (keyGiven && provider.apiKeyCiphertext !== null && !changes.api_key) {
        changes.api_key = { before: before.api_key, after: auditedProvider(provider).api_key };
      }
      await this.audit.record(manager, actor, { action: 'provider.updated', entityType: 'provider', entityId: id, changes });
      const [{ n }] = (await manager.query('SELECT count(*)::int AS n FROM models WHERE provider_id = $1', [id])) as { n: number }[];
      return toProviderResponse(provider, n, this.policies.circuitState(id));
    }, outer);
  }

  /** Refused (409) while it has models, unless `cascade` deletes those that nothing depends on. */
  async remove(actor: Actor, id: string, cascade: boolean): Promise<void> {
    await this.models.write(async (manager) => {
      const provider = await manager.findOne(Provider, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!provider) throw notFound('provider', id);
      const models = await manager.find(Model, { where: { providerId: id } });
      if (models.length > 0 && !cascade) {
        const deps = await this.dependentsOfModels(manager, models);
        throw new DomainError(
          'conflict',
          'provider.in_use',
          `Cannot delete ${provider.name}: it has ${models.length} model${models.length > 1 ? 's' : ''}${deps.blocks_delete ? ` and is in use by ${describeBlockers(deps)}` : ''}; delete them first or use cascade=models`,
          {
            extensions: { dependents: deps },
          },
        );
      }
      if (models.length > 0) {
        await lockTypes(
          manager,
          models.map((m) => m.type),
        );
        const locked = await lockModels(
          manager,
          models.map((m) => m.id),
        );
        await this.models.deleteLocked(manager, actor, [...locked.values()], [...locked.keys()]);
      }
      await manager.delete(Provider, { id });
      await this.audit.record(manager, actor, {
        action: 'provider.deleted',
        entityType: 'provider',
        entityId: id,
        changes: diffChanges(auditedProvider(provider), undefined),
      });
    });
  }

  async dependentsOf(id: string): Promise<DependentsResponse> {
    if (!(await this.dataSource.getRepository(Provider).existsBy({ id }))) throw notFound('provider', id);
    const models = await this.dataSource.getRepository(Model).find({ where: { providerId: id }, order: { displayName: 'ASC' } });
    return this.dependentsOfModels(this.dataSource.manager, models);
  }

  /**
   * The stored key in clear, for calling the upstream; never returned by any endpoint. Kept per
   * ciphertext (a new key is a new ciphertext) so hot paths do not decrypt on every call.
   */
  openKey(provider: Provider): string | null {
    const sealed = provider.apiKeyCiphertext;
    if (!sealed) return null;
    const cacheKey = `${provider.id}:${sealed}`;
    let key = this.openedKeys.get(cacheKey);
    if (key === undefined) {
      key = this.box.open(sealed, provider.id);
      if (this.openedKeys.size >= 1000) this.openedKeys.clear();
      this.openedKeys.set(cacheKey, key);
    }
    return key;
  }

  private async dependentsOfModels(manager: EntityManager, models: Model[]): Promise<DependentsResponse> {
    const ids = models.map((m) => m.id);
    const deps = await this.dependents.forModels(manager, ids);
    return { ...deps, models: models.map((m) => ({ id: m.id, name: m.displayName })) };
  }

  private sealKey(providerId: string, key: string | null): Pick<Provider, 'apiKeyCiphertext' | 'apiKeyKid' | 'apiKeyLast4'> {
    if (!key) return { apiKeyCiphertext: null, apiKeyKid: null, apiKeyLast4: null };
    const sealed = this.box.seal(key, providerId);
    return { apiKeyCiphertext: sealed.ciphertext, apiKeyKid: sealed.kid, apiKeyLast4: visibleLast4(key) };
  }

  private async assertNameFree(manager: EntityManager, name: string, exceptId: string | null): Promise<void> {
    const [row] = (await manager.query(`SELECT id FROM providers WHERE lower(name) = lower($1)`, [name])) as { id: string }[];
    if (row && row.id !== exceptId) throw nameTaken(name);
  }
}

/** Drops members the client left undefined so stored config only holds what was set. */
function cleanConfig(config: object | undefined): ProviderConfig {
  return Object.fromEntries(Object.entries(config ?? {}).filter(([, v]) => v !== undefined)) as ProviderConfig;
}
