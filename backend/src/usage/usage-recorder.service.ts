import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { MetricsService } from '../health/metrics.service.js';
import { bucketOf } from './latency-buckets.js';
import { emptyTally, type UsageTally } from './usage-tally.js';

export interface UsageEntry {
  source: 'gateway' | 'conversation' | 'indexing' | 'retrieval';
  endpoint: string;
  userId: string | null;
  apiKeyId: string | null;
  modelId: string | null;
  providerId: string | null;
  modelName: string;
  statusCode: number;
  errorClass: string | null;
  inputTokens: number;
  outputTokens: number;
  /** Exact USD as a decimal string. */
  costUsd: string;
  latencyMs: number;
  ttftMs: number | null;
  occurredAt?: Date;
}

const FLUSH_MS = 1_000;
const FLUSH_AT = 500;
const MAX_PENDING = 100_000;
const MAX_BATCH = 5_000;
const DROP_WARNING_MS = 60_000;
const NONE = '00000000-0000-0000-0000-000000000000';
const DAY_MS = 86_400_000;

/** One usage_daily row's increments: a UTC day × model × provider × API key × user. */
interface DailyRow extends UsageTally {
  day: string;
  model: string;
  provider: string;
  key: string;
  user: string;
  name: string;
}

const utcDay = (at: Date) => Math.floor(at.getTime() / DAY_MS);

const sameRollup = (a: Required<UsageEntry>, b: Required<UsageEntry>) =>
  a.modelId === b.modelId &&
  a.providerId === b.providerId &&
  a.apiKeyId === b.apiKeyId &&
  a.userId === b.userId &&
  utcDay(a.occurredAt) === utcDay(b.occurredAt);

function rollupRow(daily: Map<string, DailyRow>, e: Required<UsageEntry>): DailyRow {
  const day = utcDay(e.occurredAt);
  const id = `${day}|${e.modelId ?? NONE}|${e.providerId ?? NONE}|${e.apiKeyId ?? NONE}|${e.userId ?? NONE}`;
  let row = daily.get(id);
  if (!row) {
    row = {
      day: new Date(day * DAY_MS).toISOString().slice(0, 10),
      model: e.modelId ?? NONE,
      provider: e.providerId ?? NONE,
      key: e.apiKeyId ?? NONE,
      user: e.userId ?? NONE,
      name: e.modelName,
      ...emptyTally(),
    };
    daily.set(id, row);
  }
  return row;
}

/**
 * Usage is recorded off the request path: calls append to a queue that is written in batches
 * (raw events plus the daily rollup the reports read) every second. If the database is away the
 * queue waits and retries; it is bounded, and what it drops is counted (metric
 * `usage_dropped_total`) and logged.
 */
