import type { ConversationResponse, ConversationWithMessages, MessageResponse } from '../app/api/models';

// Conversation test data shaped by the generated DTOs.

export const CONVERSATION_ID = '55555555-5555-4555-8555-555555555555';
export const MODEL_ID = '22222222-2222-4222-8222-222222222222';

export function aConversation(overrides: Partial<ConversationResponse> = {}): ConversationResponse {
  return {
    id: CONVERSATION_ID,
    owner_id: '5f0c6f2e-1b7e-4c39-9a55-0f0b7a1d2c3e',
    knowledge_base_id: null,
    model_id: MODEL_ID,
    title: 'New conversation',
    system_prompt: null,
    message_count: 0,
    input_tokens: 0,
    output_tokens: 0,
    cost_usd: '0',
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

export function aMessage(overrides: Partial<MessageResponse> = {}): MessageResponse {
  const role = overrides.role ?? 'user';
  return {
    id: `${role}-${overrides.seq ?? 1}`,
    conversation_id: CONVERSATION_ID,
    seq: 1,
    role,
    content: 'Hello',
    status: 'complete',
    sources: [],
    error: null,
    input_tokens: null,
    output_tokens: null,
    cost: null,
    latency_ms: null,
    ttft_ms: null,
    model: null,
    created_at: '2026-01-01T00:00:00.000Z',
    completed_at: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** A finished reply with its accounting, as the `assistant_message` event carries it. */
export function aReply(content: string, overrides: Partial<MessageResponse> = {}): MessageResponse {
  return aMessage({
    role: 'assistant',
    seq: 2,
    content,
    input_tokens: 12,
    output_tokens: 9,
    cost: {
      input_per_million: '0.15',
      output_per_million: '0.6',
      input_usd: '0.0000018',
      output_usd: '0.0000054',
      total_usd: '0.0000072',
      currency: 'USD',
    },
    latency_ms: 1250,
    ttft_ms: 310,
    model: {
      id: MODEL_ID,
      display_name: 'GPT-4o mini',
      model_id: 'gpt-4o-mini',
      provider_id: '11111111-1111-4111-8111-111111111111',
      provider_name: 'OpenAI production',
      provider_kind: 'openai',
    },
    ...overrides,
  });
}

export function withMessages(conversation: ConversationResponse, messages: MessageResponse[]): ConversationWithMessages {
  return { ...conversation, message_count: messages.length, messages };
}
