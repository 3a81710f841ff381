import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldErrorDto {
  @ApiProperty({ example: 'params.temperature' }) field!: string;
  @ApiProperty({ example: 'temperature must not be greater than 2' }) message!: string;
  @ApiPropertyOptional({ example: 'max' }) code?: string;
}

export class RefusalDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() reason!: string;
}

/** RFC 9457 problem details as every error is sent (`application/problem+json`). */
export class ProblemResponse {
  @ApiProperty({ example: 'urn:switchboard:problem:validation_failed' }) type!: string;
  @ApiProperty({ example: 'Unprocessable Content' }) title!: string;
  @ApiProperty({ example: 422 }) status!: number;
  @ApiProperty({ example: 'The request has 1 invalid field: name' }) detail!: string;
  @ApiPropertyOptional({ example: '/api/v1/models' }) instance?: string;
  @ApiProperty({ example: 'validation_failed', description: 'Stable machine-readable code' }) code!: string;
  @ApiProperty({ example: '9b1f0c7e-3a51-4c1e-9a0d-2f4f3b7f8a11' }) request_id!: string;
  @ApiPropertyOptional({ type: [FieldErrorDto] }) errors?: FieldErrorDto[];
  @ApiPropertyOptional({
    type: [RefusalDto],
    description: 'Bulk refusals: why each model was refused (400), or which were not found (404)',
  })
  items?: RefusalDto[];
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'What depends on the thing (409 in use): see the dependents endpoints',
  })
  dependents?: Record<string, unknown>;
  @ApiPropertyOptional({ description: 'Upstream failures: authentication_error, timeout_error, …' }) error_class?: string;
  @ApiPropertyOptional({ type: Number, nullable: true, description: 'Upstream failures: the status the upstream answered' })
  upstream_status?: number | null;
  @ApiPropertyOptional({ format: 'uuid', description: 'A failed chat turn: the stored user message' }) user_message_id?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'A failed chat turn: the stored (failed or cancelled) reply' })
  assistant_message_id?: string;
  @ApiPropertyOptional({ description: '413 upload: the largest size accepted, in bytes' }) max_bytes?: number;
  @ApiPropertyOptional({ type: [String], description: '415 upload: the media types accepted' }) supported?: string[];
  @ApiPropertyOptional({ format: 'uuid', description: 'A refused deprecated model: its successor' }) successor_id?: string;
}
