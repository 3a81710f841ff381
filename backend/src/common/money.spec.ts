import { costUnits, formatUsd, priceUnits } from './money.js';

describe('money', () => {
  it('reads prices exactly', () => {
    expect(priceUnits('0.15')).toBe(150_000n);
    expect(priceUnits('2')).toBe(2_000_000n);
    expect(priceUnits('0.000001')).toBe(1n);
    expect(() => priceUnits('0.1234567')).toThrow();
  });

  it('reads a price the same way again, and refuses a bad one every time (parsed prices are kept)', () => {
    expect([priceUnits('3.5'), priceUnits('3.5')]).toEqual([3_500_000n, 3_500_000n]);
    expect(() => priceUnits('1.x')).toThrow();
    expect(() => priceUnits('1.x')).toThrow();
    expect(formatUsd(-costUnits(300, '0.15'))).toBe('-0.000045');
  });

  it('costs tokens without floating-point error', () => {
    // 0.1 + 0.2 in floats is 0.30000000000000004; here it is exact.
    const total = costUnits(1_000_000, '0.1') + costUnits(1_000_000, '0.2');
    expect(formatUsd(total)).toBe('0.3');
    expect(formatUsd(costUnits(300, '0.15'))).toBe('0.000045');
    expect(formatUsd(costUnits(7, '0.000001'))).toBe('0.000000000007');
    expect(formatUsd(costUnits(123_456, '15'))).toBe('1.85184');
  });

  it('costs nothing without a price or tokens', () => {
    expect(costUnits(1000, null)).toBe(0n);
    expect(formatUsd(costUnits(0, '3'))).toBe('0');
  });
});
