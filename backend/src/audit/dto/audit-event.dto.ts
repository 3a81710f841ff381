import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, MaxLength, Min } from 'class-validator';
import { ACTOR_TYPES, OUTCOMES, type AuditEvent } from '../audit-event.entity.js';
import { hashedContent } from '../audit-hash.js';

const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value);

export class AuditFilterQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'User or API key id' })
  @IsOptional()
  @IsUUID()
  actor_id?: string;

  @ApiPropertyOptional({ enum: ACTOR_TYPES })
  @IsOptional()
  @IsIn(ACTOR_TYPES)
  actor_type?: (typeof ACTOR_TYPES)[number];

  @ApiPropertyOptional({ description: 'Exact action (`model.created`) or a prefix ending in `.*` (`model.*`)', example: 'model.*' })
  @IsOptional()
  @Matches(/^[a-z_]+(\.[a-z_]+)*(\.\*)?$/, { message: 'action must look like model.created or model.*' })
  @MaxLength(100)
  action?: string;

  @ApiPropertyOptional({ enum: OUTCOMES })
  @IsOptional()
  @IsIn(OUTCOMES)
  outcome?: (typeof OUTCOMES)[number];

  @ApiPropertyOptional({ example: 'model' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  entity_type?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  entity_id?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Inclusive lower bound' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Exclusive upper bound' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class AuditListQuery extends AuditFilterQuery {
  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50, description: 'Clamped to 200' })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  limit: number = 50;
}

export const EXPORT_FORMATS = ['csv', 'ndjson'] as const;

export class AuditExportQuery extends AuditFilterQuery {
  @ApiPropertyOptional({ enum: EXPORT_FORMATS, description: 'Defaults from the Accept header, else ndjson' })
  @IsOptional()
  @IsIn(EXPORT_FORMATS)
  format?: (typeof EXPORT_FORMATS)[number];
}

export class AuditEventResponse {
  @ApiProperty({ example: '42', description: 'Position in the hash chain' }) seq!: string;
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'date-time' }) occurred_at!: string;
  @ApiProperty({ enum: ACTOR_TYPES }) actor_type!: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) actor_id!: string | null;
  @ApiProperty({ type: String, nullable: true }) actor_email!: string | null;
  @ApiProperty({ type: String, nullable: true }) actor_role!: string | null;
  @ApiProperty({ example: 'model.created' }) action!: string;
  @ApiProperty({ enum: OUTCOMES }) outcome!: string;
  @ApiProperty({ type: String, nullable: true }) entity_type!: string | null;
  @ApiProperty({ type: String, nullable: true }) entity_id!: string | null;
  @ApiProperty({
    type: 'object',
    nullable: true,
    additionalProperties: { type: 'object', properties: { before: {}, after: {} } },
    description: 'Before/after of the changed fields; secrets masked as ****abcd',
  })
  changes!: Record<string, { before?: unknown; after?: unknown }> | null;
  @ApiProperty({ type: String, nullable: true }) request_id!: string | null;
  @ApiProperty({ type: String, nullable: true }) ip!: string | null;
  @ApiProperty({ type: String, nullable: true }) user_agent!: string | null;
  @ApiProperty() prev_hash!: string;
  @ApiProperty() hash!: string;
}

export class AuditEventPage {
  @ApiProperty({ type: [AuditEventResponse] }) items!: AuditEventResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next (older) page' })
  next_cursor!: string | null;
}

export class ChainBreak {
  @ApiProperty() seq!: string;
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['hash_mismatch', 'broken_link', 'sequence_gap'] }) reason!: string;
  @ApiProperty() detail!: string;
}

export class ChainVerification {
  @ApiProperty() valid!: boolean;
  @ApiProperty({ description: 'Events checked' }) checked!: number;
  @ApiProperty({ type: String, nullable: true, description: 'Hash of the last event checked' }) head_hash!: string | null;
  @ApiProperty({ type: ChainBreak, nullable: true }) first_broken!: ChainBreak | null;
}

export function toAuditEventResponse(e: AuditEvent): AuditEventResponse {
  return { ...hashedContent(e), hash: e.hash };
}
