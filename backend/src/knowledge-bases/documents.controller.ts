import { Controller, Delete, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiConsumes,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ALL_ROLES, CurrentActor, Roles } from '../auth/roles.decorator.js';
import type { Actor } from '../common/actor.js';
import { IdParam } from '../common/id-param.js';
import { ProblemResponse } from '../common/problem.dto.js';
import { DocumentsService } from './documents.service.js';
import { DocumentListQuery, DocumentPage, DocumentResponse, UPLOAD_SCHEMA, UploadResponse } from './dto/document.dto.js';
import { multipartUpload } from './upload-reader.js';

@ApiTags('knowledge-bases')
@Controller('knowledge-bases/:id/documents')
export class DocumentsController {
  constructor(private readonly documents: DocumentsService) {}

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Upload a document (text, Markdown, HTML, PDF); it is chunked now and embedded in the background' })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: UPLOAD_SCHEMA })
  @ApiAcceptedResponse({ type: UploadResponse, description: 'Accepted; GET the document for progress' })
  @ApiOkResponse({ type: UploadResponse, description: 'The same file was already uploaded: nothing changed (`duplicate: true`)' })
  @ApiPayloadTooLargeResponse({ description: 'Larger than knowledge.max_upload_bytes', type: ProblemResponse })
  @ApiUnsupportedMediaTypeResponse({ description: 'Not a supported type; the message names them', type: ProblemResponse })
  async uploadDocument(
    @CurrentActor() actor: Actor,
    @IdParam() id: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UploadResponse> {
    const result = await this.documents.upload(actor, id, multipartUpload(request));
    void reply.status(result.duplicate ? 200 : 202);
    return result;
  }

  @Get()
  @Roles(...ALL_ROLES)
  @ApiOperation({ summary: 'Documents of a knowledge base, newest first, with indexing progress' })
  @ApiOkResponse({ type: DocumentPage })
  listDocuments(@IdParam() id: string, @Query() query: DocumentListQuery): Promise<DocumentPage> {
    return this.documents.list(id, query);
  }

  @Get(':documentId')
  @Roles(...ALL_ROLES)
  @ApiOperation({ summary: 'One document: status pending → indexing (progress done/total) → indexed or failed with the error' })
  @ApiOkResponse({ type: DocumentResponse })
  getDocument(@IdParam() id: string, @IdParam('documentId') documentId: string): Promise<DocumentResponse> {
    return this.documents.get(id, documentId);
  }

  @Delete(':documentId')
  @Roles('admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a document with its chunks and vectors' })
  @ApiNoContentResponse()
  deleteDocument(@CurrentActor() actor: Actor, @IdParam() id: string, @IdParam('documentId') documentId: string): Promise<void> {
    return this.documents.remove(actor, id, documentId);
  }

  @Post(':documentId/retry')
  @Roles('admin')
  @HttpCode(202)
  @ApiOperation({ summary: 'Retry a failed document: its chunks without a vector are queued again' })
  @ApiAcceptedResponse({ type: DocumentResponse })
  retryDocument(@CurrentActor() actor: Actor, @IdParam() id: string, @IdParam('documentId') documentId: string): Promise<DocumentResponse> {
    return this.documents.retry(actor, id, documentId);
  }
}
