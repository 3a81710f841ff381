import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, ValidateIf } from 'class-validator';
import { SETTING_TYPES, type SettingType } from '../settings.registry.js';

export class PutSettingRequest {
  @ApiProperty({ description: 'The new value; its type depends on the key (null only where the setting allows none)', example: 3 })
  // Null is a value (a model setting's "none"); only a missing value is refused here.
  @ValidateIf((_, value) => value !== null)
  @IsDefined()
  value!: unknown;
}

export class SettingResponse {
  @ApiProperty({ example: 'upstream.max_retries' }) key!: string;
  @ApiProperty({ description: 'Current value (the default when never set)' }) value!: unknown;
  @ApiProperty() default!: unknown;
  @ApiProperty({
    enum: SETTING_TYPES,
    enumName: 'SettingType',
    description: 'What the value holds: boolean, integer, string_list (strings), or generation_model (a model id, or null for none)',
  })
  type!: SettingType;
  @ApiProperty() description!: string;
  @ApiProperty({ description: 'Whether an admin has set it' }) is_set!: boolean;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) updated_by!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) updated_at!: string | null;
}
