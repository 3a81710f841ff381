import type { DataSource } from 'typeorm';
import { decodeInto, scanRows, TopK, type DistanceMetric } from './vector-math.js';

const LOAD_PAGE = 4_000;
/** Bytes per row besides the vector: norm, seq and the chunk id string. */
const ROW_OVERHEAD = 4 + 8 + 80;
/** Rows scored between yields to the event loop (~3 ms at 768 dimensions), so a scan never stalls other requests. */
const SLICE = 4_096;

export interface IndexRef {
  id: string;
  dimensions: number;
  vectorEpoch: number;
}

export interface VectorHit {
  chunkId: string;
  similarity: number;
}

/** One index's vectors in memory: a row-major float32 matrix, its norms, chunk ids and seqs. */
class CachedIndex {
  data: Float32Array;
  norms: Float32Array;
  seqs: Float64Array;
  ids: string[] = [];
  count = 0;
  maxSeq = 0;
  lastUsed = Date.now();
  refreshing: Promise<void> | null = null;

  constructor(
    readonly dims: number,
    public epoch: number,
    capacity = 1_024,
  ) {
    this.data = new Float32Array(capacity * dims);
    this.norms = new Float32Array(capacity);
    this.seqs = new Float64Array(capacity);
  }

  get bytes(): number {
    return this.data.byteLength + this.norms.byteLength + this.seqs.byteLength + this.ids.length * 80;
  }

  static estimate(rows: number, dims: number): number {
    return rows * (dims * 4 + ROW_OVERHEAD);
  }

  append(rows: { seq: string; chunk_id: string; norm: number; embedding: Buffer }[]): void {
    this.reserve(this.count + rows.length);
    for (const row of rows) {
      this.maxSeq = Math.max(this.maxSeq, Number(row.seq));
      if (row.embedding.byteLength !== this.dims * 4) continue;
      decodeInto(row.embedding, this.data, this.count * this.dims);
      this.norms[this.count] = row.norm;
      this.seqs[this.count] = Number(row.seq);
      this.ids[this.count] = row.chunk_id;
      this.count++;
    }
  }

  /** Drops rows whose seq is no longer in the table (documents deleted), into new arrays: a scan may hold the old ones. */
  retain(present: Set<number>): void {
    const keep: number[] = [];
    for (let row = 0; row < this.count; row++) if (present.has(this.seqs[row]!)) keep.push(row);
    const data = new Float32Array(Math.max(keep.length, 1_024) * this.dims);
    const norms = new Float32Array(Math.max(keep.length, 1_024));
    const seqs = new Float64Array(Math.max(keep.length, 1_024));
    keep.forEach((row, i) => {
      data.set(this.data.subarray(row * this.dims, (row + 1) * this.dims), i * this.dims);
      norms[i] = this.norms[row]!;
      seqs[i] = this.seqs[row]!;
    });
    this.ids = keep.map((row) => this.ids[row]!);
    Object.assign(this, { data, norms, seqs, count: keep.length });
  }

  private reserve(rows: number): void {
    const capacity = this.norms.length;
    if (rows <= capacity) return;
    const next = Math.max(rows, capacity * 2);
    const grow = <T extends Float32Array | Float64Array>(old: T, size: number, make: (n: number) => T): T => {
      const fresh = make(size);
      fresh.set(old);
      return fresh;
    };
    this.data = grow(this.data, next * this.dims, (n) => new Float32Array(n));
    this.norms = grow(this.norms, next, (n) => new Float32Array(n));
    this.seqs = grow(this.seqs, next, (n) => new Float64Array(n));
  }
}

/**
 * The exact scan for servers without pgvector. PostgreSQL stays the only truth: each search asks
 * it for rows newer than the highest seq held (an index lookup that finds nothing once loaded),
 * and an index's `vector_epoch` moving (vectors deleted) makes the copy drop what is gone. Seqs
 * of one index commit in order (writers hold an advisory lock per index), so none is skipped.
 */
