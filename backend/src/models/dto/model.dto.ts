import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsISO8601,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsDecimalAmount } from '../../common/decimal.js';
import { PageQuery } from '../../common/pagination.js';
import { MODEL_TYPES, PROVIDER_KINDS, type ModelType } from '../../providers/provider-kinds.js';
import { TestResultDto } from '../../providers/dto/provider.dto.js';
import { MODEL_STATUSES, type ModelStatus } from '../model.entity.js';
import { Trim } from '../../common/field-checks.js';

const CAPABILITY = /^[a-z][a-z0-9_]{0,39}$/;

export class PricingDto {
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'number' }], example: '0.15', description: 'USD per million input tokens' })
  @IsDecimalAmount()
  input_per_million!: string | number;

  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'number' }], example: '0.60', description: 'USD per million output tokens' })
  @IsDecimalAmount()
  output_per_million!: string | number;
}

const PARAMS_DOC = {
  type: 'object',
  additionalProperties: true,
  description:
    'By type. generation: context_window, max_output_tokens (≤ context_window), temperature 0–2, top_p 0–1, top_k ≥ 1. ' +
    'embedding: dimensions (required, > 0), max_tokens, normalize, distance_metric cosine|dot|euclidean, batch_size 1–2048. ' +
    'ner: context_window, max_output_tokens, temperature, entity_types. Unknown parameters are refused.',
  example: { context_window: 128000, max_output_tokens: 4096, temperature: 0.7 },
} as const;

export class CreateModelRequest {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  provider_id!: string;

  @ApiProperty({ example: 'GPT-4o mini', maxLength: 100, description: 'Unique; the name callers use' })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  display_name!: string;

  @ApiProperty({ example: 'gpt-4o-mini', maxLength: 200, description: 'The upstream’s name for it (Azure: the deployment)' })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  model_id!: string;

  @ApiProperty({ enum: MODEL_TYPES })
  @IsIn(MODEL_TYPES)
  type!: ModelType;

  @ApiPropertyOptional({ enum: MODEL_STATUSES, default: 'active' })
  @IsOptional()
  @IsIn(MODEL_STATUSES)
  status?: ModelStatus;

  @ApiPropertyOptional(PARAMS_DOC)
  @IsOptional()
  @IsObject()
  params?: Record<string, unknown>;

  @ApiPropertyOptional({ type: PricingDto, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => PricingDto)
  pricing?: PricingDto | null;

  @ApiPropertyOptional({ type: [String], example: ['streaming', 'tools', 'vision'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(30)
  @Matches(CAPABILITY, { each: true, message: 'each capability must be a lower_snake_case word' })
  capabilities?: string[];

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description: 'When calls stop reaching this model' })
  @IsOptional()
  @IsISO8601({ strict: true })
  sunset_at?: string | null;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'Active model of the same type that replaces it' })
  @IsOptional()
  @IsUUID()
  successor_id?: string | null;
}

export class UpdateModelRequest {
  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  display_name?: string;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  model_id?: string;

  @ApiPropertyOptional({ enum: MODEL_STATUSES, description: 'Same rules as /models/bulk' })
  @IsOptional()
  @IsIn(MODEL_STATUSES)
  status?: ModelStatus;

  @ApiPropertyOptional({ ...PARAMS_DOC, description: `Replaces all parameters. ${PARAMS_DOC.description}` })
  @IsOptional()
  @IsObject()
  params?: Record<string, unknown>;

  @ApiPropertyOptional({ type: PricingDto, nullable: true, description: 'null removes the price' })
  @ValidateIf((o: UpdateModelRequest) => o.pricing !== null && o.pricing !== undefined)
  @ValidateNested()
  @Type(() => PricingDto)
  pricing?: PricingDto | null;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(30)
  @Matches(CAPABILITY, { each: true, message: 'each capability must be a lower_snake_case word' })
  capabilities?: string[];

  @ApiPropertyOptional({ type: String, nullable: true })
  @ValidateIf((o: UpdateModelRequest) => o.description !== null && o.description !== undefined)
  @IsString()
  @MaxLength(1000)
  description?: string | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  @ValidateIf((o: UpdateModelRequest) => o.sunset_at !== null && o.sunset_at !== undefined)
  @IsISO8601({ strict: true })
  sunset_at?: string | null;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true })
  @ValidateIf((o: UpdateModelRequest) => o.successor_id !== null && o.successor_id !== undefined)
  @IsUUID()
  successor_id?: string | null;
}

