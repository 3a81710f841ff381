import { normaliseDecimal } from '../common/decimal.js';
import type { ConversationResponse, MessageResponse } from './dto/conversation.dto.js';
import type { Conversation } from './conversation.entity.js';
import type { Message } from './message.entity.js';

/**
 * Column lists that read rows straight into the entities' shapes (property names as aliases), for
 * the hot paths that skip TypeORM's hydration: pg already parses jsonb, timestamptz and integers;
 * bigint totals come back as float8 numbers, numeric as strings (as the entities' transformers do).
 */
export const CONVERSATION_COLUMNS = `id, owner_id AS "ownerId", knowledge_base_id AS "knowledgeBaseId", model_id AS "modelId", title,
  system_prompt AS "systemPrompt", message_count AS "messageCount", input_tokens::float8 AS "inputTokens",
  output_tokens::float8 AS "outputTokens", cost_usd AS "costUsd", lease_until AS "leaseUntil", created_at AS "createdAt",
  updated_at AS "updatedAt"`;
export const MESSAGE_COLUMNS = `id, conversation_id AS "conversationId", seq, role, content, status, sources, error,
  input_tokens AS "inputTokens", output_tokens AS "outputTokens", cost, cost_usd AS "costUsd", latency_ms AS "latencyMs",
  ttft_ms AS "ttftMs", model_snapshot AS "modelSnapshot", created_at AS "createdAt", completed_at AS "completedAt"`;

export function toConversationResponse(c: Conversation): ConversationResponse {
  return {
    id: c.id,
    owner_id: c.ownerId,
    knowledge_base_id: c.knowledgeBaseId,
    model_id: c.modelId,
    title: c.title,
    system_prompt: c.systemPrompt,
    message_count: c.messageCount,
    input_tokens: Number(c.inputTokens),
    output_tokens: Number(c.outputTokens),
    cost_usd: normaliseDecimal(String(c.costUsd)) ?? '0',
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
  };
}

export function toMessageResponse(m: Message): MessageResponse {
  return {
    id: m.id,
    conversation_id: m.conversationId,
    seq: m.seq,
    role: m.role,
    content: m.content,
    status: m.status,
    sources: m.sources ?? [],
    error: m.error,
    input_tokens: m.inputTokens,
    output_tokens: m.outputTokens,
    cost: m.cost,
    latency_ms: m.latencyMs,
    ttft_ms: m.ttftMs,
    model: m.modelSnapshot,
    created_at: m.createdAt.toISOString(),
    completed_at: m.completedAt ? m.completedAt.toISOString() : null,
  };
}

/** A timestamp as `Date.prototype.toISOString` writes it (UTC, milliseconds, truncated as pg's Date parsing does). */
const isoOf = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * A conversation with its messages as the JSON text `toConversationResponse` and
 * `toMessageResponse` would give, built by PostgreSQL: a long conversation is then one text value
 * passed through, not hundreds of rows parsed into objects and serialised again (about half of a
 * 200-message read's time). `$1` is the conversation, `$2` whether the reader is an admin (who may
 * read any), `$3` the reader's user id. A test holds the two shapes equal.
 */
export const CONVERSATION_DETAIL_JSON = `SELECT json_build_object(
    'id', c.id, 'owner_id', c.owner_id, 'knowledge_base_id', c.knowledge_base_id, 'model_id', c.model_id,
    'title', c.title, 'system_prompt', c.system_prompt, 'message_count', c.message_count,
    'input_tokens', c.input_tokens, 'output_tokens', c.output_tokens,
    'cost_usd', coalesce(trim_scale(c.cost_usd)::text, '0'),
    'created_at', ${isoOf('c.created_at')}, 'updated_at', ${isoOf('c.updated_at')},
    'messages', coalesce((SELECT json_agg(json_build_object(
        'id', m.id, 'conversation_id', m.conversation_id, 'seq', m.seq, 'role', m.role, 'content', m.content,
        'status', m.status, 'sources', coalesce(m.sources, '[]'::jsonb), 'error', m.error,
        'input_tokens', m.input_tokens, 'output_tokens', m.output_tokens, 'cost', m.cost,
        'latency_ms', m.latency_ms, 'ttft_ms', m.ttft_ms, 'model', m.model_snapshot,
        'created_at', ${isoOf('m.created_at')}, 'completed_at', ${isoOf('m.completed_at')}
      ) ORDER BY m.seq) FROM messages m WHERE m.conversation_id = c.id), '[]'::json)
  )::text AS body
  FROM conversations c WHERE c.id = $1 AND ($2 OR c.owner_id = $3)`;
