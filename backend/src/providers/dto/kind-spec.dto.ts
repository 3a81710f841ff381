import { ApiProperty } from '@nestjs/swagger';
import { CONFIG_FIELDS, MODEL_TYPES, PROVIDER_KINDS } from '../provider-kinds.js';

const REQUIREMENTS = ['required', 'optional', 'unused'];

class ApiBaseSpecDto {
  @ApiProperty({ enum: REQUIREMENTS }) requirement!: string;
  @ApiProperty({ type: String, nullable: true }) default!: string | null;
  @ApiProperty() placeholder!: string;
}

class RequirementSpecDto {
  @ApiProperty({ enum: REQUIREMENTS }) requirement!: string;
}

class ApiVersionSpecDto {
  @ApiProperty({ enum: REQUIREMENTS }) requirement!: string;
  @ApiProperty({ type: String, nullable: true }) default!: string | null;
}

export class KindSpecResponse {
  @ApiProperty({ enum: PROVIDER_KINDS }) kind!: string;
  @ApiProperty() label!: string;
  @ApiProperty({ type: ApiBaseSpecDto }) api_base!: ApiBaseSpecDto;
  @ApiProperty({ type: RequirementSpecDto }) api_key!: RequirementSpecDto;
  @ApiProperty({ type: ApiVersionSpecDto }) api_version!: ApiVersionSpecDto;
  @ApiProperty({ enum: MODEL_TYPES, isArray: true, description: 'Model types this kind can serve' }) model_types!: string[];
  @ApiProperty({ enum: CONFIG_FIELDS, isArray: true, description: 'config members this kind accepts' }) config_fields!: string[];
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) litellm_prefix!: Record<string, string>;
  @ApiProperty() docs_url!: string;
}