export const MODEL_SORTS = ['display_name', 'created_at', 'updated_at', 'type', 'status', 'provider'] as const;

export class ModelListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: MODEL_TYPES })
  @IsOptional()
  @IsIn(MODEL_TYPES)
  type?: ModelType;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  provider_id?: string;

  @ApiPropertyOptional({ enum: MODEL_STATUSES })
  @IsOptional()
  @IsIn(MODEL_STATUSES)
  status?: ModelStatus;

  @ApiPropertyOptional({ description: 'Matches display name or model id (case-insensitive)' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  search?: string;

  @ApiPropertyOptional({ enum: MODEL_SORTS, default: 'display_name' })
  @IsOptional()
  @IsIn(MODEL_SORTS)
  sort?: (typeof MODEL_SORTS)[number];

  @ApiPropertyOptional({ enum: ['asc', 'desc'], default: 'asc' })
  @IsOptional()
  @IsIn(['asc', 'desc'])
  order?: 'asc' | 'desc';
}

export const BULK_ACTIONS = ['activate', 'deactivate', 'deprecate'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

export class BulkModelsRequest {
  @ApiProperty({ enum: BULK_ACTIONS, example: 'deprecate' })
  @IsIn(BULK_ACTIONS)
  action!: BulkAction;

  @ApiProperty({ type: [String], format: 'uuid', minItems: 1, maxItems: 500, example: ['0b6f3c1e-5d2a-4c8e-9f41-7a2d9e6b1c30'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @IsUUID('all', { each: true })
  ids!: string[];

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'deprecate: the model that takes over',
    example: '5e1d8a47-2b9c-4f03-8d6e-1c7a4b2f9e85',
  })
  @IsOptional()
  @IsUUID()
  successor_id?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'deprecate: when calls stop', example: '2026-03-31T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  sunset_at?: string;
}

export class ProviderRef {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: PROVIDER_KINDS }) kind!: string;
}

export class PricingResponse {
  @ApiProperty({ example: '0.15' }) input_per_million!: string;
  @ApiProperty({ example: '0.6' }) output_per_million!: string;
  @ApiProperty({ enum: ['USD'] }) currency!: 'USD';
}

export class ModelResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: ProviderRef }) provider!: ProviderRef;
  @ApiProperty() display_name!: string;
  @ApiProperty() model_id!: string;
  @ApiProperty({ enum: MODEL_TYPES }) type!: ModelType;
  @ApiProperty({ enum: MODEL_STATUSES }) status!: ModelStatus;
  @ApiProperty({ description: 'The default model of its type' }) is_default!: boolean;
  @ApiProperty({ type: 'object', additionalProperties: true }) params!: Record<string, unknown>;
  @ApiProperty({ type: PricingResponse, nullable: true }) pricing!: PricingResponse | null;
  @ApiProperty({ type: [String] }) capabilities!: string[];
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When it was deprecated' }) deprecated_at!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) sunset_at!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) successor_id!: string | null;
  @ApiProperty({ type: TestResultDto, nullable: true }) last_test!: TestResultDto | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

export class DefaultsDto {
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) generation!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) embedding!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) ner!: string | null;
}

export class ModelPage {
  @ApiProperty({ type: [ModelResponse] }) items!: ModelResponse[];
  @ApiProperty() page!: number;
  @ApiProperty() page_size!: number;
  @ApiProperty() total!: number;
  @ApiProperty({ type: DefaultsDto, description: 'The default model of each type' }) defaults!: DefaultsDto;
}

export class BulkModelsResponse {
  @ApiProperty({ type: [ModelResponse] }) items!: ModelResponse[];
}

export class NamedRef {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
}

export class DependentsResponse {
  @ApiProperty({ type: [NamedRef], description: 'Knowledge bases bound to the model(s)' }) knowledge_bases!: NamedRef[];
  @ApiProperty({ type: [NamedRef], description: 'Conversations using the model(s)' }) conversations!: NamedRef[];
  @ApiProperty({ type: [NamedRef], description: 'Models that name it as their successor' }) successor_of!: NamedRef[];
  @ApiProperty({ enum: MODEL_TYPES, isArray: true, description: 'Types whose default slot it holds' }) default_for!: ModelType[];
  @ApiProperty({ type: [NamedRef], description: 'Provider only: its models' }) models!: NamedRef[];
  @ApiProperty({ type: [String], description: 'Settings that name the model(s), e.g. conversations.title_model' }) settings!: string[];
  @ApiProperty({ description: 'True when a delete would be refused' }) blocks_delete!: boolean;
}
