import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { PROVIDER_KINDS, type ProviderKind } from '../provider-kinds.js';
import { PROVIDER_STATUSES, type ProviderStatus } from '../provider.entity.js';
import { fieldChecks, Trim } from '../../common/field-checks.js';

export class ProviderConfigDto {
  @ApiPropertyOptional({ minimum: 1000, maximum: 600000, example: 30000, description: 'Upstream timeout; default from settings (30 s)' })
  @IsOptional()
  @IsInt()
  @Min(1000)
  @Max(600_000)
  timeout_ms?: number;

  @ApiPropertyOptional({ example: 'org-abc123', description: 'OpenAI organisation' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  organization?: string;

  @ApiPropertyOptional({ example: 'proj_abc123', description: 'OpenAI project' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  project?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { 'x-team': 'search' },
    description: 'Extra non-secret headers sent upstream; credentials belong in api_key',
  })
  @IsOptional()
  @IsObject()
  extra_headers?: Record<string, string>;
}

export class ProviderLimitsDto {
  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 1, example: 8, description: 'Calls in flight at once' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  max_concurrency?: number | null;

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 1, example: 500, description: 'Requests per minute' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  rpm?: number | null;

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 1, example: 200000, description: 'Tokens per minute' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  tpm?: number | null;
}

const URL_PATTERN = /^https?:\/\/[^\s/?#]+(:\d+)?(\/[^\s?#]*)?$/i;

/** An upstream's base URL, where one is given: http(s), no query or fragment. */
export const IsApiBase = () =>
  fieldChecks(
    IsOptional(),
    Trim(),
    IsString(),
    MaxLength(500),
    Matches(URL_PATTERN, { message: 'api_base must be an http(s) URL without query or fragment' }),
  );

/** Azure's API version, where one is given. */
export const IsApiVersion = () =>
  fieldChecks(
    IsOptional(),
    IsString(),
    Matches(/^\d{4}-\d{2}-\d{2}(-preview)?$/, { message: 'api_version must look like 2024-10-21 or 2025-01-01-preview' }),
  );

export class CreateProviderRequest {
  @ApiProperty({ example: 'OpenAI production', maxLength: 100 })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name!: string;

  @ApiProperty({ enum: PROVIDER_KINDS, example: 'openai' })
  @IsIn(PROVIDER_KINDS)
  kind!: ProviderKind;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'https://api.openai.com/v1',
    description: 'Required or defaulted per kind (see /providers/kinds)',
  })
  @IsApiBase()
  api_base?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '2024-10-21',
    description: 'Azure only; omitted or null: the kind’s default',
  })
  @IsApiVersion()
  api_version?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, writeOnly: true, example: 'sk-…', description: 'Stored encrypted; never returned' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  api_key?: string | null;

  @ApiPropertyOptional({ type: ProviderConfigDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ProviderConfigDto)
  config?: ProviderConfigDto;

  @ApiPropertyOptional({ type: ProviderLimitsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ProviderLimitsDto)
  limits?: ProviderLimitsDto;

  @ApiPropertyOptional({ enum: PROVIDER_STATUSES, default: 'active' })
  @IsOptional()
  @IsIn(PROVIDER_STATUSES)
  status?: ProviderStatus;
}

export class UpdateProviderRequest {
  @ApiPropertyOptional({ maxLength: 100, example: 'OpenAI (production)' })
  @IsOptional()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name?: string;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Changing it needs the key again, or keep_api_key: true' })
  @IsApiBase()
  api_base?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Azure only; null: the kind’s default' })
  @IsApiVersion()
  api_version?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, writeOnly: true, description: 'Omit to keep the stored key; null clears it' })
  @ValidateIf((o: UpdateProviderRequest) => o.api_key !== null && o.api_key !== undefined)
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  api_key?: string | null;

  @ApiPropertyOptional({ description: 'When changing api_base: keep sending the stored key to the new endpoint' })
  @IsOptional()
  @IsBoolean()
  keep_api_key?: boolean;

  @ApiPropertyOptional({ type: ProviderConfigDto, description: 'Replaces the whole config' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ProviderConfigDto)
  config?: ProviderConfigDto;

  @ApiPropertyOptional({ type: ProviderLimitsDto, description: 'Members given replace the stored ones; null removes a limit' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ProviderLimitsDto)
  limits?: ProviderLimitsDto;

  @ApiPropertyOptional({ enum: PROVIDER_STATUSES })
  @IsOptional()
  @IsIn(PROVIDER_STATUSES)
  status?: ProviderStatus;
}

export class DeleteProviderQuery {
  @ApiPropertyOptional({ enum: ['models'], description: 'Also delete this provider’s models that nothing depends on' })
  @IsOptional()
  @IsIn(['models'])
  cascade?: 'models';
}

export class ProviderListQuery {
  @ApiPropertyOptional({ enum: PROVIDER_KINDS })
  @IsOptional()
  @IsIn(PROVIDER_KINDS)
  kind?: ProviderKind;

  @ApiPropertyOptional({ enum: PROVIDER_STATUSES })
  @IsOptional()
  @IsIn(PROVIDER_STATUSES)
  status?: ProviderStatus;

  @ApiPropertyOptional({ description: 'Matches the name or endpoint' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  search?: string;
}

export const TEST_STAGES = ['dns', 'connect', 'auth', 'model', 'probe'] as const;
export const STAGE_STATUSES = ['ok', 'skipped', 'failed'] as const;

export class TestStageDto {
  @ApiProperty({ enum: TEST_STAGES }) stage!: string;
  @ApiProperty({ enum: STAGE_STATUSES }) status!: string;
  @ApiProperty({ description: 'Time the stage took' }) latency_ms!: number;
  @ApiProperty({ type: String, nullable: true, example: 'api.openai.com → 162.159.140.245' }) detail!: string | null;
}

/** A connection test: each stage in order, the first failing one and a one-line explanation with the fix. */
export class TestResultDto {
  @ApiProperty() ok!: boolean;
  @ApiProperty({ format: 'date-time' }) tested_at!: string;
  @ApiProperty({ description: 'Whole test' }) latency_ms!: number;
  @ApiProperty({ enum: TEST_STAGES, nullable: true, example: 'auth', description: 'The first stage that failed' }) failed_stage!:
    string | null;
  @ApiProperty({ type: String, nullable: true, example: 'authentication_error', description: 'See the error classes in docs' })
  error_class!: string | null;
  @ApiProperty({ type: Number, nullable: true, example: 401, description: 'HTTP status the upstream answered with' })
  upstream_status!: number | null;
  @ApiProperty({ type: String, nullable: true, example: 'the key was rejected by api.openai.com (401): check the key' })
  message!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The model probed (upstream id)' }) model_id!: string | null;
  @ApiProperty({ type: [TestStageDto] }) stages!: TestStageDto[];
}

export class ProviderLimitsResponse {
  @ApiProperty({ type: Number, nullable: true }) max_concurrency!: number | null;
  @ApiProperty({ type: Number, nullable: true }) rpm!: number | null;
  @ApiProperty({ type: Number, nullable: true }) tpm!: number | null;
}

export class ProviderResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: PROVIDER_KINDS }) kind!: ProviderKind;
  @ApiProperty({ type: String, nullable: true, description: 'As configured (null: the kind’s default)' }) api_base!: string | null;
  @ApiProperty({ description: 'The endpoint calls go to' }) effective_api_base!: string;
  @ApiProperty({ type: String, nullable: true }) api_version!: string | null;
  @ApiProperty() has_api_key!: boolean;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'a1b2',
    description: 'Last four characters of the stored key; null when none is stored or it is shorter than 12 characters',
  })
  api_key_last4!: string | null;
  @ApiProperty({ type: ProviderConfigDto }) config!: ProviderConfigDto;
  @ApiProperty({ type: ProviderLimitsResponse }) limits!: ProviderLimitsResponse;
  @ApiProperty({ enum: PROVIDER_STATUSES }) status!: ProviderStatus;
  @ApiProperty({ type: TestResultDto, nullable: true }) last_test!: TestResultDto | null;
  @ApiProperty({
    enum: ['closed', 'open', 'half_open'],
    description:
      'Circuit breaker on this instance: open means calls fail fast after repeated failures; half_open, one trial call is in flight',
  })
  circuit_state!: 'closed' | 'open' | 'half_open';
  @ApiProperty({ description: 'Models registered on this provider' }) model_count!: number;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}
