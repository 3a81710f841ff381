import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { diffChanges } from '../audit/audit-changes.js';
import type { Actor } from '../common/actor.js';
import { DomainError, fieldError, notFound } from '../common/domain-error.js';
import { decodeCursor, encodeCursor } from '../common/pagination.js';
import { preparedQuery } from '../database/prepared-query.js';
import { DependentsService } from '../models/dependents.service.js';
import { assertKeyMayCall, assertSelectable } from '../models/model-routing.js';
import { RegistryCache } from '../registry/registry-cache.js';
import { conversationWithMessagesJson, MESSAGE_TEXT_COLUMNS, type MessageTextRow } from './conversation-json.js';
import { CONVERSATION_COLUMNS, toConversationResponse } from './conversation.mapper.js';
import { Conversation } from './conversation.entity.js';
import type { ConversationListQuery, ConversationPage, ConversationResponse, CreateConversationRequest } from './dto/conversation.dto.js';
import { KnowledgeSeam } from './knowledge-seam.js';
import { TurnStore } from './turn-store.js';
import { DEFAULT_TITLE } from './turn-writes.js';

const MAX_LIMIT = 100;
const isCursor = (v: unknown): v is { at: string; id: string } =>
  typeof v === 'object' && v !== null && typeof (v as { at?: unknown }).at === 'string' && typeof (v as { id?: unknown }).id === 'string';

