import { ApiProperty } from '@nestjs/swagger';
import { IsDefined } from 'class-validator';

export class PutSettingRequest {
  @ApiProperty({ description: 'The new value; its type depends on the key', example: 3 })
  @IsDefined()
  value!: unknown;
}

export class SettingResponse {
  @ApiProperty({ example: 'upstream.max_retries' }) key!: string;
  @ApiProperty({ description: 'Current value (the default when never set)' }) value!: unknown;
  @ApiProperty() default!: unknown;
  @ApiProperty() description!: string;
  @ApiProperty({ description: 'Whether an admin has set it' }) is_set!: boolean;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) updated_by!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) updated_at!: string | null;
}
