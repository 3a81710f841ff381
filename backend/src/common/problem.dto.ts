import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldErrorDto {
  @ApiProperty({ example: 'params.temperature' }) field!: string;
  @ApiProperty({ example: 'temperature must not be greater than 2' }) message!: string;
  @ApiPropertyOptional({ example: 'max' }) code?: string;
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
}
