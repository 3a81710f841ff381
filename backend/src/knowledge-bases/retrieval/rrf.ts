/** The constant of Cormack et al. (2009): damps the weight of the very first ranks. */
export const RRF_K = 60;

export interface Fused {
  id: string;
  score: number;
  vectorRank: number | null;
  textRank: number | null;
}

/**
 * Reciprocal rank fusion of the vector and full-text rankings (each best first): a chunk scores
 * the sum of 1 / (k + rank) over the lists it appears in, so agreement between them wins and
 * neither list's raw scores need to be comparable.
 */
export function fuseRankings(vector: readonly string[], text: readonly string[], k = RRF_K): Fused[] {
  const fused = new Map<string, Fused>();
  const add = (ids: readonly string[], key: 'vectorRank' | 'textRank') =>
    ids.forEach((id, i) => {
      const entry = fused.get(id) ?? { id, score: 0, vectorRank: null, textRank: null };
      entry.score += 1 / (k + i + 1);
      entry[key] = i + 1;
      fused.set(id, entry);
    });
  add(vector, 'vectorRank');
  add(text, 'textRank');
  return [...fused.values()].sort(
    (a, b) => b.score - a.score || (a.vectorRank ?? Infinity) - (b.vectorRank ?? Infinity) || a.id.localeCompare(b.id),
  );
}