/** Conversations a user owns: members see only their own (someone else's is a 404), admins any. */
@Injectable()
export class ConversationsService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly cache: RegistryCache,
    private readonly knowledge: KnowledgeSeam,
    private readonly dependents: DependentsService,
    private readonly turns: TurnStore,
  ) {}

  onModuleInit(): void {
    // Conversations keep their model: deleting it is refused while any conversation uses it.
    this.dependents.register('conversations', (manager, modelIds) =>
      manager.query(`SELECT id, title AS name FROM conversations WHERE model_id = ANY($1) ORDER BY updated_at DESC LIMIT 1000`, [modelIds]),
    );
  }

  async create(actor: Actor, body: CreateConversationRequest): Promise<ConversationResponse> {
    const snapshot = await this.cache.get();
    const knowledgeBase = body.knowledge_base_id ? await this.knowledge.find(body.knowledge_base_id) : null;
    if (body.knowledge_base_id && !knowledgeBase) throw fieldError('knowledge_base_id', 'knowledge_base_id does not name a knowledge base');
    const modelId = body.model_id ?? knowledgeBase?.generationModelId ?? snapshot.defaults.generation;
    if (!modelId) throw fieldError('model_id', 'there is no default generation model: name one with model_id');
    const model = snapshot.models.get(modelId);
    if (!model) throw fieldError('model_id', 'model_id does not name a model');
    if (model.type !== 'generation')
      throw fieldError('model_id', `${model.displayName} is a ${model.type} model; conversations need a generation model`);
    assertSelectable(snapshot, model);
    assertKeyMayCall(actor, model, 'model_id');
    return this.dataSource.transaction(async (manager) => {
      const conversation = manager.create(Conversation, {
        ownerId: actor.userId!,
        knowledgeBaseId: knowledgeBase?.id ?? null,
        modelId: model.id,
        title: body.title ?? DEFAULT_TITLE,
        systemPrompt: body.system_prompt ?? null,
      });
      await manager.save(conversation);
      const response = toConversationResponse(conversation);
      await this.audit.record(manager, actor, {
        action: 'conversation.created',
        entityType: 'conversation',
        entityId: conversation.id,
        changes: diffChanges(undefined, {
          title: response.title,
          model_id: response.model_id,
          knowledge_base_id: response.knowledge_base_id,
        }),
      });
      return response;
    });
  }

  async list(actor: Actor, query: ConversationListQuery): Promise<ConversationPage> {
    if (actor.role !== 'admin' && query.owner_id && query.owner_id !== actor.userId) {
      throw new DomainError('forbidden', 'conversation.owner_filter', 'Only admins may list other users’ conversations (owner_id)', {
        errors: [{ field: 'owner_id', message: 'only admins may name another owner' }],
      });
    }
    const ownerId = actor.role === 'admin' ? query.owner_id : actor.userId;
    const where: string[] = ['TRUE'];
    const params: unknown[] = [];
    const add = (sql: string, ...values: unknown[]) => {
      where.push(sql.replace(/\?/g, () => `$${params.push(values.shift())}`));
    };
    if (ownerId) add('owner_id = ?', ownerId);
    if (query.knowledge_base_id) add('knowledge_base_id = ?', query.knowledge_base_id);
    if (query.cursor) {
      const cursor = decodeCursor(query.cursor, isCursor);
      if (!cursor) throw fieldError('cursor', 'cursor is not one this server issued');
      add('(updated_at, id) < (?::timestamptz, ?::uuid)', cursor.at, cursor.id);
    }
    const limit = Math.min(query.limit, MAX_LIMIT);
    const rows = (await this.dataSource.query(
      `SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE ${where.join(' AND ')} ORDER BY updated_at DESC, id DESC LIMIT ${limit + 1}`,
      params,
    )) as Conversation[];
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return {
      items: items.map(toConversationResponse),
      next_cursor: rows.length > limit && last ? encodeCursor({ at: last.updatedAt.toISOString(), id: last.id }) : null,
    };
  }

  /** The conversation with its messages, as JSON text (see conversation-json.ts for why). */
  async getJson(actor: Actor, id: string): Promise<string> {
    // Both reads at once, as prepared statements (the read is hot: consoles poll it); the messages
    // are dropped if the conversation is not the actor's.
    const [[conversation], messages] = await Promise.all([
      preparedQuery<Conversation>(this.dataSource, 'conversation_read', `SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE id = $1`, [
        id,
      ]),
      preparedQuery<MessageTextRow>(
        this.dataSource,
        'conversation_messages_read',
        `SELECT ${MESSAGE_TEXT_COLUMNS} FROM messages WHERE conversation_id = $1 ORDER BY seq`,
        [id],
      ),
    ]);
    return conversationWithMessagesJson(toConversationResponse(ownedBy(actor, id, conversation)), messages);
  }

  async rename(actor: Actor, id: string, title: string): Promise<ConversationResponse> {
    return this.dataSource.transaction(async (manager) => {
      const conversation = await this.owned(actor, id, manager);
      const before = conversation.title;
      conversation.title = title;
      await manager.update(Conversation, { id }, { title });
      await this.audit.record(manager, actor, {
        action: 'conversation.updated',
        entityType: 'conversation',
        entityId: id,
        changes: diffChanges({ title: before }, { title }),
      });
      return toConversationResponse(conversation);
    });
  }

  async remove(actor: Actor, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const conversation = await this.owned(actor, id, manager);
      await manager.delete(Conversation, { id });
      await this.audit.record(manager, actor, {
        action: 'conversation.deleted',
        entityType: 'conversation',
        entityId: id,
        changes: diffChanges({ title: conversation.title, message_count: conversation.messageCount }, undefined),
      });
    });
    this.turns.forget(id);
  }

  /** The conversation if the actor may see it; anyone else's is indistinguishable from missing. */
  async owned(actor: Actor, id: string, manager = this.dataSource.manager): Promise<Conversation> {
    const [conversation] = (await manager.query(`SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE id = $1`, [id])) as Conversation[];
    return ownedBy(actor, id, conversation);
  }
}

/** The conversation when the actor may see it; another member's is as missing as one that is not there. */
function ownedBy(actor: Actor, id: string, conversation: Conversation | undefined): Conversation {
  if (!conversation || (actor.role !== 'admin' && conversation.ownerId !== actor.userId)) throw notFound('conversation', id);
  return conversation;
}
