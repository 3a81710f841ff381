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
  ttft_ms AS "ttftMs", history_tokens AS "historyTokens", model_snapshot AS "modelSnapshot", created_at AS "createdAt", completed_at AS "completedAt"`;

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
