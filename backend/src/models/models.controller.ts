import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Put, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ALL_ROLES, CurrentActor, Roles } from '../auth/roles.decorator.js';
import type { Actor } from '../common/actor.js';
import { IdParam } from '../common/id-param.js';
import { JsonText } from '../common/json-text.js';
import { ProblemResponse } from '../common/problem.dto.js';
import { TestResultDto } from '../providers/dto/provider.dto.js';
import { ConnectionTestsService } from '../upstream/connection-tests.service.js';
import {
  BulkModelsRequest,
  BulkModelsResponse,
  CreateModelRequest,
  DependentsResponse,
  ModelListQuery,
  ModelPage,
  ModelResponse,
  UpdateModelRequest,
} from './dto/model.dto.js';
import { ModelsCatalog } from './models-catalog.service.js';
import { ModelsService } from './models.service.js';

@ApiTags('models')
@Controller('models')
export class ModelsController {
  constructor(
    private readonly models: ModelsService,
    private readonly catalog: ModelsCatalog,
    private readonly tests: ConnectionTestsService,
  ) {}

  @Get()
  @Roles(...ALL_ROLES)
  @ApiOperation({ summary: 'List models with filters, sorting and pagination; says which is the default of each type' })
  @ApiOkResponse({ type: ModelPage })
  @JsonText()
  listModels(@Query() query: ModelListQuery): Promise<string> {
    return this.catalog.listJson(query);
  }

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Register a model; the first active model of a type becomes its default' })
  @ApiCreatedResponse({ type: ModelResponse })
  @ApiConflictResponse({ description: 'Display name in use', type: ProblemResponse })
  createModel(@CurrentActor() actor: Actor, @Body() body: CreateModelRequest): Promise<ModelResponse> {
    return this.models.create(actor, body);
  }

  @Post('bulk')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Activate, deactivate or deprecate many models in one transaction (all or nothing)' })
  @ApiOkResponse({ type: BulkModelsResponse })
  @ApiBadRequestResponse({ description: 'Refused; `items` gives the reason per model', type: ProblemResponse })
  async bulkUpdateModels(@CurrentActor() actor: Actor, @Body() body: BulkModelsRequest): Promise<BulkModelsResponse> {
    return { items: await this.models.bulk(actor, body) };
  }

  @Get(':id')
  @Roles(...ALL_ROLES)
  @ApiOperation({ summary: 'One model' })
  @ApiOkResponse({ type: ModelResponse })
  getModel(@IdParam() id: string): Promise<ModelResponse> {
    return this.catalog.get(id);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({ summary: 'Change a model (name, parameters, pricing, status, lifecycle)' })
  @ApiOkResponse({ type: ModelResponse })
  updateModel(@CurrentActor() actor: Actor, @IdParam() id: string, @Body() body: UpdateModelRequest): Promise<ModelResponse> {
    return this.models.update(actor, id, body);
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a model nothing depends on' })
  @ApiNoContentResponse()
  @ApiConflictResponse({ description: 'In use; `dependents` lists by what', type: ProblemResponse })
  @ApiBadRequestResponse({ description: 'It is the default and another model could take over', type: ProblemResponse })
  deleteModel(@CurrentActor() actor: Actor, @IdParam() id: string): Promise<void> {
    return this.models.remove(actor, id);
  }

  @Put(':id/default')
  @Roles('admin')
  @ApiOperation({ summary: 'Make this active model the default of its type (atomically replaces the previous one)' })
  @ApiOkResponse({ type: ModelResponse })
  setDefaultModel(@CurrentActor() actor: Actor, @IdParam() id: string): Promise<ModelResponse> {
    return this.models.setDefault(actor, id);
  }

  @Post(':id/test')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Test a model: the provider stages, then one real generation or embedding (its length must match dimensions); stored and audited',
  })
  @ApiOkResponse({ type: TestResultDto, description: 'The test ran; `ok` says whether it passed' })
  testModel(@CurrentActor() actor: Actor, @IdParam() id: string): Promise<TestResultDto> {
    return this.tests.testModel(actor, id);
  }

  @Get(':id/dependents')
  @Roles('admin', 'auditor')
  @ApiOperation({ summary: 'What would break if this model were deleted or deprecated' })
  @ApiOkResponse({ type: DependentsResponse })
  getModelDependents(@IdParam() id: string): Promise<DependentsResponse> {
    return this.models.dependentsOf(id);
  }
}
