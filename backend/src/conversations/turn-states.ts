import type { Conversation } from './conversation.entity.js';
import type { HistoryMessage } from './prompt-builder.js';

/** What a turn needs to know before it writes: the conversation and the history its prompt uses. */
export interface TurnState {
  conversation: Conversation;
  /** Complete, non-empty messages, oldest first (at most the read's cap of tokens, plus what turns added since). */
  history: HistoryMessage[];
}

const MAX_CONVERSATIONS = 5_000;
/** Characters of history held at most (about 32 MB of strings). */
const MAX_CHARACTERS = 16_000_000;
const ENTRY_OVERHEAD = 500;

/**
 * The conversations this instance served recently, as their next turn will find them, so that
 * turn can skip its read. An entry may be stale (another instance took a turn, the conversation
 * was deleted): the turn's write checks the message count it expects and stores nothing when the
 * row differs, and the turn then reads afresh. A turn takes its entry out while it runs and puts
 * the new state back when its reply is stored. Least recently used entries go first.
 */
export class TurnStates {
  private readonly entries = new Map<string, { state: TurnState; size: number }>();
  private characters = 0;

  /** The kept state, left in place. */
  get(id: string): TurnState | undefined {
    return this.entries.get(id)?.state;
  }

  take(id: string): TurnState | undefined {
    const entry = this.entries.get(id);
    if (entry) this.remove(id, entry.size);
    return entry?.state;
  }

  put(id: string, state: TurnState): void {
    const existing = this.entries.get(id);
    if (existing) this.remove(id, existing.size);
    const size = state.history.reduce((sum, m) => sum + m.content.length, ENTRY_OVERHEAD);
    if (size > MAX_CHARACTERS / 4) return;
    this.entries.set(id, { state, size });
    this.characters += size;
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= MAX_CONVERSATIONS && this.characters <= MAX_CHARACTERS) break;
      this.remove(oldest, entry.size);
    }
  }

  delete(id: string): void {
    const entry = this.entries.get(id);
    if (entry) this.remove(id, entry.size);
  }

  private remove(id: string, size: number): void {
    this.entries.delete(id);
    this.characters -= size;
  }
}
