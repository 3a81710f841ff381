export const DISTANCE_METRICS = ['cosine', 'dot', 'euclidean'] as const;
export type DistanceMetric = (typeof DISTANCE_METRICS)[number];

export function metricOf(params: Record<string, unknown> | null | undefined): DistanceMetric {
  const value = params?.['distance_metric'];
  return DISTANCE_METRICS.includes(value as DistanceMetric) ? (value as DistanceMetric) : 'cosine';
}

/** Vectors are stored as they came (little-endian float32) with their norm, so any metric can be applied later. */
export function encodeVector(values: readonly number[]): { bytes: Buffer; norm: number } {
  const array = Float32Array.from(values);
  let sum = 0;
  for (let i = 0; i < array.length; i++) sum += array[i]! * array[i]!;
  return { bytes: Buffer.from(array.buffer, array.byteOffset, array.byteLength), norm: Math.sqrt(sum) };
}

export function decodeInto(bytes: Buffer, target: Float32Array, offset: number): void {
  const n = bytes.byteLength >>> 2;
  for (let i = 0; i < n; i++) target[offset + i] = bytes.readFloatLE(i << 2);
}

/** Higher is closer: cosine similarity, the inner product, or 1 / (1 + L2 distance). */
export function similarity(metric: DistanceMetric, dot: number, norm: number, queryNorm: number): number {
  if (metric === 'dot') return dot;
  if (metric === 'cosine') return norm === 0 || queryNorm === 0 ? 0 : dot / (norm * queryNorm);
  return 1 / (1 + Math.sqrt(Math.max(0, norm * norm + queryNorm * queryNorm - 2 * dot)));
}

export interface Hit {
  row: number;
  score: number;
}

/** Keeps the `k` best scores seen: a min-heap on score, so each new row costs one comparison. */
export class TopK {
  private readonly heap: Hit[] = [];
  constructor(private readonly k: number) {}

  get threshold(): number {
    return this.heap.length < this.k ? -Infinity : this.heap[0]!.score;
  }

  offer(row: number, score: number): void {
    if (this.k <= 0) return;
    if (this.heap.length < this.k) {
      this.heap.push({ row, score });
      this.up(this.heap.length - 1);
    } else if (score > this.heap[0]!.score) {
      this.heap[0] = { row, score };
      this.down(0);
    }
  }

  /** Best first. */
  sorted(): Hit[] {
    return [...this.heap].sort((a, b) => b.score - a.score || a.row - b.row);
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]!.score <= h[i]!.score) return;
      [h[parent], h[i]] = [h[i]!, h[parent]!];
      i = parent;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && h[l]!.score < h[m]!.score) m = l;
      if (r < h.length && h[r]!.score < h[m]!.score) m = r;
      if (m === i) return;
      [h[m], h[i]] = [h[i]!, h[m]!];
      i = m;
    }
  }
}

/**
 * Scores rows [from, to) of a row-major matrix against the query. The inner loop is unrolled by
 * four: V8 keeps the accumulators in registers, about twice as fast as the plain loop.
 */
export function scanRows(
  data: Float32Array,
  norms: Float32Array,
  dims: number,
  query: Float32Array,
  queryNorm: number,
  metric: DistanceMetric,
  from: number,
  to: number,
  top: TopK,
): void {
  const tail = dims - (dims % 4);
  for (let row = from; row < to; row++) {
    const o = row * dims;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let i = 0; i < tail; i += 4) {
      s0 += data[o + i]! * query[i]!;
      s1 += data[o + i + 1]! * query[i + 1]!;
      s2 += data[o + i + 2]! * query[i + 2]!;
      s3 += data[o + i + 3]! * query[i + 3]!;
    }
    for (let i = tail; i < dims; i++) s0 += data[o + i]! * query[i]!;
    top.offer(row, similarity(metric, s0 + s1 + s2 + s3, norms[row]!, queryNorm));
  }
}
