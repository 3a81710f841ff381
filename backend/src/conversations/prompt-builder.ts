import { countTokens } from 'gpt-tokenizer';
import { DomainError } from '../common/domain-error.js';
import type { Model } from '../models/model.entity.js';
import type { RegistrySnapshot } from '../registry/registry-cache.js';
import type { ChatMessage } from '../upstream/upstream.types.js';

/** Per-message framing tokens (role markers) in chat formats; OpenAI documents about four. */
const MESSAGE_OVERHEAD = 4;
const DEFAULT_CONTEXT_WINDOW = 8192;
const DEFAULT_MAX_OUTPUT = 1024;

/** A message of a conversation's history and the tokens it takes in a prompt (null: not counted yet). */
export interface HistoryMessage extends ChatMessage {
  tokens: number | null;
}

export interface PromptParts {
  systemPrompt: string | null;
  /** Retrieved knowledge, already formatted; placed with the system prompt. */
  context: string | null;
  /** Earlier turns, oldest first. */
  history: HistoryMessage[];
  current: string;
  /** `tokensOf(current)`, when the caller has counted it already. */
  currentTokens?: number;
  contextWindow: number;
  maxOutputTokens: number;
}

export interface BuiltPrompt {
  messages: ChatMessage[];
  inputTokens: number;
  /** Earlier turns left out because they did not fit. */
  droppedTurns: number;
}

export const tokensOf = (text: string) => countTokens(text) + MESSAGE_OVERHEAD;

export interface PromptLimits {
  contextWindow: number;
  /** Room kept for the reply: the model's max output, at most half the window. */
  maxOutputTokens: number;
  /** What the prompt may take. */
  inputBudget: number;
}

export function promptLimits(model: Pick<Model, 'params'>): PromptLimits {
  const params = (model.params ?? {}) as { context_window?: number; max_output_tokens?: number };
  const contextWindow = params.context_window ?? DEFAULT_CONTEXT_WINDOW;
  const maxOutputTokens = Math.min(params.max_output_tokens ?? DEFAULT_MAX_OUTPUT, Math.floor(contextWindow / 2));
  return { contextWindow, maxOutputTokens, inputBudget: contextWindow - maxOutputTokens };
}

const caps = new WeakMap<RegistrySnapshot, number>();

/**
 * The most history any turn could use: the largest input budget of the registry's generation
 * models. A turn's read loads no more than this (by the stored counts), whichever model the turn
 * ends up routed to; the prompt builder then trims to the model's own budget.
 */
export function historyCap(snapshot: RegistrySnapshot): number {
  let cap = caps.get(snapshot);
  if (cap === undefined) {
    cap = promptLimits({ params: {} }).inputBudget;
    for (const model of snapshot.modelsByType.generation) cap = Math.max(cap, promptLimits(model).inputBudget);
    caps.set(snapshot, cap);
  }
  return cap;
}

/**
 * System prompt and retrieved context, then as much history as fits the model's context window
 * minus the room kept for the reply, newest turns first, then the new message. A message that
 * cannot fit even alone is refused. History messages stored without a count are counted here,
 * once: the count stays on the message, which lives on from turn to turn (TurnStates).
 */
export function buildPrompt(parts: PromptParts): BuiltPrompt {
  const budget = parts.contextWindow - parts.maxOutputTokens;
  const system = [parts.systemPrompt, parts.context].filter(Boolean).join('\n\n');
  const fixed: ChatMessage[] = system ? [{ role: 'system', content: system }] : [];
  let used = fixed.reduce((n, m) => n + tokensOf(m.content), 0) + (parts.currentTokens ?? tokensOf(parts.current));
  if (used > budget) {
    throw new DomainError(
      'validation',
      'message.too_long_for_model',
      `The message needs about ${used} tokens with the system prompt, but the model leaves ${budget} for input (context window ${parts.contextWindow} minus ${parts.maxOutputTokens} for the reply)`,
      { errors: [{ field: 'content', message: 'content is too long for this model' }] },
    );
  }
  let first = parts.history.length;
  while (first > 0) {
    const message = parts.history[first - 1];
    const cost = (message.tokens ??= tokensOf(message.content));
    if (used + cost > budget) break;
    used += cost;
    first--;
  }
  return {
    messages: [...fixed, ...parts.history.slice(first), { role: 'user', content: parts.current }],
    inputTokens: used,
    droppedTurns: first,
  };
}
