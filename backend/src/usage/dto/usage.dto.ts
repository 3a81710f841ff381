import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional } from 'class-validator';

export const GROUP_BY = ['model', 'provider', 'api_key', 'user'] as const;
export const INTERVALS = ['day', 'month'] as const;

export class UsageQuery {
  @ApiPropertyOptional({ enum: GROUP_BY, default: 'model' })
  @IsOptional()
  @IsIn(GROUP_BY)
  group_by: (typeof GROUP_BY)[number] = 'model';

  @ApiPropertyOptional({ enum: INTERVALS, default: 'day' })
  @IsOptional()
  @IsIn(INTERVALS)
  interval: (typeof INTERVALS)[number] = 'day';

  @ApiPropertyOptional({ format: 'date', example: '2026-11-01', description: 'First day (UTC), inclusive; default 30 days ago' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date', example: '2026-11-30', description: 'Last day (UTC), inclusive; default today' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class UsageFigures {
  @ApiProperty() requests!: number;
  @ApiProperty() errors!: number;
  @ApiProperty() input_tokens!: number;
  @ApiProperty() output_tokens!: number;
  @ApiProperty({ example: '12.345', description: 'USD, exact decimal' }) cost_usd!: string;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Estimated from a latency histogram, within the fastest and slowest call',
  })
  latency_p50_ms!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Estimated like latency_p50_ms' }) latency_p95_ms!: number | null;
  @ApiProperty({ type: Number, nullable: true }) latency_avg_ms!: number | null;
}

export class UsagePoint extends UsageFigures {
  @ApiProperty({ example: '2026-11-25', description: 'Day (or first day of the month)' }) period!: string;
  @ApiProperty({ description: 'Id of the model, provider, key or user (the zero UUID: none)' }) key!: string;
  @ApiProperty() label!: string;
}

export class UsageTotal extends UsageFigures {
  @ApiProperty() key!: string;
  @ApiProperty() label!: string;
}

export class UsageReport {
  @ApiProperty({ enum: GROUP_BY }) group_by!: string;
  @ApiProperty({ enum: INTERVALS }) interval!: string;
  @ApiProperty({ format: 'date' }) from!: string;
  @ApiProperty({ format: 'date' }) to!: string;
  @ApiProperty({ type: [UsagePoint] }) series!: UsagePoint[];
  @ApiProperty({ type: [UsageTotal], description: 'Per group over the whole range, largest cost first' }) totals!: UsageTotal[];
}
