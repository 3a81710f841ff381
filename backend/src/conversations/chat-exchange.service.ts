import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { RequestBudget } from '../common/request-budget.js';
import { preparedQuery } from '../database/prepared-query.js';
import { SettingsService } from '../settings/settings.service.js';
import type { Actor } from '../common/actor.js';
import { DomainError, notFound } from '../common/domain-error.js';
import { routeModel, type RoutedModel } from '../models/model-routing.js';
import { RegistryCache, type RegistrySnapshot } from '../registry/registry-cache.js';
import { UpstreamClient } from '../upstream/upstream.client.js';
import type { ChatMessage, TokenUsage } from '../upstream/upstream.types.js';
import { UsageRecorder } from '../usage/usage-recorder.service.js';
import { CONVERSATION_COLUMNS, MESSAGE_COLUMNS, toMessageResponse } from './conversation.mapper.js';
import { Conversation } from './conversation.entity.js';
import { ConversationBusy, ConversationLeases, LEASE_SECONDS, type Lease } from './conversation-leases.js';
import { ConversationsService } from './conversations.service.js';
import { costOfReply, snapshotOf } from './reply-accounting.js';
import type { MessageResponse } from './dto/conversation.dto.js';
import { KnowledgeSeam } from './knowledge-seam.js';
import { Message, type MessageSource } from './message.entity.js';
import { countTokens } from 'gpt-tokenizer';
import { buildPrompt, DEFAULT_CONTEXT_WINDOW, DEFAULT_MAX_OUTPUT } from './prompt-builder.js';

export const DEFAULT_TITLE = 'New conversation';
const FLUSH_PARTIAL_MS = 1_000;
/** Room the retrieved passages may take, as a share of the input budget. */
const CONTEXT_SHARE = 0.5;

/** Where a reply goes as it is produced: nowhere (JSON reply) or an SSE stream. */
export interface ReplySink {
  streaming: boolean;
  /** Aborted when the client goes away: the upstream call is cancelled and the partial reply kept. */
  signal: AbortSignal;
  userMessage?(message: MessageResponse): void;
  delta?(text: string): void;
}

export interface Exchange {
  user_message: MessageResponse;
  assistant_message: MessageResponse;
  headers: Record<string, string>;
}

/** An exchange that failed after the user's message was stored; the stored messages ride along. */
export class ExchangeFailed extends DomainError {
  constructor(
    cause: unknown,
    readonly userMessage: MessageResponse,
    readonly assistantMessage: MessageResponse,
  ) {
    const base = cause instanceof DomainError ? cause : new DomainError('upstream', 'upstream_error', 'The model call failed');
    super(base.kind, base.code, base.message, {
      ...base.options,
      extensions: { ...base.options.extensions, user_message_id: userMessage.id, assistant_message_id: assistantMessage.id },
    });
  }
}

/**
 * One turn of a conversation. The user's message is committed before anything goes upstream; the
 * assistant's reply is stored as it streams (placeholder, then partial flushes) and finished as
 * complete, failed or cancelled whatever happens upstream or to the client (invariant 5).
 */
