import { countTokens } from 'gpt-tokenizer';
import { DomainError } from '../common/domain-error.js';
import type { ChatMessage } from '../upstream/upstream.types.js';

/** Per-message framing tokens (role markers) in chat formats; OpenAI documents about four. */
const MESSAGE_OVERHEAD = 4;
export const DEFAULT_CONTEXT_WINDOW = 8192;
export const DEFAULT_MAX_OUTPUT = 1024;

export interface PromptParts {
  systemPrompt: string | null;
  /** Retrieved knowledge, already formatted; placed with the system prompt. */
  context: string | null;
  /** Earlier turns, oldest first. */
  history: ChatMessage[];
  current: string;
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

/**
 * A message's token count, counted once per message object. A conversation's history objects live
 * from turn to turn (TurnStates keeps them), so each turn counts only what is new instead of
 * tokenizing the whole history again; entries go with the objects.
 */
export class TokenCounts {
  private readonly counted = new WeakMap<ChatMessage, number>();

  constructor(private readonly count: (text: string) => number = tokensOf) {}

  of(message: ChatMessage): number {
    let tokens = this.counted.get(message);
    if (tokens === undefined) {
      tokens = this.count(message.content);
      this.counted.set(message, tokens);
    }
    return tokens;
  }
}

const historyTokens = new TokenCounts();

/**
 * System prompt and retrieved context, then as much history as fits the model's context window
 * minus the room kept for the reply, newest turns first, then the new message. A message that
 * cannot fit even alone is refused.
 */
export function buildPrompt(parts: PromptParts): BuiltPrompt {
  const budget = parts.contextWindow - parts.maxOutputTokens;
  const system = [parts.systemPrompt, parts.context].filter(Boolean).join('\n\n');
  const fixed: ChatMessage[] = system ? [{ role: 'system', content: system }] : [];
  let used = fixed.reduce((n, m) => n + tokensOf(m.content), 0) + tokensOf(parts.current);
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
    const cost = historyTokens.of(parts.history[first - 1]);
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
