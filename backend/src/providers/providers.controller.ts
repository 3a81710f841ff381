import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { JsonText } from '../common/json-text.js';
import { ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ALL_ROLES, CurrentActor, Roles } from '../auth/roles.decorator.js';
import type { Actor } from '../common/actor.js';
import { IdParam } from '../common/id-param.js';
import { ProblemResponse } from '../common/problem.dto.js';
import { DependentsResponse } from '../models/dto/model.dto.js';
import { ConnectionTestsService } from '../upstream/connection-tests.service.js';
import { DiscoveryService } from '../upstream/discovery.service.js';
import { TestProviderRequest, TestProviderSettingsRequest } from '../upstream/dto/connection-test.dto.js';
import { DiscoveryResponse, ImportModelsRequest, ImportModelsResponse } from '../upstream/dto/discovery.dto.js';
import { KindSpecResponse } from './dto/kind-spec.dto.js';
import {
  CreateProviderRequest,
  DeleteProviderQuery,
  ProviderListQuery,
  ProviderResponse,
  TestResultDto,
  UpdateProviderRequest,
} from './dto/provider.dto.js';
import { KIND_SPECS } from './provider-kinds.js';
import { ProvidersService } from './providers.service.js';

@ApiTags('providers')
@Controller('providers')
export class ProvidersController {
  constructor(
    private readonly providers: ProvidersService,
    private readonly tests: ConnectionTestsService,
    private readonly discovery: DiscoveryService,
  ) {}

  @Get('kinds')
  @Roles(...ALL_ROLES)
  @ApiOperation({ summary: 'What each provider kind requires (endpoint, key, api version, model types, config)' })
  @ApiOkResponse({ type: [KindSpecResponse] })
  listProviderKinds(): KindSpecResponse[] {
    return Object.values(KIND_SPECS);
  }

  @Get()
  @Roles(...ALL_ROLES)
  @ApiOperation({ summary: 'List providers (never their keys)' })
  @ApiOkResponse({ type: [ProviderResponse] })
  @JsonText()
  listProviders(@Query() query: ProviderListQuery): Promise<Buffer> {
    return this.providers.listJson(query);
  }

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Register a provider; its API key is stored encrypted and never returned' })
  @ApiCreatedResponse({ type: ProviderResponse })
  @ApiConflictResponse({ description: 'Name in use', type: ProblemResponse })
  createProvider(@CurrentActor() actor: Actor, @Body() body: CreateProviderRequest): Promise<ProviderResponse> {
    return this.providers.create(actor, body);
  }

  @Post('test')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Test unsaved settings in stages (dns, connect, auth, model, probe); with provider_id and use_stored_key, the stored key',
  })
  @ApiOkResponse({ type: TestResultDto, description: 'The test ran; `ok` says whether it passed' })
  testProviderSettings(@Body() body: TestProviderSettingsRequest): Promise<TestResultDto> {
    return this.tests.testSettings(body);
  }

  @Get(':id')
  @Roles(...ALL_ROLES)
  @ApiOperation({ summary: 'One provider' })
  @ApiOkResponse({ type: ProviderResponse })
  getProvider(@IdParam() id: string): Promise<ProviderResponse> {
    return this.providers.get(id);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({
    summary: 'Change a provider. Omit api_key to keep it, null to clear it; a new endpoint needs the key again or keep_api_key',
  })
  @ApiOkResponse({ type: ProviderResponse })
  updateProvider(@CurrentActor() actor: Actor, @IdParam() id: string, @Body() body: UpdateProviderRequest): Promise<ProviderResponse> {
    return this.providers.update(actor, id, body);
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a provider without models, or with cascade=models its unused models too' })
  @ApiNoContentResponse()
  @ApiConflictResponse({ description: 'Has models or dependents; `dependents` lists them', type: ProblemResponse })
  deleteProvider(@CurrentActor() actor: Actor, @IdParam() id: string, @Query() query: DeleteProviderQuery): Promise<void> {
    return this.providers.remove(actor, id, query.cascade === 'models');
  }

  @Post(':id/test')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Test a provider in stages, optionally probing a model; the result is stored as last_test and audited' })
  @ApiOkResponse({ type: TestResultDto, description: 'The test ran; `ok` says whether it passed' })
  testProvider(@CurrentActor() actor: Actor, @IdParam() id: string, @Body() body: TestProviderRequest): Promise<TestResultDto> {
    return this.tests.testProvider(actor, id, body ?? {});
  }

  @Get(':id/discover')
  @Roles('admin')
  @ApiOperation({ summary: 'What the upstream serves, with suggested types and limits, marking what is registered already' })
  @ApiOkResponse({ type: DiscoveryResponse })
  discoverProviderModels(@IdParam() id: string): Promise<DiscoveryResponse> {
    return this.discovery.discover(id);
  }

  @Post(':id/import')
  @Roles('admin')
  @ApiOperation({ summary: 'Register chosen upstream models in one audited transaction (all or nothing)' })
  @ApiCreatedResponse({ type: ImportModelsResponse })
  @ApiConflictResponse({ description: 'A display name is taken', type: ProblemResponse })
  async importProviderModels(
    @CurrentActor() actor: Actor,
    @IdParam() id: string,
    @Body() body: ImportModelsRequest,
  ): Promise<ImportModelsResponse> {
    return { items: await this.discovery.import(actor, id, body) };
  }

  @Get(':id/dependents')
  @Roles('admin', 'auditor')
  @ApiOperation({ summary: 'Models, knowledge bases and conversations that depend on this provider' })
  @ApiOkResponse({ type: DependentsResponse })
  getProviderDependents(@IdParam() id: string): Promise<DependentsResponse> {
    return this.providers.dependentsOf(id);
  }
}
