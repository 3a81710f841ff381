import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/conversations.module.js';
import { ModelsModule } from '../models/models.module.js';
import { UsageModule } from '../usage/usage.module.js';
import { DocumentsController } from './documents.controller.js';
import { DocumentsService } from './documents.service.js';
import { EmbeddingUsage } from './embedding-usage.js';
import { EmbeddingWorker } from './ingestion/embedding-worker.js';
import { IndexLifecycle } from './ingestion/index-lifecycle.js';
import { KnowledgeBasesController } from './knowledge-bases.controller.js';
import { KnowledgeBasesService } from './knowledge-bases.service.js';
import { ReembedService } from './reembed.service.js';
import { ConversationRetriever } from './retrieval/knowledge-retriever.js';
import { KnowledgeSearch } from './retrieval/knowledge-search.service.js';
import { VectorStore } from './retrieval/vector-store.js';

@Module({
  imports: [ModelsModule, ConversationsModule, UsageModule],
  controllers: [KnowledgeBasesController, DocumentsController],
  providers: [
    KnowledgeBasesService,
    DocumentsService,
    ReembedService,
    KnowledgeSearch,
    VectorStore,
    EmbeddingWorker,
    IndexLifecycle,
    ConversationRetriever,
    EmbeddingUsage,
  ],
  exports: [KnowledgeSearch, VectorStore],
})
export class KnowledgeBasesModule {}
