import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ALL_ROLES, CurrentActor, Roles } from '../auth/roles.decorator.js';
import type { Actor } from '../common/actor.js';
import { IdParam } from '../common/id-param.js';
import { ProblemResponse } from '../common/problem.dto.js';
import { callerOf } from '../usage/usage-caller.js';
import {
  CreateKnowledgeBaseRequest,
  KnowledgeBaseListQuery,
  KnowledgeBasePage,
  KnowledgeBaseResponse,
  ReembedRequest,
  UpdateKnowledgeBaseRequest,
} from './dto/knowledge-base.dto.js';
import { SearchRequest, SearchResponse } from './dto/search.dto.js';
import { KnowledgeBasesService } from './knowledge-bases.service.js';
import { ReembedService } from './reembed.service.js';
import { KnowledgeSearch } from './retrieval/knowledge-search.service.js';

@ApiTags('knowledge-bases')
@Controller('knowledge-bases')
export class KnowledgeBasesController {
  constructor(
    private readonly knowledgeBases: KnowledgeBasesService,
    private readonly reembeds: ReembedService,
    private readonly searches: KnowledgeSearch,
  ) {}

  @Get()
  @Roles(...ALL_ROLES)
  @ApiOperation({ summary: 'List knowledge bases with their models, document counts and re-embed progress' })
  @ApiOkResponse({ type: KnowledgeBasePage })
  listKnowledgeBases(@Query() query: KnowledgeBaseListQuery): Promise<KnowledgeBasePage> {
    return this.knowledgeBases.list(query);
  }

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Create a knowledge base bound to an embedding and a generation model; its dimensions are fixed from then on' })
  @ApiCreatedResponse({ type: KnowledgeBaseResponse })
  @ApiConflictResponse({ description: 'Name in use', type: ProblemResponse })
  createKnowledgeBase(@CurrentActor() actor: Actor, @Body() body: CreateKnowledgeBaseRequest): Promise<KnowledgeBaseResponse> {
    return this.knowledgeBases.create(actor, body);
  }

  @Get(':id')
  @Roles(...ALL_ROLES)
  @ApiOperation({ summary: 'One knowledge base' })
  @ApiOkResponse({ type: KnowledgeBaseResponse })
  getKnowledgeBase(@IdParam() id: string): Promise<KnowledgeBaseResponse> {
    return this.knowledgeBases.get(id);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({
    summary: 'Rename, rebind the generation model, change chunking; another embedding model of the same dimensions starts a re-embed',
  })
  @ApiOkResponse({ type: KnowledgeBaseResponse })
  @ApiUnprocessableEntityResponse({
    description: 'An embedding model of other dimensions (code dimension_mismatch): use reembed',
    type: ProblemResponse,
  })
  updateKnowledgeBase(
    @CurrentActor() actor: Actor,
    @IdParam() id: string,
    @Body() body: UpdateKnowledgeBaseRequest,
  ): Promise<KnowledgeBaseResponse> {
    return this.knowledgeBases.update(actor, id, body);
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a knowledge base with its documents and vectors; its conversations stay, without retrieval' })
  @ApiNoContentResponse()
  deleteKnowledgeBase(@CurrentActor() actor: Actor, @IdParam() id: string): Promise<void> {
    return this.knowledgeBases.remove(actor, id);
  }

  @Post(':id/search')
  @Roles('admin', 'member')
  @HttpCode(200)
  @ApiOperation({ summary: 'Hybrid search: full-text rank and vector similarity fused by reciprocal rank' })
  @ApiOkResponse({ type: SearchResponse })
  async searchKnowledgeBase(@CurrentActor() actor: Actor, @IdParam() id: string, @Body() body: SearchRequest): Promise<SearchResponse> {
    const started = performance.now();
    const outcome = await this.searches.search(id, body.query, body.top_k ?? 5, {
      usage: { caller: callerOf(actor), endpoint: 'knowledge-bases.search' },
    });
    return {
      items: outcome.items,
      vector_search: outcome.mode,
      embedding_model_id: outcome.embeddingModelId,
      took_ms: Math.round(performance.now() - started),
    };
  }

  @Post(':id/reembed')
  @Roles('admin')
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Re-embed onto another embedding model (any dimensions): builds a new index beside the old one, which answers until the cut-over',
  })
  @ApiAcceptedResponse({ type: KnowledgeBaseResponse, description: 'Started (or resumed); `reembed` shows progress' })
  @ApiConflictResponse({ description: 'A re-embed onto another model is under way', type: ProblemResponse })
  async reembedKnowledgeBase(
    @CurrentActor() actor: Actor,
    @IdParam() id: string,
    @Body() body: ReembedRequest,
  ): Promise<KnowledgeBaseResponse> {
    await this.reembeds.start(actor, id, body.embedding_model_id);
    return this.knowledgeBases.get(id);
  }

  @Delete(':id/reembed')
  @Roles('admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Cancel a re-embed: drops the index being built; the active one is untouched' })
  @ApiNoContentResponse()
  cancelReembed(@CurrentActor() actor: Actor, @IdParam() id: string): Promise<void> {
    return this.reembeds.cancel(actor, id);
  }
}
