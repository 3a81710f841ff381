import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';

export class ImportLitellmRequest {
  @ApiProperty({
    description: 'The LiteLLM config.yaml text',
    example: 'model_list:\n  - model_name: gpt-4o-mini\n    litellm_params:\n      model: openai/gpt-4o-mini\n',
  })
  @IsString()
  @MaxLength(5_000_000)
  yaml!: string;
}

export class ImportLitellmQuery {
  @ApiPropertyOptional({ description: 'Only show what would change', default: false })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  dry_run?: boolean;
}

export class ImportPlanItem {
  @ApiProperty({ enum: ['create', 'update', 'unchanged'] }) action!: 'create' | 'update' | 'unchanged';
  @ApiProperty({ enum: ['provider', 'model'] }) entity!: 'provider' | 'model';
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) id!: string | null;
  @ApiPropertyOptional({ type: [String], description: 'Fields that change' }) fields?: string[];
}

export class ImportPlanResponse {
  @ApiProperty({ description: 'True when nothing was written' }) dry_run!: boolean;
  @ApiProperty({ type: [ImportPlanItem] }) items!: ImportPlanItem[];
  @ApiProperty({ type: [String], description: 'Things to do after the import (keys to enter, …)' }) warnings!: string[];
}
