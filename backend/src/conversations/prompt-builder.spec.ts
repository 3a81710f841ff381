import { buildPrompt, historyCap, type HistoryMessage, promptLimits, tokensOf } from './prompt-builder.js';
import type { RegistrySnapshot } from '../registry/registry-cache.js';

const turn = (role: 'user' | 'assistant', words: number, tag: string): HistoryMessage => ({
  role,
  content: `${tag} ${'word '.repeat(words)}`.trim(),
  tokens: null,
});

describe('buildPrompt', () => {
  it('keeps the newest history that fits and drops the oldest', () => {
    const history = [turn('user', 50, 'oldest'), turn('assistant', 50, 'old'), turn('user', 50, 'recent'), turn('assistant', 50, 'newest')];
    const per = tokensOf(history[0].content);
    const current = 'what now?';
    const contextWindow = tokensOf(current) + 2 * per + 5 + 100;
    const built = buildPrompt({ systemPrompt: null, context: null, history, current, contextWindow, maxOutputTokens: 100 });
    expect(built.messages.map((m) => m.content.split(' ')[0])).toEqual(['recent', 'newest', 'what']);
    expect(built.droppedTurns).toBe(2);
    expect(built.inputTokens).toBeLessThanOrEqual(contextWindow - 100);
  });

  it('always sends the system prompt and the new message, in that order', () => {
    const built = buildPrompt({
      systemPrompt: 'Be brief.',
      context: 'Doc: x',
      history: [],
      current: 'hi',
      contextWindow: 1000,
      maxOutputTokens: 100,
    });
    expect(built.messages).toEqual([
      { role: 'system', content: 'Be brief.\n\nDoc: x' },
      { role: 'user', content: 'hi' },
    ]);
  });

  it('refuses a message that cannot fit even alone', () => {
    expect(() =>
      buildPrompt({
        systemPrompt: null,
        context: null,
        history: [],
        current: 'word '.repeat(500),
        contextWindow: 300,
        maxOutputTokens: 100,
      }),
    ).toThrow(/leaves 200 for input/);
  });
});

describe('history token counts', () => {
  it('uses a stored count as given, and counts a message without one once, keeping the count on it', () => {
    const stored = { ...turn('user', 200, 'long'), tokens: 1 };
    const uncounted = turn('assistant', 3, 'short');
    const built = buildPrompt({
      systemPrompt: null,
      context: null,
      history: [stored, uncounted],
      current: 'hi',
      contextWindow: 150,
      maxOutputTokens: 50,
    });
    // By its real count the long message would not fit in 100 tokens; its stored count says it does.
    expect(built.messages.map((m) => m.content.split(' ')[0])).toEqual(['long', 'short', 'hi']);
    expect(uncounted.tokens).toBe(tokensOf(uncounted.content));
    expect(built.inputTokens).toBe(tokensOf('hi') + 1 + tokensOf(uncounted.content));
  });

  it('takes the caller’s count of the new message instead of counting it again', () => {
    const built = buildPrompt({
      systemPrompt: null,
      context: null,
      history: [],
      current: 'hi',
      currentTokens: 42,
      contextWindow: 100,
      maxOutputTokens: 10,
    });
    expect(built.inputTokens).toBe(42);
  });
});

describe('prompt limits', () => {
  it('keeps the model’s max output for the reply, at most half the window, with defaults', () => {
    expect(promptLimits({ params: { context_window: 4096, max_output_tokens: 256 } })).toEqual({
      contextWindow: 4096,
      maxOutputTokens: 256,
      inputBudget: 3840,
    });
    expect(promptLimits({ params: { context_window: 1000, max_output_tokens: 900 } }).inputBudget).toBe(500);
    expect(promptLimits({ params: {} })).toEqual({ contextWindow: 8192, maxOutputTokens: 1024, inputBudget: 7168 });
  });

  it('caps a read at the largest input budget of the generation models, never below the default', () => {
    const snapshot = (...params: Record<string, number>[]) =>
      ({ modelsByType: { generation: params.map((p) => ({ params: p })), embedding: [], ner: [] } }) as unknown as RegistrySnapshot;
    expect(historyCap(snapshot({ context_window: 128_000, max_output_tokens: 4_000 }, { context_window: 2_000 }))).toBe(124_000);
    expect(historyCap(snapshot({ context_window: 2_000 }))).toBe(7168);
  });
});
