import { Injectable } from '@nestjs/common';
import type { UsageCaller } from '../usage/usage-caller.js';
import type { MessageSource } from './message.entity.js';

export interface KnowledgeBaseRef {
  id: string;
  name: string;
  generationModelId: string;
}

export interface RetrievedContext {
  /** Formatted passages for the prompt, already cut to the token budget. */
  text: string;
  sources: MessageSource[];
}

/** What the knowledge-bases module provides to conversations. */
export interface KnowledgeRetriever {
  find(id: string): Promise<KnowledgeBaseRef | null>;
  /** `caller`: whom the query's embedding is charged to. */
  retrieve(id: string, query: string, budgetTokens: number, caller: UsageCaller, signal?: AbortSignal): Promise<RetrievedContext>;
}

/**
 * Where conversations meet knowledge bases. The knowledge-bases module registers its retriever at
 * start; conversations only know this interface, so neither module imports the other's internals.
 */
@Injectable()
export class KnowledgeSeam {
  private retriever: KnowledgeRetriever | null = null;

  register(retriever: KnowledgeRetriever): void {
    this.retriever = retriever;
  }

  async find(id: string): Promise<KnowledgeBaseRef | null> {
    return this.retriever ? this.retriever.find(id) : null;
  }

  async retrieve(id: string, query: string, budgetTokens: number, caller: UsageCaller, signal?: AbortSignal): Promise<RetrievedContext> {
    if (!this.retriever) return { text: '', sources: [] };
    return this.retriever.retrieve(id, query, budgetTokens, caller, signal);
  }
}
