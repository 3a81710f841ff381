import { emptyBuckets } from './latency-buckets.js';

/**
 * Calls summed: counts, tokens, latency and its histogram. Costs are kept as the decimal strings
 * they came as, to be added exactly once at the end rather than in floating point on the way.
 */
export interface UsageTally {
  requests: number;
  errors: number;
  input: number;
  output: number;
  cost: string[];
  latency: number;
  buckets: number[];
  /** The fastest and slowest call (ms); 0 and Infinity when not known (rollup rows from before they were kept). */
  fastest: number;
  slowest: number;
}

export const emptyTally = (): UsageTally => ({
  requests: 0,
  errors: 0,
  input: 0,
  output: 0,
  cost: [],
  latency: 0,
  buckets: emptyBuckets(),
  fastest: Infinity,
  slowest: -Infinity,
});
