import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { PageQuery } from '../../common/pagination.js';
import { DISTANCE_METRICS } from '../retrieval/vector-math.js';
import { Trim } from '../../common/field-checks.js';

export class CreateKnowledgeBaseRequest {
  @ApiProperty({ example: 'HR policies', maxLength: 100, description: 'Unique (case-insensitive)' })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name!: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string | null;

  @ApiProperty({
    format: 'uuid',
    description: 'An active embedding model; its `dimensions` become the knowledge base’s, fixed from then on',
  })
  @IsUUID()
  embedding_model_id!: string;

  @ApiProperty({ format: 'uuid', description: 'An active generation model: the default of conversations on this knowledge base' })
  @IsUUID()
  generation_model_id!: string;

  @ApiPropertyOptional({
    minimum: 64,
    maximum: 4096,
    default: 400,
    description: 'Largest chunk in tokens (capped by the model’s max_tokens)',
  })
  @IsOptional()
  @IsInt()
  @Min(64)
  @Max(4096)
  chunk_size?: number;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 2048,
    default: 50,
    description: 'Tokens repeated between neighbouring chunks; at most half of chunk_size',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2048)
  chunk_overlap?: number;
}

export class UpdateKnowledgeBaseRequest {
  @ApiPropertyOptional({ maxLength: 100, example: 'HR policies 2025' })
  @IsOptional()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name?: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 1000 })
  @ValidateIf((o: UpdateKnowledgeBaseRequest) => o.description !== null && o.description !== undefined)
  @IsString()
  @MaxLength(1000)
  description?: string | null;

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      'Another embedding model of the same dimensions starts a re-embed onto it; other dimensions are refused (422): use POST /knowledge-bases/{id}/reembed',
  })
  @IsOptional()
  @IsUUID()
  embedding_model_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  generation_model_id?: string;

  @ApiPropertyOptional({ minimum: 64, maximum: 4096, description: 'Applies to documents uploaded from now on' })
  @IsOptional()
  @IsInt()
  @Min(64)
  @Max(4096)
  chunk_size?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 2048, description: 'Applies to documents uploaded from now on' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2048)
  chunk_overlap?: number;
}

export class ReembedRequest {
  @ApiProperty({
    format: 'uuid',
    description: 'The embedding model to build the new index with (any dimensions)',
    example: '7c2e9b14-6a3f-4d58-b0e1-93f5a2c8d746',
  })
  @IsUUID()
  embedding_model_id!: string;
}

export class KnowledgeBaseListQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Matches the name (case-insensitive)', maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  search?: string;
}

export class ModelRef {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
}

export class DocumentCounts {
  @ApiProperty() total!: number;
  @ApiProperty() pending!: number;
  @ApiProperty() indexing!: number;
  @ApiProperty() indexed!: number;
  @ApiProperty() failed!: number;
}

export class ErrorDto {
  @ApiProperty({ example: 'authentication_error' }) class!: string;
  @ApiProperty() message!: string;
}

export class ReembedStatus {
  @ApiProperty({ enum: ['building', 'failed'] }) status!: 'building' | 'failed';
  @ApiProperty({ type: ModelRef }) embedding_model!: ModelRef;
  @ApiProperty() dimensions!: number;
  @ApiProperty({ description: 'Chunks embedded into the new index' }) done!: number;
  @ApiProperty({ description: 'Chunks to embed' }) total!: number;
  @ApiProperty({ type: ErrorDto, nullable: true }) error!: ErrorDto | null;
  @ApiProperty({ format: 'date-time' }) started_at!: string;
}

export class KnowledgeBaseResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty({ type: ModelRef, description: 'The model searches embed queries with' }) embedding_model!: ModelRef;
  @ApiProperty({ type: ModelRef }) generation_model!: ModelRef;
  @ApiProperty({ description: 'Vector dimensions of the active index' }) dimensions!: number;
  @ApiProperty({ enum: DISTANCE_METRICS, description: 'From the embedding model’s distance_metric' }) distance_metric!: string;
  @ApiProperty() chunk_size!: number;
  @ApiProperty() chunk_overlap!: number;
  @ApiProperty({ type: DocumentCounts }) documents!: DocumentCounts;
  @ApiProperty() chunk_count!: number;
  @ApiProperty({ type: ReembedStatus, nullable: true, description: 'The index being built beside the active one' })
  reembed!: ReembedStatus | null;
  @ApiProperty({ enum: ['pgvector', 'exact'], description: 'How this server searches vectors' }) vector_search!: 'pgvector' | 'exact';
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

export class KnowledgeBasePage {
  @ApiProperty({ type: [KnowledgeBaseResponse] }) items!: KnowledgeBaseResponse[];
  @ApiProperty() page!: number;
  @ApiProperty() page_size!: number;
  @ApiProperty() total!: number;
}
