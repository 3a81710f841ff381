import { Body, Controller, Delete, Get, Headers, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import { JsonText } from '../common/json-text.js';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentActor, Roles } from '../auth/roles.decorator.js';
import type { Actor } from '../common/actor.js';
import { closeSignal } from '../common/client-closed.js';
import { IdParam } from '../common/id-param.js';
import { toProblem } from '../common/problem.filter.js';
import { ChatExchange, ExchangeFailed } from './chat-exchange.service.js';
import { ConversationsService } from './conversations.service.js';
import {
  ConversationListQuery,
  ConversationPage,
  ConversationResponse,
  ConversationWithMessages,
  CreateConversationRequest,
  ExchangeResponse,
  SendMessageRequest,
  UpdateConversationRequest,
} from './dto/conversation.dto.js';
import { SseStream } from './sse.js';

@ApiTags('conversations')
@Controller('conversations')
@Roles('admin', 'member')
export class ConversationsController {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly exchange: ChatExchange,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Start a conversation (optionally on a knowledge base)' })
  @ApiCreatedResponse({ type: ConversationResponse })
  createConversation(@CurrentActor() actor: Actor, @Body() body: CreateConversationRequest): Promise<ConversationResponse> {
    return this.conversations.create(actor, body);
  }

  @Get()
  @ApiOperation({ summary: 'Your conversations, most recent first (admins: anyone’s, with owner_id)' })
  @ApiOkResponse({ type: ConversationPage })
  listConversations(@CurrentActor() actor: Actor, @Query() query: ConversationListQuery): Promise<ConversationPage> {
    return this.conversations.list(actor, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A conversation with its messages, oldest first' })
  @ApiOkResponse({ type: ConversationWithMessages })
  @JsonText()
  getConversation(@CurrentActor() actor: Actor, @IdParam() id: string): Promise<string> {
    return this.conversations.getJson(actor, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename a conversation' })
  @ApiOkResponse({ type: ConversationResponse })
  updateConversation(
    @CurrentActor() actor: Actor,
    @IdParam() id: string,
    @Body() body: UpdateConversationRequest,
  ): Promise<ConversationResponse> {
    return this.conversations.rename(actor, id, body.title);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a conversation and its messages' })
  @ApiNoContentResponse()
  deleteConversation(@CurrentActor() actor: Actor, @IdParam() id: string): Promise<void> {
    return this.conversations.remove(actor, id);
  }

  /** Served by fastify directly (direct-routes.ts), which runs the same guard, id check and body validation. */
  @Post(':id/messages')
  @ApiOperation({
    summary: 'Send a message and get the reply',
    description:
      'JSON: 201 with both messages. With `Accept: text/event-stream`: Server-Sent Events `user_message`, `delta` ({text}), ' +
      'then `assistant_message` or `error` (problem+json); `: ping` heartbeats. The user message is stored before the model is called; ' +
      'the reply is stored whole or partial (status complete, failed or cancelled) whatever happens.',
  })
  @ApiProduces('application/json', 'text/event-stream')
  @ApiCreatedResponse({
    type: ExchangeResponse,
    description:
      'application/json: both stored messages. text/event-stream: the reply as Server-Sent Events, also 201 (an `error` event carries the stored failed or cancelled reply as `assistant_message`)',
  })
  async sendMessage(
    @CurrentActor() actor: Actor,
    @IdParam() id: string,
    @Body() body: SendMessageRequest,
    @Headers('accept') accept: string | undefined,
    // Not passthrough: a streamed reply is hijacked, and Nest sending after that would cost an
    // FST_ERR_REP_ALREADY_SENT error (stack trace and all) per request. JSON replies are sent here.
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.exchange.admit(actor);
    if (accept?.includes('text/event-stream')) return this.stream(actor, id, body.content, reply);
    const result = await this.exchange.send(actor, id, body.content, { streaming: false, signal: closeSignal(reply) });
    const answer: ExchangeResponse = { user_message: result.user_message, assistant_message: result.assistant_message };
    await reply.status(201).headers(result.headers).send(answer);
  }

  /** Problems found before anything is stored (404, 410) are plain problem+json; later ones are `error` events. */
  private async stream(actor: Actor, id: string, content: string, reply: FastifyReply): Promise<void> {
    const headers = await this.exchange.preflight(actor, id);
    // 201 like the JSON answer: the messages are created either way.
    const sse = new SseStream(reply, headers, 201);
    try {
      const result = await this.exchange.send(actor, id, content, {
        streaming: true,
        signal: sse.signal,
        userMessage: (message) => sse.send('user_message', message),
        delta: (text) => sse.send('delta', { text }),
      });
      sse.send('assistant_message', result.assistant_message);
    } catch (error) {
      const { headers: _ignored, ...problem } = toProblem(error);
      const stored = error instanceof ExchangeFailed ? { assistant_message: error.assistantMessage } : {};
      sse.send('error', { ...problem, ...stored, instance: reply.request.url, request_id: String(reply.request.id) });
    } finally {
      sse.end();
    }
  }
}
