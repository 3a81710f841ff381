import { bucketOf, emptyBuckets, LATENCY_BOUNDS_MS, percentileFromBuckets } from './latency-buckets.js';

/** A histogram from raw latencies, as the recorder builds it. */
const histogram = (latencies: number[]) => {
  const buckets = emptyBuckets();
  for (const ms of latencies) buckets[bucketOf(ms)]++;
  return buckets;
};

describe('bucketOf', () => {
  it('puts a latency in the first bucket whose upper bound holds it (bounds inclusive)', () => {
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(5)).toBe(0);
    expect(bucketOf(5.1)).toBe(1);
    expect(bucketOf(100)).toBe(LATENCY_BOUNDS_MS.indexOf(100));
    expect(bucketOf(10 * 60_000)).toBe(LATENCY_BOUNDS_MS.length - 1);
  });
});

describe('percentileFromBuckets', () => {
  it('has no percentile without calls', () => {
    expect(percentileFromBuckets(emptyBuckets(), 0.5)).toBeNull();
  });

  it('interpolates linearly inside the bucket that holds the rank', () => {
    // Ten calls in (25, 50]: the median is half way through the bucket, p95 near its top.
    const buckets = histogram(Array<number>(10).fill(30));
    expect(percentileFromBuckets(buckets, 0.5)).toBe(38);
    expect(percentileFromBuckets(buckets, 0.95)).toBe(49);
    expect(percentileFromBuckets(buckets, 1)).toBe(50);
  });

  it('keeps the estimate within the fastest and slowest call when they are known', () => {
    // Ten calls of 30 ms: the bucket alone says 38 and 49.
    const buckets = histogram(Array<number>(10).fill(30));
    expect(percentileFromBuckets(buckets, 0.5, 30, 30)).toBe(30);
    expect(percentileFromBuckets(buckets, 0.95, 30, 30)).toBe(30);
    // Calls of 26 to 45 ms: a median of 38 is inside that range and stays; p95 is capped at 45.
    expect(percentileFromBuckets(buckets, 0.5, 26, 45)).toBe(38);
    expect(percentileFromBuckets(buckets, 0.95, 26, 45)).toBe(45);
  });

  it('skips to the bucket where the rank falls: a slow tail shows in p95, not p50', () => {
    const buckets = histogram([...Array<number>(18).fill(40), 3000, 4000]);
    const p50 = percentileFromBuckets(buckets, 0.5)!;
    const p95 = percentileFromBuckets(buckets, 0.95)!;
    expect(p50).toBeGreaterThan(25);
    expect(p50).toBeLessThanOrEqual(50);
    // Rank 19 of 20 is the first of the two calls in (2500, 5000].
    expect(p95).toBe(3750);
  });

  it('stays within the bounds of the true value’s bucket, whatever the spread', () => {
    const latencies = Array.from({ length: 1000 }, (_, i) => 1 + ((i * 7919) % 2000));
    const sorted = [...latencies].sort((a, b) => a - b);
    const buckets = histogram(latencies);
    for (const q of [0.5, 0.95, 0.99]) {
      const exact = sorted[Math.ceil(q * sorted.length) - 1];
      const bucket = bucketOf(exact);
      const estimate = percentileFromBuckets(buckets, q)!;
      expect(estimate).toBeGreaterThanOrEqual(bucket === 0 ? 0 : LATENCY_BOUNDS_MS[bucket - 1]);
      expect(estimate).toBeLessThanOrEqual(LATENCY_BOUNDS_MS[bucket]);
    }
  });

  it('gives the open-ended last bucket a width equal to its lower bound', () => {
    const buckets = histogram([300_000, 400_000]);
    const lower = LATENCY_BOUNDS_MS.at(-2)!;
    expect(percentileFromBuckets(buckets, 0.5)).toBe(lower + lower / 2);
    expect(percentileFromBuckets(buckets, 1)).toBe(lower * 2);
  });
});
