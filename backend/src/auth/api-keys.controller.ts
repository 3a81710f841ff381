import { Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../common/actor.js';
import { IdParam } from '../common/id-param.js';
import { ApiKeysService } from './api-keys.service.js';
import { ApiKeyListQuery, ApiKeyResponse, CreateApiKeyRequest, CreatedApiKeyResponse } from './dto/api-key.dto.js';
import { ALL_ROLES, CurrentActor, Roles } from './roles.decorator.js';

@ApiTags('api-keys')
@Controller('api-keys')
@Roles(...ALL_ROLES)
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Get()
  @ApiOperation({ summary: 'Your API keys (admins: anyone’s, with owner_id)' })
  @ApiOkResponse({ type: [ApiKeyResponse] })
  listApiKeys(@CurrentActor() actor: Actor, @Query() query: ApiKeyListQuery): Promise<ApiKeyResponse[]> {
    return this.apiKeys.list(actor, query);
  }

  @Post()
  @ApiOperation({ summary: 'Create an API key; the secret is in this response only' })
  @ApiCreatedResponse({ type: CreatedApiKeyResponse })
  createApiKey(@CurrentActor() actor: Actor, @Body() body: CreateApiKeyRequest): Promise<CreatedApiKeyResponse> {
    return this.apiKeys.create(actor, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API key' })
  @ApiNoContentResponse()
  revokeApiKey(@CurrentActor() actor: Actor, @IdParam() id: string): Promise<void> {
    return this.apiKeys.revoke(actor, id);
  }
}
