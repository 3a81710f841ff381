import type { GetUsage$Params } from '../../api/fn/usage/get-usage';
import type { UsagePoint, UsageReport, UsageTotal } from '../../api/models';

export type UsageQuery = Required<GetUsage$Params>;
export type GroupBy = UsageQuery['group_by'];
export type Interval = UsageQuery['interval'];

/** One line or stack of a chart: a group (a model, a provider…) or "Other". */
export interface Series {
  key: string;
  label: string;
  data: (number | null)[];
}

export interface ChartSeries {
  /** Period keys (`2026-11-25`, or `2026-11-01` by month), every one in the range. */
  periods: string[];
  series: Series[];
}

const DAY_MS = 86_400_000;
export const OTHER = 'other';

/** `YYYY-MM-DD` of a date in UTC (the API's days are UTC days). */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The last `days` days up to today (UTC), both ends included. */
export function lastDays(days: number, today = new Date()): Pick<UsageQuery, 'from' | 'to'> {
  return { from: isoDay(new Date(today.getTime() - (days - 1) * DAY_MS)), to: isoDay(today) };
}

/** Every period from `from` to `to`, so days without traffic show as zero rather than vanish. */
export function periodsBetween(from: string, to: string, interval: Interval): string[] {
  const periods: string[] = [];
  if (interval === 'month') {
    const [year, month] = from.split('-').map(Number);
    for (let y = year, m = month; `${y}-${pad(m)}-01` <= to; m === 12 ? ((y += 1), (m = 1)) : (m += 1)) periods.push(`${y}-${pad(m)}-01`);
    return periods;
  }
  for (let t = Date.parse(`${from}T00:00:00Z`); isoDay(new Date(t)) <= to; t += DAY_MS) periods.push(isoDay(new Date(t)));
  return periods;
}

/** "Nov 25" by day, "Nov 2026" by month. */
export function periodLabel(period: string, interval: Interval): string {
  const date = new Date(`${period}T00:00:00Z`);
  return interval === 'month'
    ? date.toLocaleDateString('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' })
    : date.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
}

/** Groups in the order the charts stack them: most costly first, then busiest. */
export function rankedGroups(totals: readonly UsageTotal[]): UsageTotal[] {
  return [...totals].sort((a, b) => compareDecimal(b.cost_usd, a.cost_usd) || b.requests - a.requests || a.label.localeCompare(b.label));
}

/**
 * A measure per period for each of the first `max` groups, the rest added up as "Other" (stacked
 * bars stay readable). Periods without data are 0.
 */
export function stacked(report: UsageReport, measure: (point: UsagePoint) => number, max = 6): ChartSeries {
  const periods = periodsBetween(report.from, report.to, report.interval);
  const index = new Map(periods.map((period, i) => [period, i]));
  const ranked = rankedGroups(report.totals);
  const shown = ranked.slice(0, ranked.length > max ? max - 1 : max);
  const position = new Map(shown.map((group, i) => [group.key, i]));
  const series: Series[] = shown.map((group) => ({ key: group.key, label: group.label, data: periods.map(() => 0) }));
  const other: Series = { key: OTHER, label: `${ranked.length - shown.length} others`, data: periods.map(() => 0) };
  for (const point of report.series) {
    const at = index.get(point.period);
    if (at === undefined) continue;
    const target = series[position.get(point.key) ?? -1] ?? other;
    target.data[at] = (target.data[at] ?? 0) + measure(point);
  }
  return { periods, series: ranked.length > shown.length ? [...series, other] : series };
}

/**
 * Latency percentiles per period for the busiest `max` groups. Percentiles of different groups
 * cannot be added up, so there is no "Other" line; a period without calls has no point.
 */
export function latency(report: UsageReport, percentile: 'latency_p50_ms' | 'latency_p95_ms', max = 4): ChartSeries {
  const periods = periodsBetween(report.from, report.to, report.interval);
  const busiest = [...report.totals].sort((a, b) => b.requests - a.requests).slice(0, max);
  const series = busiest.map((group) => {
    const byPeriod = new Map(report.series.filter((p) => p.key === group.key).map((p) => [p.period, p[percentile]]));
    return { key: group.key, label: group.label, data: periods.map((period) => byPeriod.get(period) ?? null) };
  });
  return { periods, series };
}

export interface Overall {
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  /** Exact USD, added up as decimals (never as floating point). */
  cost: string;
}

export function overall(totals: readonly UsageTotal[]): Overall {
  return totals.reduce<Overall>(
    (sum, t) => ({
      requests: sum.requests + t.requests,
      errors: sum.errors + t.errors,
      inputTokens: sum.inputTokens + t.input_tokens,
      outputTokens: sum.outputTokens + t.output_tokens,
      cost: addDecimal(sum.cost, t.cost_usd),
    }),
    { requests: 0, errors: 0, inputTokens: 0, outputTokens: 0, cost: '0' },
  );
}

/** Adds two non-negative decimal strings exactly ("0.1" + "0.2" = "0.3"). */
export function addDecimal(a: string, b: string): string {
  const [aWhole, aFraction = ''] = a.split('.');
  const [bWhole, bFraction = ''] = b.split('.');
  const places = Math.max(aFraction.length, bFraction.length);
  const sum = BigInt(aWhole + aFraction.padEnd(places, '0')) + BigInt(bWhole + bFraction.padEnd(places, '0'));
  const digits = sum.toString().padStart(places + 1, '0');
  const whole = digits.slice(0, digits.length - places);
  const fraction = digits.slice(digits.length - places).replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : whole;
}

/** Compares two non-negative decimal strings. */
export function compareDecimal(a: string, b: string): number {
  const [aWhole, aFraction = ''] = a.split('.');
  const [bWhole, bFraction = ''] = b.split('.');
  const places = Math.max(aFraction.length, bFraction.length);
  const difference = BigInt(aWhole + aFraction.padEnd(places, '0')) - BigInt(bWhole + bFraction.padEnd(places, '0'));
  return difference === 0n ? 0 : difference > 0n ? 1 : -1;
}

/** "$1,234.5" → "$1,234.50": the exact amount, with at least cents and grouped thousands. */
export function usd(amount: string): string {
  const [whole, fraction = ''] = amount.split('.');
  return `$${BigInt(whole).toLocaleString('en-US')}.${fraction.padEnd(2, '0')}`;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