@Injectable()
export class ChatExchange {
  private readonly logger = new Logger(ChatExchange.name);
  private readonly budget = new RequestBudget('conversations', (points) => `You may send ${points} messages per minute`);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly conversations: ConversationsService,
    private readonly leases: ConversationLeases,
    private readonly cache: RegistryCache,
    private readonly upstream: UpstreamClient,
    private readonly knowledge: KnowledgeSeam,
    private readonly usage: UsageRecorder,
    private readonly audit: AuditService,
    private readonly settings: SettingsService,
  ) {}

  /** Per-user message budget from the `conversations.messages_per_minute_per_user` setting (0: none). */
  async admit(actor: Actor): Promise<void> {
    await this.budget.take(actor.userId ?? 'anonymous', await this.settings.value('conversations.messages_per_minute_per_user'));
  }

  /** Checks what can be checked before anything is stored; returns the lifecycle headers of the model. */
  async preflight(actor: Actor, conversationId: string): Promise<Record<string, string>> {
    const conversation = await this.conversations.owned(actor, conversationId);
    const snapshot = await this.cache.get();
    const requested = snapshot.models.get(conversation.modelId);
    if (!requested) throw new DomainError('bad_request', 'model.missing', 'The conversation’s model no longer exists');
    return routeModel(snapshot, requested).headers;
  }

  /** Ownership is checked on the row the turn's first read returns, not by a query of its own. */
  async send(actor: Actor, conversationId: string, content: string, sink: ReplySink): Promise<Exchange> {
    return this.leases.run(conversationId, (lease) => this.exchange(actor, conversationId, content, sink, lease));
  }

  private async exchange(actor: Actor, id: string, content: string, sink: ReplySink, lease: Lease): Promise<Exchange> {
    const snapshot = await this.cache.get();
    const { conversation, history, user, assistant, route } = await this.begin(actor, id, content, snapshot, lease);
    const userResponse = toMessageResponse(user);
    sink.userMessage?.(userResponse);
    const started = performance.now();
    let text = '';
    let ttft: number | null = null;
    let lastFlush = started;
    let sources: MessageSource[] = [];
    let promptTokens = 0;
    try {
      const prompt = await this.prompt(conversation, history, content, route, sink.signal);
      sources = prompt.sources;
      promptTokens = prompt.inputTokens;
      const input = { messages: prompt.messages, maxOutputTokens: prompt.maxOutputTokens, signal: sink.signal };
      let usage: TokenUsage;
      if (sink.streaming) {
        usage = { inputTokens: 0, outputTokens: 0 };
        for await (const event of this.upstream.chatStream(route.model, input)) {
          if (event.type === 'done') {
            usage = event.usage;
            break;
          }
          ttft ??= performance.now() - started;
          text += event.text;
          sink.delta?.(event.text);
          if (performance.now() - lastFlush > FLUSH_PARTIAL_MS) {
            lastFlush = performance.now();
            await this.dataSource.query('UPDATE messages SET content = $2 WHERE id = $1', [assistant.id, text]);
          }
        }
      } else {
        const result = await this.upstream.chat(route.model, input);
        text = result.text;
        usage = result.usage;
      }
      const finished = await this.finish(actor, conversation, assistant, route, lease, {
        text,
        usage,
        sources,
        started,
        ttft,
        status: 'complete',
        error: null,
      });
      return { user_message: userResponse, assistant_message: finished, headers: route.headers };
    } catch (error) {
      const cancelled = sink.signal.aborted;
      const classified = error instanceof DomainError ? error : null;
      const stored = await this.finish(actor, conversation, assistant, route, lease, {
        text,
        // The upstream reports no usage for a cut reply; what was sent and received is still billed.
        usage: text ? { inputTokens: promptTokens, outputTokens: countTokens(text) } : { inputTokens: 0, outputTokens: 0 },
        estimated: text.length > 0,
        sources,
        started,
        ttft,
        status: cancelled ? 'cancelled' : 'failed',
        error: {
          class: cancelled
            ? 'client_closed'
            : ((classified?.options.extensions?.error_class as string | undefined) ?? classified?.code ?? 'upstream_error'),
          message: cancelled
            ? 'The client went away before the reply finished'
            : (classified?.message ?? 'The model call failed unexpectedly'),
          status: (classified?.options.extensions?.upstream_status as number | undefined) ?? null,
        },
      });
      if (!classified && !cancelled) this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      throw new ExchangeFailed(error, userResponse, stored);
    }
  }

  /**
   * Stores the user's message and the assistant's placeholder in two round trips and no explicit
   * transaction: a read (the conversation, its history, ownership and lease), then one statement
   * that takes the lease, stores both messages and appends the audit event, on the condition that
   * nothing changed since the read. If something did (another instance's turn), it stores nothing
   * and the turn is retried as ConversationBusy.
   */
  private async begin(actor: Actor, id: string, content: string, snapshot: RegistrySnapshot, lease: Lease) {
    const [conversation] = (await preparedQuery(
      this.dataSource,
      'turn-read',
      `SELECT ${CONVERSATION_COLUMNS}, lease_until >= now() AS leased,
              (SELECT coalesce(json_agg(json_build_object('role', m.role, 'content', m.content) ORDER BY m.seq), '[]'::json)
                 FROM messages m WHERE m.conversation_id = c.id AND m.status = 'complete' AND m.content <> '') AS history
         FROM conversations c WHERE c.id = $1`,
      [id],
    )) as (Conversation & { leased: boolean | null; history: ChatMessage[] })[];
    if (!conversation || (actor.role !== 'admin' && conversation.ownerId !== actor.userId)) throw notFound('conversation', id);
    if (conversation.leased) throw new ConversationBusy();
    const requested = snapshot.models.get(conversation.modelId);
    if (!requested) throw new DomainError('bad_request', 'model.missing', 'The conversation’s model no longer exists');
    const route = routeModel(snapshot, requested);
    const seq = conversation.messageCount + 1;
    const title = conversation.messageCount === 0 && conversation.title === DEFAULT_TITLE ? titleFrom(content) : conversation.title;
    const audit = this.audit.append(
      actor,
      {
        action: 'conversation.message_sent',
        entityType: 'conversation',
        entityId: id,
        changes: { message_count: { before: conversation.messageCount, after: seq + 1 } },
      },
      9,
    );
    const inserted = (await preparedQuery(
      this.dataSource,
      'turn-begin',
      `WITH touched AS (
         UPDATE conversations SET message_count = $2 + 1, title = $6, updated_at = $4, lease_until = now() + make_interval(secs => $7)
          WHERE id = $1 AND message_count = $8 AND (lease_until IS NULL OR lease_until < now())
          RETURNING id),
       inserted AS (
         INSERT INTO messages (conversation_id, seq, role, content, status, completed_at, model_snapshot)
         SELECT id, $2::int, 'user', $3::text, 'complete', $4::timestamptz, NULL::jsonb FROM touched
         UNION ALL SELECT id, $2::int + 1, 'assistant', '', 'streaming', NULL::timestamptz, $5::jsonb FROM touched
         RETURNING ${MESSAGE_COLUMNS}),
       audited AS MATERIALIZED (SELECT a.* FROM touched CROSS JOIN LATERAL ${audit.sql} a)
       SELECT inserted.* FROM inserted CROSS JOIN audited ORDER BY inserted.seq`,
      [
        id,
        seq,
        content,
        new Date(),
        JSON.stringify(snapshotOf(route.model, snapshot)),
        title,
        LEASE_SECONDS,
        conversation.messageCount,
        ...audit.params,
      ],
    )) as Message[];
    if (inserted.length === 0) throw new ConversationBusy();
    lease.taken();
    const [user, assistant] = inserted as [Message, Message];
    const history = conversation.history;
    return { conversation: { ...conversation, title, messageCount: seq + 1 }, history, user, assistant, route };
  }

  private async prompt(conversation: Conversation, history: ChatMessage[], content: string, route: RoutedModel, signal: AbortSignal) {
    const params = route.model.params as { context_window?: number; max_output_tokens?: number };
    const contextWindow = params.context_window ?? DEFAULT_CONTEXT_WINDOW;
    const maxOutputTokens = Math.min(params.max_output_tokens ?? DEFAULT_MAX_OUTPUT, Math.floor(contextWindow / 2));
    const retrieved = conversation.knowledgeBaseId
      ? await this.knowledge.retrieve(
          conversation.knowledgeBaseId,
          content,
          Math.floor((contextWindow - maxOutputTokens) * CONTEXT_SHARE),
          signal,
        )
      : { text: '', sources: [] };
    const built = buildPrompt({
      systemPrompt: conversation.systemPrompt,
      context: retrieved.text || null,
      history,
      current: content,
      contextWindow,
      maxOutputTokens,
    });
    return { messages: built.messages, maxOutputTokens, sources: retrieved.sources, inputTokens: built.inputTokens };
  }

  /** Stores the reply and the conversation's totals, and gives the lease back, in one transaction. */
  private async finish(
    actor: Actor,
    conversation: Conversation,
    assistant: Message,
    route: RoutedModel,
    lease: Lease,
    reply: {
      text: string;
      /** Usage counted here with a tokenizer because the upstream never reported it (a cut reply). */
      estimated?: boolean;
      usage: TokenUsage;
      sources: MessageSource[];
      started: number;
      ttft: number | null;
      status: Message['status'];
      error: Message['error'];
    },
  ): Promise<MessageResponse> {
    const latencyMs = Math.round(performance.now() - reply.started);
    const cost = { ...costOfReply(route.model, reply.usage), ...(reply.estimated ? { estimated: true } : {}) };
    const changes = {
      content: reply.text,
      status: reply.status,
      sources: reply.sources,
      error: reply.error,
      inputTokens: reply.usage.inputTokens,
      outputTokens: reply.usage.outputTokens,
      cost,
      costUsd: cost.total_usd,
      latencyMs,
      ttftMs: reply.ttft === null ? null : Math.round(reply.ttft),
      completedAt: new Date(),
    };
    // The reply, the conversation's totals and the lease's release: one statement, so one atomic
    // round trip without a transaction around it.
    await preparedQuery(
      this.dataSource,
      'turn-finish',
      `WITH reply AS (
         UPDATE messages SET content = $2, status = $3, sources = $4::jsonb, error = $5::jsonb, input_tokens = $6, output_tokens = $7,
                cost = $8::jsonb, cost_usd = $9, latency_ms = $10, ttft_ms = $11, completed_at = $12 WHERE id = $1)
       UPDATE conversations SET input_tokens = input_tokens + $6, output_tokens = output_tokens + $7, cost_usd = cost_usd + $9::numeric,
              updated_at = now(), lease_until = NULL WHERE id = $13`,
      [
        assistant.id,
        changes.content,
        changes.status,
        JSON.stringify(changes.sources),
        changes.error === null ? null : JSON.stringify(changes.error),
        changes.inputTokens,
        changes.outputTokens,
        JSON.stringify(changes.cost),
        changes.costUsd,
        changes.latencyMs,
        changes.ttftMs,
        changes.completedAt,
        conversation.id,
      ],
    );
    lease.markReleased();
    // The stored row is the placeholder plus these changes: no need to read it back.
    const done: Message = { ...assistant, ...changes };
    this.usage.record({
      source: 'conversation',
      endpoint: 'conversations.messages',
      userId: actor.userId,
      apiKeyId: actor.type === 'api_key' ? actor.id : null,
      modelId: route.model.id,
      providerId: route.model.providerId,
      modelName: route.model.displayName,
      statusCode: reply.status === 'complete' ? 200 : reply.status === 'cancelled' ? 499 : 502,
      errorClass: reply.error?.class ?? null,
      inputTokens: reply.usage.inputTokens,
      outputTokens: reply.usage.outputTokens,
      costUsd: cost.total_usd,
      latencyMs,
      ttftMs: reply.ttft,
    });
    return toMessageResponse(done);
  }
}

/** A short title from the first message: its first line, cut at a word near 60 characters. */
export function titleFrom(content: string): string {
  const line = content.trim().split('\n')[0].replace(/\s+/g, ' ');
  if (line.length <= 60) return line || DEFAULT_TITLE;
  const cut = line.slice(0, 60);
  const space = cut.lastIndexOf(' ');
  return `${(space > 30 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
