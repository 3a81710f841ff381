import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsApiBase, IsApiVersion, ProviderConfigDto } from '../../providers/dto/provider.dto.js';
import { MODEL_TYPES, PROVIDER_KINDS, type ModelType, type ProviderKind } from '../../providers/provider-kinds.js';
import { Trim } from '../../common/field-checks.js';

/** Optionally name a model to check upstream and probe. */
export class TestProviderRequest {
  @ApiPropertyOptional({
    maxLength: 200,
    example: 'gpt-4o-mini',
    description: 'Also check that the upstream serves this model and probe it',
  })
  @IsOptional()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  model_id?: string;

  @ApiPropertyOptional({ enum: MODEL_TYPES, default: 'generation', description: 'How to probe model_id' })
  @IsOptional()
  @IsIn(MODEL_TYPES)
  model_type?: ModelType;

  @ApiPropertyOptional({ minimum: 1, maximum: 65536, example: 1536, description: 'embedding: the vector length the model must return' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(65_536)
  dimensions?: number;
}

/**
 * Settings from the console's form, tested before they are saved. With `provider_id` the stored
 * provider fills in what is not given, and `use_stored_key` sends its key, but only to the same
 * endpoint (the rule of keep_api_key on update).
 */
export class TestProviderSettingsRequest extends TestProviderRequest {
  @ApiPropertyOptional({ format: 'uuid', description: 'A saved provider whose settings are being edited' })
  @IsOptional()
  @IsUUID()
  provider_id?: string;

  @ApiPropertyOptional({ description: 'With provider_id: send the stored key (refused when api_base changes)' })
  @IsOptional()
  @IsBoolean()
  use_stored_key?: boolean;

  @ApiPropertyOptional({ enum: PROVIDER_KINDS, description: 'Required without provider_id' })
  @ValidateIf((o: TestProviderSettingsRequest) => !o.provider_id || o.kind !== undefined)
  @IsIn(PROVIDER_KINDS)
  kind?: ProviderKind;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'https://api.openai.com/v1' })
  @IsApiBase()
  api_base?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: '2024-10-21' })
  @IsApiVersion()
  api_version?: string | null;

  @ApiPropertyOptional({ type: String, writeOnly: true, description: 'Used for this test only; never stored or returned' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  api_key?: string;

  @ApiPropertyOptional({ type: ProviderConfigDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ProviderConfigDto)
  config?: ProviderConfigDto;
}