export class VectorCache {
  private readonly indexes = new Map<string, CachedIndex>();
  /** Rows read from PostgreSQL since start (tests and metrics: a search on a warm index reads none). */
  rowsLoaded = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly maxBytes: number,
  ) {}

  async nearest(index: IndexRef, query: number[], metric: DistanceMetric, k: number): Promise<VectorHit[]> {
    const cached = await this.fresh(index);
    const q = Float32Array.from(query);
    let qn = 0;
    for (let i = 0; i < q.length; i++) qn += q[i]! * q[i]!;
    qn = Math.sqrt(qn);
    const top = new TopK(k);
    // A snapshot of the arrays: a refresh that grows them meanwhile swaps in new ones.
    const { data, norms, ids, count } = cached;
    for (let from = 0; from < count; from += SLICE) {
      scanRows(data, norms, cached.dims, q, qn, metric, from, Math.min(count, from + SLICE), top);
      if (from + SLICE < count) await new Promise((resolve) => setImmediate(resolve));
    }
    return top.sorted().map((hit) => ({ chunkId: ids[hit.row]!, similarity: hit.score }));
  }

  /**
   * Loads an index before anyone searches it (start-up warm-up), sized for `rows` up front. Its
   * `lastUsed` is the caller's rank, older than any real search, so warmed copies go first when
   * searched ones need the room. Stops between pages when `signal` aborts; a later search goes on
   * from what was loaded.
   */
  async warm(ref: IndexRef, rows: number, rank: number, signal: AbortSignal): Promise<void> {
    if (this.indexes.has(ref.id)) return;
    const entry = new CachedIndex(ref.dimensions, ref.vectorEpoch, Math.max(1_024, rows + 64));
    entry.lastUsed = rank;
    this.indexes.set(ref.id, entry);
    entry.refreshing = this.refresh(entry, ref, signal).finally(() => (entry.refreshing = null));
    await entry.refreshing;
    this.evict();
  }

  /** Whether the budget still has room for an index of `rows` vectors of `dims`. */
  fits(rows: number, dims: number): boolean {
    return this.heldBytes + CachedIndex.estimate(rows, dims) <= this.maxBytes;
  }

  /** Indexes held and their row counts. */
  held(): { id: string; rows: number }[] {
    return [...this.indexes].map(([id, index]) => ({ id, rows: index.count }));
  }

  drop(indexId: string): void {
    this.indexes.delete(indexId);
  }

  /** Memory held, for metrics and the bench. */
  get heldBytes(): number {
    let total = 0;
    for (const index of this.indexes.values()) total += index.bytes;
    return total;
  }

  private async fresh(ref: IndexRef): Promise<CachedIndex> {
    let cached = this.indexes.get(ref.id);
    if (!cached || cached.dims !== ref.dimensions) {
      cached = new CachedIndex(ref.dimensions, ref.vectorEpoch);
      this.indexes.set(ref.id, cached);
    }
    cached.lastUsed = Date.now();
    const entry = cached;
    entry.refreshing ??= this.refresh(entry, ref).finally(() => (entry.refreshing = null));
    await entry.refreshing;
    this.evict(ref.id);
    return entry;
  }

  private async refresh(cached: CachedIndex, ref: IndexRef, signal?: AbortSignal): Promise<void> {
    if (cached.epoch !== ref.vectorEpoch) {
      const rows = (await this.dataSource.query(`SELECT seq FROM chunk_embeddings WHERE index_id = $1`, [ref.id])) as { seq: string }[];
      cached.retain(new Set(rows.map((r) => Number(r.seq))));
      cached.epoch = ref.vectorEpoch;
    }
    while (!signal?.aborted) {
      const rows = (await this.dataSource.query(
        `SELECT seq, chunk_id, norm, embedding FROM chunk_embeddings WHERE index_id = $1 AND seq > $2 ORDER BY seq LIMIT ${LOAD_PAGE}`,
        [ref.id, cached.maxSeq],
      )) as { seq: string; chunk_id: string; norm: number; embedding: Buffer }[];
      cached.append(rows);
      this.rowsLoaded += rows.length;
      if (rows.length < LOAD_PAGE) return;
    }
  }

  /** Least recently searched indexes go first when the copies outgrow the budget. */
  private evict(keep?: string): void {
    let total = this.heldBytes;
    if (total <= this.maxBytes) return;
    for (const [id, index] of [...this.indexes].sort((a, b) => a[1].lastUsed - b[1].lastUsed)) {
      if (id === keep || total <= this.maxBytes) continue;
      this.indexes.delete(id);
      total -= index.bytes;
    }
  }
}
