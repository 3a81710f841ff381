import { ApiProperty, ApiPropertyOptional, type ApiBody } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQuery } from '../../common/pagination.js';
import { DOCUMENT_STATUSES, type DocumentStatus } from '../document.entity.js';
import { ErrorDto } from './knowledge-base.dto.js';

export class DocumentListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: DOCUMENT_STATUSES })
  @IsOptional()
  @IsIn(DOCUMENT_STATUSES)
  status?: DocumentStatus;
}

export class ProgressDto {
  @ApiProperty({ description: 'Chunks embedded' }) done!: number;
  @ApiProperty({ description: 'Chunks in the document' }) total!: number;
}

export class DocumentResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) knowledge_base_id!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ type: String, nullable: true }) filename!: string | null;
  @ApiProperty({ example: 'text/markdown' }) media_type!: string;
  @ApiProperty() size_bytes!: number;
  @ApiProperty({ description: 'SHA-256 of the uploaded bytes (hex)' }) content_hash!: string;
  @ApiProperty({ enum: DOCUMENT_STATUSES }) status!: DocumentStatus;
  @ApiProperty({ type: ProgressDto }) progress!: ProgressDto;
  @ApiProperty({ type: ErrorDto, nullable: true }) error!: ErrorDto | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) uploaded_by!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) indexed_at!: string | null;
}

export class UploadResponse {
  @ApiProperty({ type: DocumentResponse }) document!: DocumentResponse;
  @ApiProperty({ description: 'True when the same file was already in the knowledge base: nothing was changed' }) duplicate!: boolean;
  @ApiProperty({ example: 'Indexing 12 chunks in the background' }) detail!: string;
}

export class DocumentPage {
  @ApiProperty({ type: [DocumentResponse] }) items!: DocumentResponse[];
  @ApiProperty() page!: number;
  @ApiProperty() page_size!: number;
  @ApiProperty() total!: number;
}

type SchemaObject = Extract<Parameters<typeof ApiBody>[0], { schema: unknown }>['schema'];

export const UPLOAD_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['file'],
  properties: {
    file: { type: 'string', format: 'binary', description: 'Plain text, Markdown, HTML or PDF' },
    title: {
      type: 'string',
      maxLength: 200,
      description: 'Defaults to the document’s own title (H1, <title>, PDF metadata) or the file name',
    },
  },
};
