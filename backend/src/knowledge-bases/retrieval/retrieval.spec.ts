import { fuseRankings } from './rrf.js';
import { encodeVector, scanRows, similarity, TopK } from './vector-math.js';

describe('reciprocal rank fusion', () => {
  it('rewards agreement between the lists over a single first place', () => {
    const fused = fuseRankings(['a', 'b', 'c'], ['b', 'd', 'a']);
    expect(fused.map((f) => f.id)).toEqual(['b', 'a', 'd', 'c']);
    expect(fused[0]).toMatchObject({ vectorRank: 2, textRank: 1 });
    expect(fused[0]!.score).toBeCloseTo(1 / 62 + 1 / 61, 12);
    expect(fused.find((f) => f.id === 'c')).toMatchObject({ textRank: null, vectorRank: 3 });
  });
});

describe('exact vector scan', () => {
  const rows = [
    [1, 0, 0, 0, 0],
    [0.9, 0.1, 0, 0, 0],
    [-1, 0, 0, 0, 0],
    [3, 3, 0, 0, 0],
  ];
  const scan = (metric: 'cosine' | 'dot' | 'euclidean', query: number[], k: number) => {
    const data = new Float32Array(rows.flat());
    const norms = Float32Array.from(rows.map((r) => encodeVector(r).norm));
    const q = Float32Array.from(query);
    const top = new TopK(k);
    scanRows(data, norms, 5, q, encodeVector(query).norm, metric, 0, rows.length, top);
    return top.sorted().map((h) => h.row);
  };

  it('orders by the model’s distance metric', () => {
    expect(scan('cosine', [1, 0, 0, 0, 0], 4)).toEqual([0, 1, 3, 2]);
    expect(scan('dot', [1, 0, 0, 0, 0], 4)).toEqual([3, 0, 1, 2]);
    expect(scan('euclidean', [1, 0, 0, 0, 0], 4)).toEqual([0, 1, 2, 3]);
    expect(scan('cosine', [1, 0, 0, 0, 0], 2)).toEqual([0, 1]);
  });

  it('computes similarities that agree with the definitions', () => {
    expect(similarity('cosine', 3, 3 * Math.SQRT2, 1)).toBeCloseTo(Math.SQRT1_2, 6);
    expect(similarity('euclidean', 0, 1, 1)).toBeCloseTo(1 / (1 + Math.SQRT2), 6);
    expect(similarity('cosine', 0, 0, 1)).toBe(0);
  });

  it('keeps the k best of many with a heap', () => {
    const top = new TopK(3);
    const scores = Array.from({ length: 1000 }, (_, i) => Math.sin(i));
    scores.forEach((s, i) => top.offer(i, s));
    const expected = scores
      .map((s, i) => [s, i] as const)
      .sort((a, b) => b[0] - a[0])
      .slice(0, 3)
      .map(([, i]) => i);
    expect(top.sorted().map((h) => h.row)).toEqual(expected);
  });
});
