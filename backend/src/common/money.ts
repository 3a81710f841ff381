/**
 * Exact USD arithmetic for token costs. Prices are decimals with at most 6 fraction digits per
 * million tokens, so a cost is an integer number of 1e-12 USD ("pico-dollars"): BigInt keeps it
 * exact, and sums of costs stay exact too.
 */
const PRICE_SCALE = 6;
const COST_SCALE = 12;
const PRICE_UNIT = 10n ** BigInt(PRICE_SCALE);
const COST_UNIT = 10n ** BigInt(COST_SCALE);
/** Parsed prices by their text: a registry has few distinct prices, and every priced call needs two. */
const parsedPrices = new Map<string, bigint>();
const PARSED_PRICES_KEPT = 10_000;

/** "0.15" → 150000n (units of 1e-6 USD per million tokens). */
export function priceUnits(perMillion: string): bigint {
  const known = parsedPrices.get(perMillion);
  if (known !== undefined) return known;
  const units = parsePrice(perMillion);
  if (parsedPrices.size >= PARSED_PRICES_KEPT) parsedPrices.clear();
  parsedPrices.set(perMillion, units);
  return units;
}

function parsePrice(perMillion: string): bigint {
  const [whole, fraction = ''] = perMillion.trim().split('.');
  if (!/^\d+$/.test(whole) || !/^\d*$/.test(fraction) || fraction.length > PRICE_SCALE) {
    throw new Error(`not a price with at most ${PRICE_SCALE} decimals: ${perMillion}`);
  }
  return BigInt(whole) * PRICE_UNIT + BigInt(fraction.padEnd(PRICE_SCALE, '0') || '0');
}

/** Cost of `tokens` at a price per million, in 1e-12 USD. */
export function costUnits(tokens: number, perMillion: string | null): bigint {
  if (perMillion === null || tokens <= 0) return 0n;
  return BigInt(tokens) * priceUnits(perMillion);
}

/** A stored USD decimal (up to 12 fraction digits) → 1e-12 USD units. */
export function usdUnits(decimal: string): bigint {
  const negative = decimal.startsWith('-');
  const [whole, fraction = ''] = (negative ? decimal.slice(1) : decimal).split('.');
  const units = BigInt(whole || '0') * COST_UNIT + BigInt(fraction.padEnd(COST_SCALE, '0').slice(0, COST_SCALE) || '0');
  return negative ? -units : units;
}

/** 1e-12 USD units → a decimal string ("0.000045" for 45000000n), without trailing zeros. */
export function formatUsd(units: bigint): string {
  if (units === 0n) return '0';
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const whole = abs / COST_UNIT;
  const fraction = (abs % COST_UNIT).toString().padStart(COST_SCALE, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}
