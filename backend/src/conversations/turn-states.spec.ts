import type { Conversation } from './conversation.entity.js';
import { TurnStates } from './turn-states.js';

const state = (id: string, characters = 10) => ({
  conversation: { id } as Conversation,
  history: [{ role: 'user' as const, content: 'x'.repeat(characters), tokens: null }],
});

describe('kept turn states', () => {
  it('hands a state out once: a turn takes it while it runs', () => {
    const states = new TurnStates();
    states.put('a', state('a'));
    expect(states.take('a')?.conversation.id).toBe('a');
    expect(states.take('a')).toBeUndefined();
  });

  it('lets the least recently kept go first when over 5,000 conversations', () => {
    const states = new TurnStates();
    for (let i = 0; i < 5_000; i++) states.put(`c${i}`, state(`c${i}`));
    states.put('c0', states.take('c0')!); // used again: now the most recent
    states.put('new', state('new'));
    expect(states.take('c1')).toBeUndefined();
    expect(states.take('c0')).toBeDefined();
    expect(states.take('c2')).toBeDefined();
    expect(states.take('new')).toBeDefined();
  });

  it('holds at most 16 million characters of history, and never one conversation of over a quarter of that', () => {
    const states = new TurnStates();
    states.put('huge', state('huge', 4_000_001));
    expect(states.take('huge')).toBeUndefined();
    for (let i = 0; i < 5; i++) states.put(`big${i}`, state(`big${i}`, 3_500_000));
    expect(states.take('big0')).toBeUndefined();
    for (let i = 1; i < 5; i++) expect(states.take(`big${i}`)).toBeDefined();
  });
});
