import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ALL_ROLES, CurrentActor, Roles } from '../auth/roles.decorator.js';
import type { Actor } from '../common/actor.js';
import { IdParam } from '../common/id-param.js';
import { ProblemResponse } from '../common/problem.dto.js';
import { DependentsResponse } from '../models/dto/model.dto.js';
import { KindSpecResponse } from './dto/kind-spec.dto.js';
import {
  CreateProviderRequest,
  DeleteProviderQuery,
  ProviderListQuery,
  ProviderResponse,
  UpdateProviderRequest,
} from './dto/provider.dto.js';
import { KIND_SPECS } from './provider-kinds.js';
import { ProvidersService } from './providers.service.js';

@ApiTags('providers')
@Controller('providers')
export class ProvidersController {
  constructor(private readonly providers: ProvidersService) {}

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
  listProviders(@Query() query: ProviderListQuery): Promise<ProviderResponse[]> {
    return this.providers.list(query);
  }

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Register a provider; its API key is stored encrypted and never returned' })
  @ApiCreatedResponse({ type: ProviderResponse })
  @ApiConflictResponse({ description: 'Name in use', type: ProblemResponse })
  createProvider(@CurrentActor() actor: Actor, @Body() body: CreateProviderRequest): Promise<ProviderResponse> {
    return this.providers.create(actor, body);
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

  @Get(':id/dependents')
  @Roles('admin', 'auditor')
  @ApiOperation({ summary: 'Models, knowledge bases and conversations that depend on this provider' })
  @ApiOkResponse({ type: DependentsResponse })
  getProviderDependents(@IdParam() id: string): Promise<DependentsResponse> {
    return this.providers.dependentsOf(id);
  }
}
