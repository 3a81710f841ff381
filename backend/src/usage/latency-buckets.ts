/** Upper bounds (ms) of the latency histogram kept per day in usage_daily; the last is open-ended. */
export const LATENCY_BOUNDS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 120000, Infinity];

export function bucketOf(latencyMs: number): number {
  const index = LATENCY_BOUNDS_MS.findIndex((bound) => latencyMs <= bound);
  return index < 0 ? LATENCY_BOUNDS_MS.length - 1 : index;
}

export const emptyBuckets = () => LATENCY_BOUNDS_MS.map(() => 0);

/**
 * A percentile from histogram counts, interpolated linearly inside its bucket and kept within the
 * fastest and slowest call when they are known. Exact enough for dashboards (the error is bounded
 * by the bucket width) and cheap over a month of data.
 */
export function percentileFromBuckets(buckets: number[], q: number, fastest = 0, slowest = Infinity): number | null {
  const interpolated = interpolate(buckets, q);
  return interpolated === null ? null : Math.round(Math.min(Math.max(interpolated, fastest), slowest));
}

function interpolate(buckets: number[], q: number): number | null {
  const total = buckets.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    if (buckets[i] === 0) continue;
    if (seen + buckets[i] >= rank) {
      const lower = i === 0 ? 0 : LATENCY_BOUNDS_MS[i - 1];
      const upper = Number.isFinite(LATENCY_BOUNDS_MS[i]) ? LATENCY_BOUNDS_MS[i] : lower * 2;
      return lower + ((rank - seen) / buckets[i]) * (upper - lower);
    }
    seen += buckets[i];
  }
  return LATENCY_BOUNDS_MS.at(-2)!;
}
