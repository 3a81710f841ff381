import { Body, Controller, Get, Header, HttpCode, Post, Query } from '@nestjs/common';
import { ApiConsumes, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { CurrentActor, Roles } from '../auth/roles.decorator.js';
import type { Actor } from '../common/actor.js';
import { ImportLitellmQuery, ImportLitellmRequest, ImportPlanResponse } from './dto/litellm.dto.js';
import { LitellmService } from './litellm.service.js';

@ApiTags('registry')
@Controller()
export class LitellmController {
  constructor(private readonly litellm: LitellmService) {}

  @Get('export/litellm-config')
  @Roles('admin', 'auditor')
  @Header('content-type', 'application/yaml; charset=utf-8')
  @Header('content-disposition', 'attachment; filename="litellm-config.yaml"')
  @ApiOperation({ summary: 'The active models as a LiteLLM proxy config.yaml (keys as os.environ/<PROVIDER>_API_KEY)' })
  @ApiProduces('application/yaml')
  @ApiOkResponse({ schema: { type: 'string' } })
  exportLitellmConfig(): Promise<string> {
    return this.litellm.export();
  }

  @Post('import/litellm-config')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Import a LiteLLM config: with dry_run=true shows the plan, without applies it in one transaction' })
  @ApiConsumes('application/json')
  @ApiOkResponse({ type: ImportPlanResponse })
  importLitellmConfig(
    @CurrentActor() actor: Actor,
    @Query() query: ImportLitellmQuery,
    @Body() body: ImportLitellmRequest,
  ): Promise<ImportPlanResponse> {
    return this.litellm.import(actor, body.yaml, query.dry_run === true);
  }
}
