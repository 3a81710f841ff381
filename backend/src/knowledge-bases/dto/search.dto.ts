import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export class SearchRequest {
  @ApiProperty({ example: 'How many vacation days do new hires get?', maxLength: 2000 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  query!: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 50, default: 5 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(50)
  top_k?: number;
}

export class SearchHitDto {
  @ApiProperty({ format: 'uuid' }) chunk_id!: string;
  @ApiProperty({ format: 'uuid' }) document_id!: string;
  @ApiProperty({ description: 'The document’s title' }) title!: string;
  @ApiProperty({ type: String, nullable: true, description: 'Heading path of the chunk' }) heading!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Link target in the document (slug, id, page-N)' }) anchor!: string | null;
  @ApiProperty() content!: string;
  @ApiProperty() ordinal!: number;
  @ApiProperty({ description: 'Reciprocal-rank-fusion score (higher is better)' }) score!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Vector similarity under the model’s distance metric' }) similarity!:
    number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Rank in the vector list (1 = closest)' }) vector_rank!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Rank in the full-text list' }) text_rank!: number | null;
}

export class SearchResponse {
  @ApiProperty({ type: [SearchHitDto] }) items!: SearchHitDto[];
  @ApiProperty({ enum: ['pgvector', 'exact'] }) vector_search!: 'pgvector' | 'exact';
  @ApiProperty({ format: 'uuid', description: 'The embedding model the query was embedded with' }) embedding_model_id!: string;
  @ApiProperty() took_ms!: number;
}
