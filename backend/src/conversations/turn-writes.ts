import type { DataSource } from 'typeorm';
import { CHAIN_LOCK, type AuditService } from '../audit/audit.service.js';
import { preparedQuery } from '../database/prepared-query.js';
import { StatementBatcher } from '../database/statement-batcher.js';
import { MESSAGE_COLUMNS } from './conversation.mapper.js';
import type { Message } from './message.entity.js';
import { LEASE_SECONDS } from './conversation-leases.js';

export const DEFAULT_TITLE = 'New conversation';

/** What a turn's first write stores: the user's message, the reply's placeholder, the lease and the audit event. */
export interface BeginWrite {
  conversationId: string;
  /** The user message's seq; the placeholder takes the next. */
  seq: number;
  content: string;
  /** What the user's message takes in a prompt (`tokensOf`). */
  tokens: number;
  sentAt: Date;
  /** The model snapshot for the placeholder. */
  snapshot: Message['modelSnapshot'];
  /** The title to take if the conversation still has the default one and no messages. */
  title: string;
  /** The message count the turn was built on; the write refuses a conversation that moved on. */
  expected: number;
  /** The knowledge base the turn was built on; the write refuses a conversation whose one was deleted since. */
  knowledgeBaseId: string | null;
  audit: ReturnType<AuditService['append']>;
}

/** The reply's columns as the turn's last write stores them. */
export interface ReplyColumns {
  content: string;
  status: Message['status'];
  sources: Message['sources'];
  error: Message['error'];
  inputTokens: number;
  outputTokens: number;
  cost: Message['cost'];
  costUsd: string;
  latencyMs: number;
  ttftMs: number | null;
  completedAt: Date;
  /** What the reply takes in a later prompt; null when it is not part of the history (not complete, or empty). */
  historyTokens: number | null;
}

export interface FinishWrite {
  conversationId: string;
  messageId: string;
  reply: ReplyColumns;
}

/*
 * The batched statements find their rows through `= ANY(ARRAY(SELECT … FROM input))` as well as the
 * join: the planner takes any set-returning function to give 100 rows, so for a join alone it
 * would read a table of a few thousand rows in full (a hash join) rather than look up ~16 keys —
 * and keep that plan, prepared, as the table grows. An array it takes for ~10 keys: index lookups.
 */

/** `beginMany`'s statement. */
export const BEGIN_BATCH_SQL = `WITH input AS MATERIALIZED (
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(id uuid, seq int, content text, tokens int, sent_at timestamptz, snapshot jsonb,
            title text, expected int, kb uuid, audit jsonb)),
   touched AS (
     UPDATE conversations c SET message_count = i.seq + 1, lease_until = now() + make_interval(secs => $2),
            title = CASE WHEN c.message_count = 0 AND c.title = $3 THEN i.title ELSE c.title END
       FROM input i
      WHERE c.id = ANY(ARRAY(SELECT id FROM input)) AND c.id = i.id
        AND c.message_count = i.expected AND c.knowledge_base_id IS NOT DISTINCT FROM i.kb
        AND (c.lease_until IS NULL OR c.lease_until < now())
      RETURNING i.*),
   inserted AS (
     INSERT INTO messages (conversation_id, seq, role, content, status, created_at, completed_at, model_snapshot, history_tokens)
     SELECT id, seq, 'user', content, 'complete', sent_at, sent_at, NULL::jsonb, tokens FROM touched
     UNION ALL SELECT id, seq + 1, 'assistant', '', 'streaming', sent_at, NULL::timestamptz, snapshot, NULL::int FROM touched
     RETURNING ${MESSAGE_COLUMNS}),
   audited AS MATERIALIZED (SELECT audit_append_many($4, jsonb_agg(t.audit)) FROM touched t)
   SELECT inserted.* FROM inserted CROSS JOIN audited ORDER BY inserted.seq`;

/** `finishMany`'s statement. */
export const FINISH_BATCH_SQL = `WITH input AS MATERIALIZED (
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(message_id uuid, conversation_id uuid, content text, status text,
            sources jsonb, error jsonb, input_tokens int, output_tokens int, cost jsonb, cost_usd numeric, latency_ms int,
            ttft_ms int, completed_at timestamptz, history_tokens int)),
   reply AS (
     UPDATE messages m SET content = i.content, status = i.status, sources = i.sources, error = i.error, input_tokens = i.input_tokens,
            output_tokens = i.output_tokens, cost = i.cost, cost_usd = i.cost_usd, latency_ms = i.latency_ms, ttft_ms = i.ttft_ms,
            completed_at = i.completed_at, history_tokens = i.history_tokens
       FROM input i WHERE m.id = ANY(ARRAY(SELECT message_id FROM input)) AND m.id = i.message_id)
   UPDATE conversations c SET input_tokens = c.input_tokens + i.input_tokens, output_tokens = c.output_tokens + i.output_tokens,
          cost_usd = c.cost_usd + i.cost_usd, updated_at = now(), lease_until = NULL
     FROM input i WHERE c.id = ANY(ARRAY(SELECT conversation_id FROM input)) AND c.id = i.conversation_id`;

/**
 * A turn's two writes. Each is one statement; under load, writes that arrive while one of their
 * kind is in the database go together as one statement (`StatementBatcher`): one commit, one WAL
 * flush and one turn at the audit chain's lock for the lot.
 */
export class TurnWrites {
  private readonly begins: StatementBatcher<BeginWrite, Message[]>;
  private readonly finishes: StatementBatcher<FinishWrite, void>;

