import { Injectable, Logger } from '@nestjs/common';
import { countTokens } from 'gpt-tokenizer';
import type { Actor } from '../common/actor.js';
import { DomainError } from '../common/domain-error.js';
import { RequestBudget } from '../common/request-budget.js';
import { assertKeyMayCall, routeModel, type RoutedModel } from '../models/model-routing.js';
import { RegistryCache } from '../registry/registry-cache.js';
import { SettingsService } from '../settings/settings.service.js';
import { UpstreamClient } from '../upstream/upstream.client.js';
import type { TokenUsage } from '../upstream/upstream.types.js';
import { callerOf } from '../usage/usage-caller.js';
import { UsageRecorder } from '../usage/usage-recorder.service.js';
import { toMessageResponse } from './conversation.mapper.js';
import type { Conversation } from './conversation.entity.js';
import { ConversationLeases, type Lease } from './conversation-leases.js';
import { ConversationTitles } from './conversation-titles.js';
import type { MessageResponse } from './dto/conversation.dto.js';
import { KnowledgeSeam } from './knowledge-seam.js';
import type { Message, MessageSource } from './message.entity.js';
import { buildPrompt, promptLimits, tokensOf, type HistoryMessage } from './prompt-builder.js';
import { costOfReply } from './reply-accounting.js';
import { TurnStore, type OpenedTurn } from './turn-store.js';

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
    private readonly store: TurnStore,
    private readonly leases: ConversationLeases,
    private readonly cache: RegistryCache,
    private readonly upstream: UpstreamClient,
    private readonly knowledge: KnowledgeSeam,
    private readonly usage: UsageRecorder,
    private readonly settings: SettingsService,
    private readonly titles: ConversationTitles,
  ) {}

  /** Per-user message budget from the `conversations.messages_per_minute_per_user` setting (0: none). */
  async admit(actor: Actor): Promise<void> {
    await this.budget.take(
      actor.userId ?? 'anonymous',
      (await this.settings.snapshot()).value('conversations.messages_per_minute_per_user'),
    );
  }

  /**
   * Checks what can be checked before anything is stored (the turn then starts from this read);
   * returns the lifecycle headers of the model.
   */
  async preflight(actor: Actor, conversationId: string): Promise<Record<string, string>> {
    const snapshot = await this.cache.get();
    const conversation = await this.store.peek(actor, conversationId, snapshot);
    const requested = snapshot.models.get(conversation.modelId);
    if (!requested) throw new DomainError('bad_request', 'model.missing', 'The conversation’s model no longer exists');
    assertKeyMayCall(actor, requested, 'model_id');
    return routeModel(snapshot, requested).headers;
  }

  /** Ownership is checked on the row the turn's first read returns, not by a query of its own. */
  async send(actor: Actor, conversationId: string, content: string, sink: ReplySink): Promise<Exchange> {
    return this.leases.run(conversationId, (lease) => this.exchange(actor, conversationId, content, sink, lease));
  }

  private async exchange(actor: Actor, id: string, content: string, sink: ReplySink, lease: Lease): Promise<Exchange> {
    const snapshot = await this.cache.get();
    const turn = await this.store.open(actor, id, content, snapshot, lease);
    const { conversation, history, user, assistant, route } = turn;
    const userResponse = toMessageResponse(user);
    sink.userMessage?.(userResponse);
    const started = performance.now();
    let text = '';
    let ttft: number | null = null;
    let lastFlush = started;
    let sources: MessageSource[] = [];
    let promptTokens = 0;
    try {
      const prompt = await this.prompt(actor, conversation, history, user, route, sink.signal);
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
          // A turn offers the model no tools, so it makes no calls.
          if (event.type !== 'delta') continue;
          ttft ??= performance.now() - started;
          text += event.text;
          sink.delta?.(event.text);
          if (performance.now() - lastFlush > FLUSH_PARTIAL_MS) {
            lastFlush = performance.now();
            await this.store.flushPartial(assistant, text);
          }
        }
      } else {
        const result = await this.upstream.chat(route.model, input);
        text = result.text;
        usage = result.usage;
      }
      const finished = await this.finish(actor, turn, lease, {
        text,
        usage,
        sources,
        started,
        ttft,
        status: 'complete',
        error: null,
      });
      if (turn.titledByMessage) {
        this.titles.suggest(actor, { conversationId: conversation.id, cut: conversation.title, firstMessage: user.content });
      }
      return { user_message: userResponse, assistant_message: finished, headers: route.headers };
    } catch (error) {
      const cancelled = sink.signal.aborted;
      const classified = error instanceof DomainError ? error : null;
      const stored = await this.finish(actor, turn, lease, {
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

  private async prompt(
    actor: Actor,
    conversation: Conversation,
    history: HistoryMessage[],
    user: Message,
    route: RoutedModel,
    signal: AbortSignal,
  ) {
    const { contextWindow, maxOutputTokens, inputBudget } = promptLimits(route.model);
    const retrieved = conversation.knowledgeBaseId
      ? await this.knowledge.retrieve(
          conversation.knowledgeBaseId,
          user.content,
          Math.floor(inputBudget * CONTEXT_SHARE),
          callerOf(actor),
          signal,
        )
      : { text: '', sources: [] };
    const built = buildPrompt({
      systemPrompt: conversation.systemPrompt,
      context: retrieved.text || null,
      history,
      current: user.content,
      currentTokens: user.historyTokens ?? undefined,
      contextWindow,
      maxOutputTokens,
    });
    return { messages: built.messages, maxOutputTokens, sources: retrieved.sources, inputTokens: built.inputTokens };
  }

  /** Prices the reply, stores it (with the totals and the lease's release) and records its usage. */
  private async finish(
    actor: Actor,
    turn: OpenedTurn,
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
    const { assistant, route } = turn;
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
      // Counted now, once: the next turn's prompt (here or, by the stored count, on any instance) needs it.
      historyTokens: reply.status === 'complete' && reply.text ? tokensOf(reply.text) : null,
    };
    await this.store.finish(turn, lease, changes);
    // The stored row is the placeholder plus these changes: no need to read it back.
    const done: Message = { ...assistant, ...changes };
    this.usage.record({
      source: 'conversation',
      endpoint: 'conversations.messages',
      ...callerOf(actor),
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