@Injectable()
export class UsageRecorder implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(UsageRecorder.name);
  private pending: Required<UsageEntry>[] = [];
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> | null = null;
  private lastDropWarning = 0;
  /** Calls per transaction, and calls held while the database is away (tests shrink them). */
  readonly limits = { batch: MAX_BATCH, queue: MAX_PENDING };
  dropped = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    this.metrics.watchUsageQueue(() => this.pending.length);
    this.timer = setInterval(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** Calls waiting to be written. */
  get queued(): number {
    return this.pending.length;
  }

  record(entry: UsageEntry): void {
    // Full only when the database has been away for a while. The newest call is the one dropped:
    // taking the oldest off the front would copy the whole queue on every call.
    if (this.pending.length >= this.limits.queue) return this.drop(1);
    this.pending.push({ ...entry, occurredAt: entry.occurredAt ?? new Date() });
    // One flush at a time: a batch that fills while one is being written goes with the next.
    if (this.pending.length >= FLUSH_AT && !this.flushing) void this.flush();
  }

  /** Writes everything queued so far (also used by tests and shutdown). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.pending.length === 0) return;
    this.flushing = this.writeQueued().finally(() => (this.flushing = null));
    await this.flushing;
  }

  /**
   * What is queued now, oldest first, a bounded batch per transaction (a backlog is not one huge
   * statement); at a failure the batch goes back to the front and waits for the next flush.
   */
  private async writeQueued(): Promise<void> {
    for (let left = this.pending.length; left > 0 && this.pending.length > 0;) {
      const batch = this.pending.splice(0, this.limits.batch);
      left -= batch.length;
      try {
        await this.write(batch);
      } catch (err: unknown) {
        this.logger.warn(`usage not written yet (${batch.length + this.pending.length} calls), retrying: ${String(err)}`);
        const all = [...batch, ...this.pending];
        const over = all.length - this.limits.queue;
        if (over > 0) this.drop(over);
        this.pending = over > 0 ? all.slice(over) : all;
        return;
      }
    }
  }

  private drop(count: number): void {
    this.dropped += count;
    this.metrics.usageDropped.inc(count);
    const now = Date.now();
    if (now - this.lastDropWarning < DROP_WARNING_MS) return;
    this.lastDropWarning = now;
    this.logger.warn(
      `usage queue full (${this.pending.length} calls waiting for the database): ${this.dropped} calls' usage dropped so far`,
    );
  }

  private async write(batch: Required<UsageEntry>[]): Promise<void> {
    const daily = new Map<string, DailyRow>();
    let previous: Required<UsageEntry> | undefined;
    let row: DailyRow | undefined;
    for (const e of batch) {
      // Calls come in runs for one key and model: the run's row is reused without building its key
      // (an ISO date and a joined key per call were ~5 % of the gateway's CPU when saturated).
      if (!row || !previous || !sameRollup(previous, e)) row = rollupRow(daily, e);
      previous = e;
      row.requests++;
      // A client that hangs up (499) is not a failure of the model or of Switchboard.
      if (e.statusCode >= 400 && e.statusCode !== 499) row.errors++;
      row.input += e.inputTokens;
      row.output += e.outputTokens;
      row.cost.push(e.costUsd);
      const latency = Math.round(e.latencyMs);
      row.latency += latency;
      row.buckets[bucketOf(e.latencyMs)]++;
      if (latency < row.fastest) row.fastest = latency;
      if (latency > row.slowest) row.slowest = latency;
    }
    await this.dataSource.transaction(async (manager) => {
      // One JSON document rather than fifteen arrays: JSON.stringify is native, pg's array encoding is not.
      await manager.query(
        `INSERT INTO usage_events (occurred_at, source, endpoint, user_id, api_key_id, model_id, provider_id, model_name, status_code, error_class,
                                   input_tokens, output_tokens, cost_usd, latency_ms, ttft_ms)
         SELECT at, source, endpoint, "user", key, model, provider, name, status, error, input, output, cost, latency, ttft
           FROM jsonb_to_recordset($1::jsonb) AS e(at timestamptz, source text, endpoint text, "user" uuid, key uuid, model uuid, provider uuid,
                                                   name text, status int, error text, input int, output int, cost numeric, latency int, ttft int)`,
        [
          JSON.stringify(
            batch.map((e) => ({
              at: e.occurredAt,
              source: e.source,
              endpoint: e.endpoint,
              user: e.userId,
              key: e.apiKeyId,
              model: e.modelId,
              provider: e.providerId,
              name: e.modelName,
              status: e.statusCode,
              error: e.errorClass,
              input: e.inputTokens,
              output: e.outputTokens,
              cost: e.costUsd,
              latency: Math.round(e.latencyMs),
              ttft: e.ttftMs === null ? null : Math.round(e.ttftMs),
            })),
          ),
        ],
      );
      for (const row of daily.values()) {
        await manager.query(
          `INSERT INTO usage_daily AS d (day, model_id, provider_id, api_key_id, user_id, model_name, requests, errors, input_tokens, output_tokens, cost_usd,
                                        latency_ms_sum, latency_buckets, latency_ms_min, latency_ms_max)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, (SELECT sum(c) FROM unnest($11::numeric[]) c), $12, $13, $14, $15)
           ON CONFLICT (day, model_id, provider_id, api_key_id, user_id) DO UPDATE SET
             requests = d.requests + excluded.requests, errors = d.errors + excluded.errors,
             input_tokens = d.input_tokens + excluded.input_tokens, output_tokens = d.output_tokens + excluded.output_tokens,
             cost_usd = d.cost_usd + excluded.cost_usd, latency_ms_sum = d.latency_ms_sum + excluded.latency_ms_sum,
             latency_buckets = int_array_add(d.latency_buckets, excluded.latency_buckets), model_name = excluded.model_name,
             -- A row from before the range was kept stays without one (LEAST would ignore its NULL).
             latency_ms_min = CASE WHEN d.latency_ms_min IS NULL THEN NULL ELSE LEAST(d.latency_ms_min, excluded.latency_ms_min) END,
             latency_ms_max = CASE WHEN d.latency_ms_max IS NULL THEN NULL ELSE GREATEST(d.latency_ms_max, excluded.latency_ms_max) END`,
          [
            row.day,
            row.model,
            row.provider,
            row.key,
            row.user,
            row.name,
            row.requests,
            row.errors,
            row.input,
            row.output,
            row.cost,
            row.latency,
            row.buckets,
            row.fastest,
            row.slowest,
          ],
        );
      }
    });
  }
}
