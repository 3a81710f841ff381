import { Module } from '@nestjs/common';
import { ModelsModule } from '../models/models.module.js';
import { UpstreamModule } from '../upstream/upstream.module.js';
import { UsageModule } from '../usage/usage.module.js';
import { ChatExchange } from './chat-exchange.service.js';
import { TurnStore } from './turn-store.js';
import { ConversationLeases } from './conversation-leases.js';
import { ConversationTitles } from './conversation-titles.js';
import { ConversationsController } from './conversations.controller.js';
import { ConversationsService } from './conversations.service.js';
import { KnowledgeSeam } from './knowledge-seam.js';
import { StaleReplySweeper } from './stale-reply-sweeper.js';

@Module({
  imports: [ModelsModule, UpstreamModule, UsageModule],
  controllers: [ConversationsController],
  providers: [ConversationsService, ChatExchange, TurnStore, ConversationLeases, ConversationTitles, KnowledgeSeam, StaleReplySweeper],
  exports: [KnowledgeSeam, ConversationsService],
})
export class ConversationsModule {}
