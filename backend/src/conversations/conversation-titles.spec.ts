import { cleanTitle } from './conversation-titles.js';

describe('a generated title, cleaned', () => {
  it('takes the first line without quotes, a heading mark, a "Title:" label or a full stop', () => {
    expect(cleanTitle('"Packing for Lisbon."\nHope this helps!')).toBe('Packing for Lisbon');
    expect(cleanTitle('## Title: Weekend in Lisbon')).toBe('Weekend in Lisbon');
    expect(cleanTitle('  “Offside, explained”  ')).toBe('Offside, explained');
    expect(cleanTitle('**Iceland   packing list**')).toBe('Iceland packing list');
  });

  it('keeps a question mark: only a full stop is dropped', () => {
    expect(cleanTitle('Why is the sky blue?')).toBe('Why is the sky blue?');
  });

  it('cuts a long answer at a word near 80 characters', () => {
    const long = 'A very long title that goes on and on about the many ways to plan a weekend trip across Portugal';
    const title = cleanTitle(long);
    expect(title.length).toBeLessThanOrEqual(81);
    expect(title.endsWith('…')).toBe(true);
    expect(long.startsWith(title.slice(0, -1))).toBe(true);
    expect(title.slice(0, -1)).not.toMatch(/\s$/);
  });

  it('is empty when the answer has no words', () => {
    expect(cleanTitle('  \n  ')).toBe('');
    expect(cleanTitle('""')).toBe('');
  });
});
