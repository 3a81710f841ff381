import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { countTokens } from 'gpt-tokenizer';
import type { DataSource } from 'typeorm';
import type { MessageSource } from '../../conversations/message.entity.js';
import {
  KnowledgeSeam,
  type KnowledgeBaseRef,
  type KnowledgeRetriever,
  type RetrievedContext,
} from '../../conversations/knowledge-seam.js';
import type { UsageCaller } from '../../usage/usage-caller.js';
import { KnowledgeSearch } from './knowledge-search.service.js';

const PASSAGES = 8;

/**
 * What conversations get from a knowledge base: the best passages for the user's message, as many
 * as fit the token budget, each numbered so the model can cite it, and the sources used. When the
 * query cannot be embedded (the embedding upstream is down) the answer is grounded on full-text
 * matches alone rather than failing the whole turn.
 */
@Injectable()
export class ConversationRetriever implements KnowledgeRetriever, OnModuleInit {
  private readonly logger = new Logger('Knowledge');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly seam: KnowledgeSeam,
    private readonly search: KnowledgeSearch,
  ) {}

  onModuleInit(): void {
    this.seam.register(this);
  }

  async find(id: string): Promise<KnowledgeBaseRef | null> {
    const [row] = (await this.dataSource.query(`SELECT id, name, generation_model_id FROM knowledge_bases WHERE id = $1`, [id])) as {
      id: string;
      name: string;
      generation_model_id: string;
    }[];
    return row ? { id: row.id, name: row.name, generationModelId: row.generation_model_id } : null;
  }

  async retrieve(id: string, query: string, budgetTokens: number, caller: UsageCaller, signal?: AbortSignal): Promise<RetrievedContext> {
    const outcome = await this.search.search(id, query, PASSAGES, {
      usage: { caller, endpoint: 'conversations.messages' },
      signal,
      textOnlyOnUpstreamError: true,
    });
    if (outcome.degraded) this.logger.warn(`retrieval on ${outcome.knowledgeBase.name} used full text only: ${outcome.degraded.message}`);
    const header = `Passages from the knowledge base "${outcome.knowledgeBase.name}". Answer from them where they apply and cite them as [1], [2], …`;
    let used = countTokens(header);
    const passages: string[] = [];
    const sources: MessageSource[] = [];
    for (const hit of outcome.items) {
      // Markdown headings usually start with the document's own H1, which is its title.
      const label = hit.heading ? (hit.heading.startsWith(hit.title) ? hit.heading : `${hit.title} › ${hit.heading}`) : hit.title;
      const passage = `[${passages.length + 1}] ${label}\n${hit.content}`;
      const cost = countTokens(passage) + 2;
      if (used + cost > budgetTokens) continue;
      used += cost;
      passages.push(passage);
      sources.push({ document_id: hit.document_id, title: hit.title, anchor: hit.anchor, score: hit.score, chunk_id: hit.chunk_id });
    }
    return passages.length ? { text: `${header}\n\n${passages.join('\n\n')}`, sources } : { text: '', sources: [] };
  }
}
