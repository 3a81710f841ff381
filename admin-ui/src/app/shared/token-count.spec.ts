import { compactTokens } from './token-count';

describe('compactTokens', () => {
  it('names binary sizes by their binary unit, as model cards do', () => {
    expect(compactTokens(8192)).toBe('8K');
    expect(compactTokens(16384)).toBe('16K');
    expect(compactTokens(32768)).toBe('32K');
    expect(compactTokens(131072)).toBe('128K');
    expect(compactTokens(1048576)).toBe('1M');
    expect(compactTokens(24576)).toBe('24K');
  });

  it('writes other counts in decimal to one place', () => {
    expect(compactTokens(128000)).toBe('128K');
    expect(compactTokens(1024000)).toBe('1M');
    expect(compactTokens(200000)).toBe('200K');
    expect(compactTokens(1500)).toBe('1.5K');
    expect(compactTokens(1536)).toBe('1.5K');
    expect(compactTokens(1000000)).toBe('1M');
    expect(compactTokens(2500000)).toBe('2.5M');
    expect(compactTokens(999)).toBe('999');
  });
});
