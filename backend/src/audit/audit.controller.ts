import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles } from '../auth/roles.decorator.js';
import { IdParam } from '../common/id-param.js';
import { AuditQueryService } from './audit-query.service.js';
import { AuditEventPage, AuditEventResponse, AuditExportQuery, AuditListQuery, ChainVerification } from './dto/audit-event.dto.js';

@ApiTags('audit')
@Controller('audit-events')
@Roles('admin', 'auditor')
export class AuditController {
  constructor(private readonly audit: AuditQueryService) {}

  @Get()
  @ApiOperation({ summary: 'Filter audit events, newest first (cursor pagination)' })
  @ApiOkResponse({ type: AuditEventPage })
  listAuditEvents(@Query() query: AuditListQuery): Promise<AuditEventPage> {
    return this.audit.list(query);
  }

  @Get('export')
  @ApiOperation({ summary: 'Export the filtered events, oldest first, streamed as CSV or NDJSON with both hashes' })
  @ApiProduces('text/csv', 'application/x-ndjson')
  @ApiOkResponse({ description: 'A CSV or NDJSON stream', schema: { type: 'string' } })
  async exportAuditEvents(
    @Query() query: AuditExportQuery,
    @Headers('accept') accept: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const format = query.format ?? (accept?.includes('text/csv') ? 'csv' : 'ndjson');
    const stream = await this.audit.export(query, format);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    await reply
      .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson')
      .header('content-disposition', `attachment; filename="audit-events-${stamp}.${format === 'csv' ? 'csv' : 'ndjson'}"`)
      .send(stream);
  }

  @Get('verify')
  @ApiOperation({ summary: 'Re-walk the hash chain and report the first broken link' })
  @ApiOkResponse({ type: ChainVerification })
  verifyAuditChain(): Promise<ChainVerification> {
    return this.audit.verify();
  }

  @Get(':id')
  @ApiOperation({ summary: 'One audit event' })
  @ApiOkResponse({ type: AuditEventResponse })
  getAuditEvent(@IdParam() id: string): Promise<AuditEventResponse> {
    return this.audit.get(id);
  }
}
