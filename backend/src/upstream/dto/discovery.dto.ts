import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { ModelResponse, NamedRef, ProviderRef } from '../../models/dto/model.dto.js';
import { MODEL_TYPES, type ModelType } from '../../providers/provider-kinds.js';
import { Trim } from '../../common/field-checks.js';

export class SuggestedParamsDto {
  @ApiPropertyOptional({ example: 128000 }) context_window?: number;
  @ApiPropertyOptional({ example: 16384 }) max_output_tokens?: number;
  @ApiPropertyOptional({ example: 1536, description: 'embedding models' }) dimensions?: number;
}

export class DiscoveredModelDto {
  @ApiProperty({ example: 'gpt-4o-mini', description: 'The upstream’s id (model_id when registering)' }) model_id!: string;
  @ApiProperty({ enum: MODEL_TYPES, nullable: true, description: 'Suggested type; null when it serves neither chat nor embeddings' })
  type!: ModelType | null;
  @ApiProperty({ type: SuggestedParamsDto, description: 'Limits the upstream reports, or published ones' }) params!: SuggestedParamsDto;
  @ApiProperty({ description: 'Already registered on this provider' }) registered!: boolean;
  @ApiProperty({ type: [NamedRef], description: 'The registered models using this upstream id' }) registered_as!: NamedRef[];
}

export class DiscoveryResponse {
  @ApiProperty({ type: ProviderRef }) provider!: ProviderRef;
  @ApiProperty({ type: [DiscoveredModelDto] }) models!: DiscoveredModelDto[];
  @ApiProperty({ format: 'date-time' }) fetched_at!: string;
}

export class ImportModelItem {
  @ApiProperty({ maxLength: 200, example: 'gpt-4o-mini' })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  model_id!: string;

  @ApiPropertyOptional({ maxLength: 100, description: 'Default: the model id (with the provider’s name when that is taken)' })
  @IsOptional()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  display_name?: string;

  @ApiPropertyOptional({ enum: MODEL_TYPES, description: 'Default: what discovery suggests' })
  @IsOptional()
  @IsIn(MODEL_TYPES)
  type?: ModelType;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Default: the limits discovery suggests' })
  @IsOptional()
  @IsObject()
  params?: Record<string, unknown>;
}

export class ImportModelsRequest {
  @ApiProperty({
    type: [ImportModelItem],
    minItems: 1,
    maxItems: 200,
    example: [{ model_id: 'gpt-4o-mini' }, { model_id: 'text-embedding-3-small', type: 'embedding' }],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => ImportModelItem)
  models!: ImportModelItem[];
}

export class ImportModelsResponse {
  @ApiProperty({ type: [ModelResponse] }) items!: ModelResponse[];
}
