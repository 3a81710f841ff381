import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsIn,
  IsISO8601,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
} from 'class-validator';
import { ROLES, type Role } from '../user.entity.js';
import type { ApiKey } from '../api-key.entity.js';

export class CreateApiKeyRequest {
  @ApiProperty({ example: 'billing-service', maxLength: 100 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name!: string;

  @ApiPropertyOptional({ enum: ROLES, description: "Defaults to the owner's role; never more than it" })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({ format: 'date-time', example: '2027-01-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  expires_at?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Admins only: create the key for another user' })
  @IsOptional()
  @IsUUID()
  owner_id?: string;

  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    maxItems: 200,
    description: 'Model ids the key may call (gateway and conversations); omitted: every model',
  })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty({ message: 'models must name at least one model (omit it for every model)' })
  @ArrayMaxSize(200)
  @IsUUID('all', { each: true, message: 'each of models must be a model id' })
  models?: string[];
}

export class ApiKeyListQuery {
  @ApiPropertyOptional({ format: 'uuid', description: "Admins only: another user's keys" })
  @IsOptional()
  @IsUUID()
  owner_id?: string;
}

export class ApiKeyResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ example: 'sbk_Xy12ab', description: 'The first characters of the key, to recognise it' }) prefix!: string;
  @ApiProperty({ format: 'uuid' }) owner_id!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expires_at!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) last_used_at!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revoked_at!: string | null;
  @ApiProperty({ type: [String], format: 'uuid', nullable: true, description: 'The models it may call; null: every model' })
  models!: string[] | null;
}

export class CreatedApiKeyResponse extends ApiKeyResponse {
  @ApiProperty({ description: 'The key itself. Shown this once; store it now.', example: 'sbk_Xy12ab…' })
  secret!: string;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toApiKeyResponse(k: ApiKey): ApiKeyResponse {
  return {
    id: k.id,
    name: k.name,
    role: k.role,
    prefix: k.prefix,
    owner_id: k.ownerId,
    created_at: k.createdAt.toISOString(),
    expires_at: iso(k.expiresAt),
    last_used_at: iso(k.lastUsedAt),
    revoked_at: iso(k.revokedAt),
    models: k.models ?? null,
  };
}
