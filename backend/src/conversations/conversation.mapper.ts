import { normaliseDecimal } from '../common/decimal.js';
import type { ConversationResponse, MessageResponse } from './dto/conversation.dto.js';
import type { Conversation } from './conversation.entity.js';
import type { Message } from './message.entity.js';

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
