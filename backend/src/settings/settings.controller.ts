import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../common/actor.js';
import { CurrentActor, Roles } from '../auth/roles.decorator.js';
import { PutSettingRequest, SettingResponse } from './dto/setting.dto.js';
import { SettingsService } from './settings.service.js';

@ApiTags('settings')
@Controller('settings')
export class SettingsController {
  constructor(private readonly settings: SettingsService) {}

  @Get()
  @Roles('admin', 'auditor')
  @ApiOperation({ summary: 'Every setting with its current value, default and description' })
  @ApiOkResponse({ type: [SettingResponse] })
  listSettings(): Promise<SettingResponse[]> {
    return this.settings.list();
  }

  @Get(':key')
  @Roles('admin', 'auditor')
  @ApiOperation({ summary: 'One setting' })
  @ApiOkResponse({ type: SettingResponse })
  getSetting(@Param('key') key: string): Promise<SettingResponse> {
    return this.settings.get(key);
  }

  @Put(':key')
  @Roles('admin')
  @ApiOperation({ summary: 'Change a setting; the value is validated for its key' })
  @ApiOkResponse({ type: SettingResponse })
  putSetting(@CurrentActor() actor: Actor, @Param('key') key: string, @Body() body: PutSettingRequest): Promise<SettingResponse> {
    return this.settings.put(actor, key, body.value);
  }
}
