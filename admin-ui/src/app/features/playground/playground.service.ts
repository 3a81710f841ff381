import { computed, inject, Injectable, resource, signal } from '@angular/core';
import { Api } from '../../api/api';
import { createConversation } from '../../api/fn/conversations/create-conversation';
import { deleteConversation } from '../../api/fn/conversations/delete-conversation';
import { getConversation } from '../../api/fn/conversations/get-conversation';
import { listConversations } from '../../api/fn/conversations/list-conversations';
import { sendMessage$EventStream } from '../../api/fn/conversations/send-message-event-stream';
import { updateConversation } from '../../api/fn/conversations/update-conversation';
import { listKnowledgeBases } from '../../api/fn/knowledge-bases/list-knowledge-bases';
import { listModels } from '../../api/fn/models/list-models';
import type {
  ConversationResponse,
  ConversationWithMessages,
  CreateConversationRequest,
  KnowledgeBaseResponse,
  ModelPage,
  ModelResponse,
} from '../../api/models';
import { apiPath, EventStreamClient } from '../../core/http/event-stream';
import { problemMessage } from '../../core/http/problem';
import { latestValue, loadError } from '../../shared/latest';
import { ChatEvent, toChatEvent } from './chat-events';

const PAGE_SIZE = 20;
const NO_MODELS: ModelPage = { items: [], page: 1, page_size: 100, total: 0, defaults: { generation: null, embedding: null, ner: null } };

/**
 * What the playground talks to: the models and knowledge bases to chat with, your conversations
 * (most recent first, a cursor page at a time) and the message stream. One instance per page.
 */
@Injectable()
export class PlaygroundService {
  private readonly api = inject(Api);
  private readonly events = inject(EventStreamClient);

  private readonly modelsResource = resource({
    loader: () => this.api.invoke(listModels, { type: 'generation', status: 'active', page_size: 100, sort: 'display_name' }),
  });
  private readonly knowledgeBasesResource = resource({ loader: () => this.api.invoke(listKnowledgeBases, { page_size: 100 }) });

  private readonly modelPage = latestValue(this.modelsResource, NO_MODELS);
  readonly models = computed<ModelResponse[]>(() => this.modelPage().items);
  readonly defaultModelId = computed(() => this.modelPage().defaults.generation);
  readonly modelsLoading = this.modelsResource.isLoading;
  readonly modelsError = loadError(this.modelsResource);
  readonly knowledgeBases = computed<KnowledgeBaseResponse[]>(() =>
    this.knowledgeBasesResource.hasValue() ? this.knowledgeBasesResource.value().items : [],
  );

  readonly conversations = signal<ConversationResponse[]>([]);
  readonly nextCursor = signal<string | null>(null);
  readonly listLoading = signal(false);
  readonly listLoaded = signal(false);
  readonly listError = signal<string | null>(null);

  /** The first page, or (`more`) the page after the ones shown. */
  async loadConversations(more = false): Promise<void> {
    if (this.listLoading() || (more && !this.nextCursor())) return;
    this.listLoading.set(true);
    this.listError.set(null);
    try {
      const cursor = more ? (this.nextCursor() ?? undefined) : undefined;
      const page = await this.api.invoke(listConversations, { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
      // A conversation may move between pages while we read them: keep the first copy.
      const known = more ? this.conversations() : [];
      const ids = new Set(known.map((c) => c.id));
      this.conversations.set([...known, ...page.items.filter((c) => !ids.has(c.id))]);
      this.nextCursor.set(page.next_cursor);
      this.listLoaded.set(true);
    } catch (error) {
      this.listError.set(problemMessage(error));
    } finally {
      this.listLoading.set(false);
    }
  }

  /** Puts a new or changed conversation at the top: the list is most recent first. */
  touch(conversation: ConversationResponse): void {
    this.conversations.update((list) => [conversation, ...list.filter((c) => c.id !== conversation.id)]);
  }

  /** Shows a conversation's new state where it is in the list (a generated title). */
  refresh(conversation: ConversationResponse): void {
    this.conversations.update((list) => list.map((c) => (c.id === conversation.id ? conversation : c)));
  }

  async create(body: CreateConversationRequest): Promise<ConversationResponse> {
    const created = await this.api.invoke(createConversation, { body });
    this.touch(created);
    return created;
  }

  get(id: string): Promise<ConversationWithMessages> {
    return this.api.invoke(getConversation, { id });
  }

  async rename(id: string, title: string): Promise<ConversationResponse> {
    const renamed = await this.api.invoke(updateConversation, { id, body: { title } });
    this.refresh(renamed);
    return renamed;
  }

  async remove(id: string): Promise<void> {
    await this.api.invoke(deleteConversation, { id });
    this.conversations.update((list) => list.filter((c) => c.id !== id));
  }

  /** Sends a message and yields the reply's events as they stream; aborting `signal` stops it. */
  async *send(id: string, content: string, signal: AbortSignal): AsyncGenerator<ChatEvent> {
    const path = apiPath(sendMessage$EventStream.PATH, { id });
    for await (const event of this.events.post(path, { content }, signal)) {
      const chatEvent = toChatEvent(event);
      if (chatEvent) yield chatEvent;
    }
  }
}