  constructor(private readonly dataSource: DataSource) {
    this.begins = new StatementBatcher(
      (writes) => this.beginMany(writes),
      (write) => this.beginOne(write),
    );
    this.finishes = new StatementBatcher(
      (writes) => this.finishMany(writes),
      (write) => this.finishOne(write),
    );
  }

  /** The user's message and the placeholder, in seq order; none when the conversation moved on or is leased. */
  begin(write: BeginWrite): Promise<Message[]> {
    return this.begins.run(write);
  }

  /** Stores the reply, adds it to the conversation's totals and gives the lease back. */
  finish(write: FinishWrite): Promise<void> {
    return this.finishes.run(write);
  }

  private beginOne(w: BeginWrite): Promise<Message[]> {
    return preparedQuery<Message>(
      this.dataSource,
      'turn-begin',
      // The title comes from the first message only while it is still the default (a rename wins).
      `WITH touched AS (
         UPDATE conversations SET message_count = $2 + 1, lease_until = now() + make_interval(secs => $7),
                title = CASE WHEN message_count = 0 AND title = $9 THEN $6 ELSE title END
          WHERE id = $1 AND message_count = $8 AND knowledge_base_id IS NOT DISTINCT FROM $11::uuid
            AND (lease_until IS NULL OR lease_until < now())
          RETURNING id),
       inserted AS (
         INSERT INTO messages (conversation_id, seq, role, content, status, created_at, completed_at, model_snapshot, history_tokens)
         SELECT id, $2::int, 'user', $3::text, 'complete', $4::timestamptz, $4::timestamptz, NULL::jsonb, $10::int FROM touched
         UNION ALL SELECT id, $2::int + 1, 'assistant', '', 'streaming', $4::timestamptz, NULL::timestamptz, $5::jsonb, NULL::int FROM touched
         RETURNING ${MESSAGE_COLUMNS}),
       audited AS MATERIALIZED (SELECT a.* FROM touched CROSS JOIN LATERAL ${w.audit.sql} a)
       SELECT inserted.* FROM inserted CROSS JOIN audited ORDER BY inserted.seq`,
      [
        w.conversationId,
        w.seq,
        w.content,
        w.sentAt,
        JSON.stringify(w.snapshot),
        w.title,
        LEASE_SECONDS,
        w.expected,
        DEFAULT_TITLE,
        w.tokens,
        w.knowledgeBaseId,
        ...w.audit.params,
      ],
    );
  }

  /** `beginOne` for many conversations; their audit events join the chain together (`audit_append_many`). */
  private async beginMany(writes: BeginWrite[]): Promise<Message[][]> {
    const input = writes.map((w) => ({
      id: w.conversationId,
      seq: w.seq,
      content: w.content,
      tokens: w.tokens,
      sent_at: w.sentAt,
      snapshot: w.snapshot,
      title: w.title,
      expected: w.expected,
      kb: w.knowledgeBaseId,
      audit: w.audit.args,
    }));
    const rows = await preparedQuery<Message>(this.dataSource, 'turn-begin-batch', BEGIN_BATCH_SQL, [
      JSON.stringify(input),
      LEASE_SECONDS,
      DEFAULT_TITLE,
      CHAIN_LOCK,
    ]);
    const byConversation = new Map<string, Message[]>();
    for (const row of rows) byConversation.set(row.conversationId, [...(byConversation.get(row.conversationId) ?? []), row]);
    return writes.map((w) => byConversation.get(w.conversationId) ?? []);
  }

  private async finishOne({ conversationId, messageId, reply }: FinishWrite): Promise<void> {
    await preparedQuery(
      this.dataSource,
      'turn-finish',
      `WITH reply AS (
         UPDATE messages SET content = $2, status = $3, sources = $4::jsonb, error = $5::jsonb, input_tokens = $6, output_tokens = $7,
                cost = $8::jsonb, cost_usd = $9, latency_ms = $10, ttft_ms = $11, completed_at = $12, history_tokens = $14 WHERE id = $1)
       UPDATE conversations SET input_tokens = input_tokens + $6, output_tokens = output_tokens + $7, cost_usd = cost_usd + $9::numeric,
              updated_at = now(), lease_until = NULL WHERE id = $13`,
      [
        messageId,
        reply.content,
        reply.status,
        JSON.stringify(reply.sources),
        reply.error === null ? null : JSON.stringify(reply.error),
        reply.inputTokens,
        reply.outputTokens,
        reply.cost === null ? null : JSON.stringify(reply.cost),
        reply.costUsd,
        reply.latencyMs,
        reply.ttftMs,
        reply.completedAt,
        conversationId,
        reply.historyTokens,
      ],
    );
  }

  private async finishMany(writes: FinishWrite[]): Promise<void[]> {
    const input = writes.map(({ conversationId, messageId, reply }) => ({
      message_id: messageId,
      conversation_id: conversationId,
      content: reply.content,
      status: reply.status,
      sources: reply.sources,
      error: reply.error,
      input_tokens: reply.inputTokens,
      output_tokens: reply.outputTokens,
      cost: reply.cost,
      cost_usd: reply.costUsd,
      latency_ms: reply.latencyMs,
      ttft_ms: reply.ttftMs,
      completed_at: reply.completedAt,
      history_tokens: reply.historyTokens,
    }));
    await preparedQuery(this.dataSource, 'turn-finish-batch', FINISH_BATCH_SQL, [JSON.stringify(input)]);
    return writes.map(() => undefined);
  }
}
