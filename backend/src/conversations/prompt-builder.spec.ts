import { buildPrompt, TokenCounts, tokensOf } from './prompt-builder.js';

const turn = (role: 'user' | 'assistant', words: number, tag: string) => ({ role, content: `${tag} ${'word '.repeat(words)}`.trim() });

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

describe('TokenCounts', () => {
  it('counts each message object once, and a new object (a fresh read) again', () => {
    const counted: string[] = [];
    const counts = new TokenCounts((text) => (counted.push(text), text.length));
    const message = turn('user', 3, 'kept');
    expect(counts.of(message)).toBe(message.content.length);
    expect(counts.of(message)).toBe(message.content.length);
    expect(counted).toEqual([message.content]);
    counts.of({ ...message });
    expect(counted).toHaveLength(2);
  });
});
