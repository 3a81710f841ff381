import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator.js';
import { UsageQuery, UsageReport } from './dto/usage.dto.js';
import { UsageService } from './usage.service.js';

@ApiTags('usage')
@Controller('usage')
@Roles('admin', 'auditor')
export class UsageController {
  constructor(private readonly usage: UsageService) {}

  @Get()
  @ApiOperation({
    summary: 'Requests, tokens, cost, latency (p50/p95) and errors per day or month, by model, provider, API key or user',
    description:
      'Counts every call made to a provider on someone’s behalf: gateway calls, conversation replies, and the embedding calls of knowledge bases (indexing documents, searches, a conversation’s retrieval). Indexing is charged to no user and no key.',
  })
  @ApiOkResponse({ type: UsageReport })
  getUsage(@Query() query: UsageQuery): Promise<UsageReport> {
    return this.usage.report(query);
  }
}
