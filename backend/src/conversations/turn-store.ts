import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../common/actor.js';
import { DomainError, notFound } from '../common/domain-error.js';
import { preparedQuery } from '../database/prepared-query.js';
import { assertKeyMayCall, routeModel, type RoutedModel } from '../models/model-routing.js';
import type { RegistrySnapshot } from '../registry/registry-cache.js';
import { CONVERSATION_COLUMNS } from './conversation.mapper.js';
import type { Conversation } from './conversation.entity.js';
import { cutAtWord } from './conversation-titles.js';
import { ConversationBusy, type Lease } from './conversation-leases.js';
import type { Message } from './message.entity.js';
import { historyCap, tokensOf, type HistoryMessage } from './prompt-builder.js';
import { snapshotOf } from './reply-accounting.js';
import { TurnStates, type TurnState } from './turn-states.js';
import { DEFAULT_TITLE, TurnWrites, type ReplyColumns } from './turn-writes.js';

/** A turn once its messages are stored. */
export interface OpenedTurn extends TurnState {
  user: Message;
  assistant: Message;
  route: RoutedModel;
  /** This turn's message gave the conversation its title (its first, on a conversation created without one). */
  titledByMessage: boolean;
}

export interface TurnRead {
  state: TurnState;
  /** Another reply holds the conversation's lease. */
  leased: boolean;
}

/**
 * A turn's reads and writes, in as few round trips as a turn can take: a read (skipped when this
 * instance served the conversation's last turn), one statement that stores both messages, takes
 * the lease and appends the audit event, and one that stores the reply and gives the lease back
 * (`TurnWrites`, which sends concurrent turns' writes together). Statements are prepared once per connection.
 */
@Injectable()
export class TurnStore {
  private readonly states = new TurnStates();
  private readonly writes: TurnWrites;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {
    this.writes = new TurnWrites(dataSource);
  }

  /**
   * The conversation a turn is about to queue on (404 if not the actor's): the state kept from this
   * instance's last turn on it, which the turn's write will check, or else a read the turn will use.
   */
  async peek(actor: Actor, id: string, snapshot: RegistrySnapshot): Promise<Conversation> {
    const kept = this.states.get(id);
    if (kept) return visible(actor, id, kept.conversation);
    const { state } = await this.read(actor, id, snapshot);
    this.states.put(id, state);
    return state.conversation;
  }

  /** Drops what this instance kept of a deleted conversation, so its next turn reads and finds it gone. */
  forget(id: string): void {
    this.states.delete(id);
  }

  /**
   * Stores the user's message and the assistant's placeholder and takes the lease, only if the
   * conversation is as read and no other reply holds it; else ConversationBusy (the caller waits
   * and tries again). A state kept from this instance's last turn stands in for the read; if the
   * write finds it stale, the turn reads afresh once.
   */
  async open(actor: Actor, id: string, content: string, snapshot: RegistrySnapshot, lease: Lease): Promise<OpenedTurn> {
    const kept = this.states.take(id);
    if (kept) visible(actor, id, kept.conversation);
    let opened = kept ? await this.write(actor, kept, content, snapshot) : undefined;
    if (!opened) {
      const { state, leased } = await this.read(actor, id, snapshot);
      if (leased) throw new ConversationBusy();
      opened = await this.write(actor, state, content, snapshot);
    }
    if (!opened) throw new ConversationBusy();
    lease.taken();
    return opened;
  }

  /** Stores the reply, adds it to the conversation's totals and gives the lease back: one statement. */
  async finish(turn: OpenedTurn, lease: Lease, reply: ReplyColumns): Promise<void> {
    const { conversation, assistant } = turn;
    await this.writes.finish({ conversationId: conversation.id, messageId: assistant.id, reply });
    lease.markReleased();
    // What the next turn's read would find: the history that counts (complete, non-empty messages).
    const added: HistoryMessage[] = [{ role: 'user', content: turn.user.content, tokens: turn.user.historyTokens }];
    if (reply.historyTokens !== null) added.push({ role: 'assistant', content: reply.content, tokens: reply.historyTokens });
    this.states.put(conversation.id, { conversation, history: [...turn.history, ...added] });
  }

  /** Keeps what a streamed reply has so far. */
  async flushPartial(assistant: Message, text: string): Promise<void> {
    await this.dataSource.query('UPDATE messages SET content = $2 WHERE id = $1', [assistant.id, text]);
  }

  private async read(actor: Actor, id: string, snapshot: RegistrySnapshot): Promise<TurnRead> {
    const read = await readTurn(this.dataSource, id, historyCap(snapshot));
    if (!read) throw notFound('conversation', id);
    visible(actor, id, read.state.conversation);
    return read;
  }

