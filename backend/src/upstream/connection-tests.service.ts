import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { diffChanges } from '../audit/audit-changes.js';
import type { Actor } from '../common/actor.js';
import { notFound, validationFailed } from '../common/domain-error.js';
import { Model } from '../models/model.entity.js';
import { ModelsService } from '../models/models.service.js';
import type { TestResultDto } from '../providers/dto/provider.dto.js';
import { checkAgainstKind, effectiveApiBase, sameEndpoint, withDefaultApiVersion } from '../providers/provider-rules.js';
import { toTestResult } from '../providers/provider.mapper.js';
import { Provider, type ProviderConfig, type StoredTestResult } from '../providers/provider.entity.js';
import { ProvidersService } from '../providers/providers.service.js';
import { SettingsService } from '../settings/settings.service.js';
import { ConnectionTester, type ProbeSpec } from './connection-test.js';
import type { TestProviderRequest, TestProviderSettingsRequest } from './dto/connection-test.dto.js';
import { UpstreamClient } from './upstream.client.js';
import type { UpstreamTarget } from './upstream.types.js';

/**
 * The connection-test endpoints: unsaved settings (nothing stored), a saved provider and a saved
 * model (the result is stored on the record and audited in the same transaction).
 */
@Injectable()
export class ConnectionTestsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tester: ConnectionTester,
    private readonly client: UpstreamClient,
    private readonly providers: ProvidersService,
    private readonly models: ModelsService,
    private readonly settings: SettingsService,
    private readonly audit: AuditService,
  ) {}

  async testSettings(body: TestProviderSettingsRequest): Promise<TestResultDto> {
    const stored = body.provider_id ? await this.dataSource.getRepository(Provider).findOneBy({ id: body.provider_id }) : null;
    if (body.provider_id && !stored) throw validationFailed([{ field: 'provider_id', message: 'provider_id does not name a provider' }]);
    if (body.use_stored_key && !stored) {
      throw validationFailed([{ field: 'use_stored_key', message: 'use_stored_key needs the provider_id whose key to use' }]);
    }
    if (stored && body.kind && body.kind !== stored.kind) {
      throw validationFailed([{ field: 'kind', message: `a provider's kind cannot change (it is ${stored.kind})` }]);
    }
    const kind = stored?.kind ?? body.kind!;
    const apiBase = body.api_base !== undefined ? body.api_base : (stored?.apiBase ?? null);
    const apiVersion = withDefaultApiVersion(kind, body.api_version !== undefined ? body.api_version : (stored?.apiVersion ?? null));
    const config: ProviderConfig = body.config ? cleanConfig(body.config) : (stored?.config ?? {});
    const errors = checkAgainstKind({ kind, apiBase, apiVersion, hasKey: true, config, active: false });
    if (errors.length) throw validationFailed(errors);
    let apiKey = body.api_key ?? null;
    if (!apiKey && body.use_stored_key && stored) {
      if (!sameEndpoint(apiBase, stored.apiBase)) {
        throw validationFailed([
          {
            field: 'use_stored_key',
            code: 'key_reentry_required',
            message:
              'the endpoint changed: enter the API key again to test the new endpoint; the stored key is only sent where it was saved for',
          },
        ]);
      }
      apiKey = this.providers.openKey(stored);
    }
    const target: UpstreamTarget = {
      providerId: stored?.id ?? 'unsaved',
      providerName: stored?.name ?? 'the provider being edited',
      kind,
      baseUrl: effectiveApiBase(kind, apiBase).replace(/\/+$/, ''),
      apiKey,
      apiVersion,
      config,
      timeoutMs: config.timeout_ms ?? (await this.settings.value('upstream.default_timeout_ms')),
    };
    return toTestResult(await this.tester.run(target, probeOf(body)))!;
  }

  async testProvider(actor: Actor, id: string, body: TestProviderRequest): Promise<TestResultDto> {
    const provider = await this.dataSource.getRepository(Provider).findOneBy({ id });
    if (!provider) throw notFound('provider', id);
    const result = await this.tester.run(await this.client.target(provider), probeOf(body));
    await this.models.write(async (manager) => {
      const locked = await manager.findOne(Provider, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!locked) throw notFound('provider', id);
      await manager.update(Provider, { id }, { lastTest: result });
      await this.recordTest(manager, actor, 'provider', id, locked.lastTest, result);
    });
    return toTestResult(result)!;
  }

  async testModel(actor: Actor, id: string): Promise<TestResultDto> {
    const model = await this.dataSource.getRepository(Model).findOneBy({ id });
    if (!model) throw notFound('model', id);
    const provider = await this.dataSource.getRepository(Provider).findOneByOrFail({ id: model.providerId });
    const dimensions = model.params?.['dimensions'];
    const probe: ProbeSpec = {
      modelId: model.modelId,
      type: model.type,
      dimensions: typeof dimensions === 'number' ? dimensions : undefined,
    };
    const result = await this.tester.run(await this.client.target(provider), probe);
    await this.models.write(async (manager) => {
      const locked = await manager.findOne(Model, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!locked) throw notFound('model', id);
      await manager.update(Model, { id }, { lastTest: result });
      await this.recordTest(manager, actor, 'model', id, locked.lastTest, result);
    });
    return toTestResult(result)!;
  }

  private recordTest(
    manager: EntityManager,
    actor: Actor,
    entityType: 'provider' | 'model',
    id: string,
    before: StoredTestResult | null,
    after: StoredTestResult,
  ) {
    return this.audit.record(manager, actor, {
      action: `${entityType}.tested`,
      entityType,
      entityId: id,
      changes: diffChanges(before ? summary(before) : undefined, summary(after)),
    });
  }
}

/** What the audit trail keeps of a test: the verdict, not every stage. */
function summary(t: StoredTestResult): Record<string, unknown> {
  return {
    last_test_ok: t.ok,
    last_tested_at: t.tested_at,
    last_test_failed_stage: t.failed_stage ?? null,
    last_test_error_class: t.error_class ?? null,
    last_test_upstream_status: t.upstream_status ?? null,
    last_test_message: t.message ?? null,
    last_test_model_id: t.model_id ?? null,
  };
}

function probeOf(body: TestProviderRequest): ProbeSpec | null {
  if (!body.model_id) return null;
  return { modelId: body.model_id, type: body.model_type ?? 'generation', dimensions: body.dimensions };
}

function cleanConfig(config: object): ProviderConfig {
  return Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)) as ProviderConfig;
}
