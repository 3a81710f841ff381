import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { fieldError } from '../common/domain-error.js';
import { formatUsd, usdUnits } from '../common/money.js';
import { emptyBuckets, LATENCY_BOUNDS_MS, percentileFromBuckets } from './latency-buckets.js';
import { emptyTally, type UsageTally } from './usage-tally.js';
import type { UsageFigures, UsagePoint, UsageQuery, UsageReport, UsageTotal } from './dto/usage.dto.js';

const COLUMN = { model: 'model_id', provider: 'provider_id', api_key: 'api_key_id', user: 'user_id' } as const;
const DAY_MS = 86_400_000;
/**
 * What the rows without one are called: calls refused before they reached a model; calls made
 * without an API key (the console, and the knowledge bases' indexing); calls no user made (indexing).
 */
const NO_KEY_LABEL = { model: '(none)', provider: '(none)', api_key: '(no API key)', user: '(no user)' } as const;
// The histograms summed element by element with the built-in sum: a month can hold tens of
// thousands of rollup rows, and an aggregate written in SQL costs a function call per row.
const BUCKET_SUMS = `ARRAY[${LATENCY_BOUNDS_MS.map((_, i) => `sum(latency_buckets[${i + 1}])`).join(', ')}]::int[]`;

interface Row {
  period: string;
  key: string;
  requests: number;
  errors: number;
  input_tokens: string;
  output_tokens: string;
  cost_usd: string;
  latency_ms_sum: string;
  latency_buckets: number[];
  /** Null when a rollup row in the group has no range (written before it was kept). */
  fastest: number | null;
  slowest: number | null;
}

/** Usage reports from the daily rollup (one row per day and model/provider/key/user), not raw calls. */
@Injectable()
export class UsageService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async report(query: UsageQuery): Promise<UsageReport> {
    const to = query.to ? query.to.slice(0, 10) : new Date().toISOString().slice(0, 10);
    const from = query.from ? query.from.slice(0, 10) : new Date(Date.parse(to) - 29 * DAY_MS).toISOString().slice(0, 10);
    if (from > to) throw fieldError('from', 'from must not be after to');
    if (Date.parse(to) - Date.parse(from) > 366 * DAY_MS) throw fieldError('from', 'a report covers at most 366 days');
    const column = COLUMN[query.group_by];
    const period = query.interval === 'month' ? `to_char(date_trunc('month', day), 'YYYY-MM-DD')` : `to_char(day, 'YYYY-MM-DD')`;
    const rows = (await this.dataSource.query(
      `SELECT ${period} AS period, ${column}::text AS key, sum(requests)::int AS requests, sum(errors)::int AS errors,
              sum(input_tokens)::text AS input_tokens, sum(output_tokens)::text AS output_tokens, sum(cost_usd)::text AS cost_usd,
              sum(latency_ms_sum)::text AS latency_ms_sum,
              ${BUCKET_SUMS} AS latency_buckets,
              CASE WHEN bool_and(latency_ms_min IS NOT NULL) THEN min(latency_ms_min) END AS fastest,
              CASE WHEN bool_and(latency_ms_max IS NOT NULL) THEN max(latency_ms_max) END AS slowest
         FROM usage_daily WHERE day BETWEEN $1 AND $2 GROUP BY 1, 2 ORDER BY 1, 2`,
      [from, to],
    )) as Row[];
    const labels = await this.labels(query.group_by, [...new Set(rows.map((r) => r.key))]);
    const totals = new Map<string, UsageTally>();
    const series: UsagePoint[] = rows.map((r) => {
      const acc: UsageTally = {
        requests: r.requests,
        errors: r.errors,
        input: Number(r.input_tokens),
        output: Number(r.output_tokens),
        cost: [r.cost_usd],
        latency: Number(r.latency_ms_sum),
        buckets: r.latency_buckets ?? emptyBuckets(),
        fastest: r.fastest ?? 0,
        slowest: r.slowest ?? Infinity,
      };
      const total = totals.get(r.key) ?? emptyTally();
      merge(total, acc);
      totals.set(r.key, total);
      return { period: r.period, key: r.key, label: labels.get(r.key) ?? r.key, ...figures(acc) };
    });
    const totalList: UsageTotal[] = [...totals.entries()]
      .map(([key, acc]) => ({ key, label: labels.get(key) ?? key, ...figures(acc) }))
      .sort((a, b) => Number(b.cost_usd) - Number(a.cost_usd) || b.requests - a.requests);
    return { group_by: query.group_by, interval: query.interval, from, to, series, totals: totalList };
  }

  private async labels(groupBy: UsageQuery['group_by'], keys: string[]): Promise<Map<string, string>> {
    const sql = {
      model: `SELECT id::text AS key, display_name AS label FROM models WHERE id = ANY($1::uuid[])
              UNION ALL SELECT DISTINCT model_id::text, model_name FROM usage_daily WHERE model_id = ANY($1::uuid[])`,
      provider: `SELECT id::text AS key, name AS label FROM providers WHERE id = ANY($1::uuid[])`,
      api_key: `SELECT id::text AS key, name || ' (' || prefix || '…)' AS label FROM api_keys WHERE id = ANY($1::uuid[])`,
      user: `SELECT id::text AS key, email AS label FROM users WHERE id = ANY($1::uuid[])`,
    }[groupBy];
    const rows = keys.length ? ((await this.dataSource.query(sql, [keys])) as { key: string; label: string }[]) : [];
    const labels = new Map<string, string>();
    for (const r of rows) if (!labels.has(r.key)) labels.set(r.key, r.label);
    labels.set('00000000-0000-0000-0000-000000000000', NO_KEY_LABEL[groupBy]);
    return labels;
  }
}

function merge(into: UsageTally, from: UsageTally): void {
  into.requests += from.requests;
  into.errors += from.errors;
  into.input += from.input;
  into.output += from.output;
  into.cost.push(...from.cost);
  into.latency += from.latency;
  from.buckets.forEach((n, i) => (into.buckets[i] += n));
  into.fastest = Math.min(into.fastest, from.fastest);
  into.slowest = Math.max(into.slowest, from.slowest);
}

function figures(acc: UsageTally): UsageFigures {
  return {
    requests: acc.requests,
    errors: acc.errors,
    input_tokens: acc.input,
    output_tokens: acc.output,
    cost_usd: sumDecimals(acc.cost),
    latency_p50_ms: percentileFromBuckets(acc.buckets, 0.5, acc.fastest, acc.slowest),
    latency_p95_ms: percentileFromBuckets(acc.buckets, 0.95, acc.fastest, acc.slowest),
    latency_avg_ms: acc.requests ? Math.round(acc.latency / acc.requests) : null,
  };
}

const sumDecimals = (values: string[]) => formatUsd(values.reduce((total, v) => total + usdUnits(v), 0n));