  /** The turn's one write, or undefined when the conversation is not as `state` says or is leased. */
  private async write(actor: Actor, state: TurnState, content: string, snapshot: RegistrySnapshot): Promise<OpenedTurn | undefined> {
    const { conversation } = state;
    const requested = snapshot.models.get(conversation.modelId);
    if (!requested) throw new DomainError('bad_request', 'model.missing', 'The conversation’s model no longer exists');
    assertKeyMayCall(actor, requested, 'model_id');
    const route = routeModel(snapshot, requested);
    const seq = conversation.messageCount + 1;
    const tokens = tokensOf(content);
    const audit = this.audit.append(
      actor,
      {
        action: 'conversation.message_sent',
        entityType: 'conversation',
        entityId: conversation.id,
        changes: { message_count: { before: conversation.messageCount, after: seq + 1 } },
      },
      12,
    );
    const inserted = await this.writes.begin({
      conversationId: conversation.id,
      seq,
      content,
      tokens,
      sentAt: new Date(),
      snapshot: snapshotOf(route.model, snapshot),
      title: titleFrom(content),
      expected: conversation.messageCount,
      knowledgeBaseId: conversation.knowledgeBaseId,
      audit,
    });
    if (inserted.length === 0) return undefined;
    const [user, assistant] = inserted as [Message, Message];
    const titledByMessage = conversation.messageCount === 0 && conversation.title === DEFAULT_TITLE;
    const title = titledByMessage ? titleFrom(content) : conversation.title;
    return {
      conversation: { ...conversation, title, messageCount: seq + 1 },
      history: state.history,
      user,
      assistant,
      route,
      titledByMessage,
    };
  }
}

/**
 * A conversation and the newest of its history that fits `cap` tokens by the stored counts (a
 * message stored without one counts as nothing here, so it is loaded and counted by the prompt
 * builder), or undefined when there is no such conversation. One statement, which walks back from
 * the newest message one index step at a time and stops once the cap is passed: a turn on a
 * conversation of thousands of messages reads about as much as one on a short one.
 */
export async function readTurn(dataSource: DataSource, id: string, cap: number): Promise<TurnRead | undefined> {
  const [row] = await preparedQuery<Conversation & { leased: boolean | null; history: HistoryMessage[] }>(
    dataSource,
    'turn-read',
    `SELECT ${CONVERSATION_COLUMNS}, lease_until >= now() AS leased,
            (WITH RECURSIVE newest AS (
               (SELECT m.seq, m.role, m.content, m.history_tokens, ${IN_HISTORY} AS counted,
                       CASE WHEN ${IN_HISTORY} THEN coalesce(m.history_tokens, 0) ELSE 0 END AS with_newer
                  FROM messages m WHERE m.conversation_id = $1 ORDER BY m.seq DESC LIMIT 1)
               UNION ALL
               SELECT m.seq, m.role, m.content, m.history_tokens, ${IN_HISTORY},
                      n.with_newer + CASE WHEN ${IN_HISTORY} THEN coalesce(m.history_tokens, 0) ELSE 0 END
                 FROM newest n
                 CROSS JOIN LATERAL (SELECT * FROM messages m WHERE m.conversation_id = $1 AND m.seq < n.seq ORDER BY m.seq DESC LIMIT 1) m
                WHERE n.with_newer <= $2)
             SELECT coalesce(json_agg(json_build_object('role', role, 'content', content, 'tokens', history_tokens) ORDER BY seq), '[]'::json)
               FROM newest WHERE counted AND with_newer <= $2) AS history
       FROM conversations c WHERE c.id = $1`,
    [id, cap],
  );
  if (!row) return undefined;
  const { leased, history, ...conversation } = row;
  return { state: { conversation, history }, leased: leased === true };
}

/** The conversation if the actor may use it; anyone else's is as good as missing (404, not 403). */
function visible(actor: Actor, id: string, conversation: Conversation): Conversation {
  if (actor.role !== 'admin' && conversation.ownerId !== actor.userId) throw notFound('conversation', id);
  return conversation;
}

/** The messages a prompt's history may hold: complete and not empty (a failed or cancelled reply is not). */
const IN_HISTORY = `(m.status = 'complete' AND m.content <> '')`;

/** A short title from the first message: its first line, cut at a word near 60 characters. */
export function titleFrom(content: string): string {
  const line = content.trim().split('\n')[0].replace(/\s+/g, ' ');
  return line ? cutAtWord(line, 60) : DEFAULT_TITLE;
}
