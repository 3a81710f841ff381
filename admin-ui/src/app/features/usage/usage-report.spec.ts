import type { UsagePoint, UsageReport, UsageTotal } from '../../api/models';
import {
  addDecimal,
  compareDecimal,
  lastDays,
  latency,
  overall,
  periodLabel,
  periodsBetween,
  rankedGroups,
  stacked,
  usd,
} from './usage-report';

function point(period: string, key: string, overrides: Partial<UsagePoint> = {}): UsagePoint {
  return {
    period,
    key,
    label: key.toUpperCase(),
    requests: 10,
    errors: 1,
    input_tokens: 100,
    output_tokens: 50,
    cost_usd: '0.01',
    latency_p50_ms: 200,
    latency_p95_ms: 900,
    latency_avg_ms: 300,
    ...overrides,
  };
}

function total(key: string, overrides: Partial<UsageTotal> = {}): UsageTotal {
  const { period: _period, ...rest } = point('', key, overrides);
  return rest;
}

function report(series: UsagePoint[], totals: UsageTotal[], overrides: Partial<UsageReport> = {}): UsageReport {
  return { group_by: 'model', interval: 'day', from: '2026-11-01', to: '2026-11-03', series, totals, ...overrides };
}

describe('usage report', () => {
  it('lists every day or month of the range, so quiet periods show as zero', () => {
    expect(periodsBetween('2026-02-27', '2026-03-02', 'day')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
    expect(periodsBetween('2025-11-15', '2026-02-03', 'month')).toEqual(['2025-11-01', '2025-12-01', '2026-01-01', '2026-02-01']);
    expect(lastDays(7, new Date('2026-11-25T10:00:00Z'))).toEqual({ from: '2026-11-19', to: '2026-11-25' });
    expect(periodLabel('2026-11-05', 'day')).toBe('5 Nov');
    expect(periodLabel('2026-11-01', 'month')).toBe('Nov 2026');
  });

  it('stacks a measure per group and period, with the smaller groups added up as "others"', () => {
    const r = report(
      [
        point('2026-11-01', 'a'),
        point('2026-11-03', 'a', { requests: 5 }),
        point('2026-11-03', 'b', { requests: 2 }),
        point('2026-11-03', 'c'),
      ],
      [total('a', { cost_usd: '3' }), total('b', { cost_usd: '2' }), total('c', { cost_usd: '1' })],
    );
    const chart = stacked(r, (p) => p.requests, 2);
    expect(chart.periods).toEqual(['2026-11-01', '2026-11-02', '2026-11-03']);
    expect(chart.series).toEqual([
      { key: 'a', label: 'A', data: [10, 0, 5] },
      { key: 'other', label: '2 others', data: [0, 0, 12] },
    ]);
    expect(stacked(r, (p) => p.requests, 3).series.map((s) => s.key)).toEqual(['a', 'b', 'c']);
  });

  it('draws latency only where a group had calls, for the busiest groups', () => {
    const r = report(
      [point('2026-11-01', 'a', { latency_p95_ms: 800 }), point('2026-11-03', 'b')],
      [total('a', { requests: 1 }), total('b')],
    );
    const chart = latency(r, 'latency_p95_ms', 1);
    expect(chart.series).toEqual([{ key: 'b', label: 'B', data: [null, null, 900] }]);
  });

  it('adds costs exactly, as decimals', () => {
    expect(addDecimal('0.1', '0.2')).toBe('0.3');
    expect(addDecimal('12.345', '0.000165')).toBe('12.345165');
    expect(addDecimal('0.5', '0.5')).toBe('1');
    expect(compareDecimal('0.0002', '0.00015')).toBe(1);
    const sum = overall([total('a', { cost_usd: '0.1' }), total('b', { cost_usd: '0.2', requests: 3 })]);
    expect(sum).toEqual({ requests: 13, errors: 2, inputTokens: 200, outputTokens: 100, cost: '0.3' });
    expect(usd('1234.5')).toBe('$1,234.50');
    expect(usd('0.000165')).toBe('$0.000165');
  });

  it('ranks groups by cost, then by requests', () => {
    const ranked = rankedGroups([
      total('cheap', { cost_usd: '0' }),
      total('busy', { cost_usd: '0', requests: 99 }),
      total('dear', { cost_usd: '0.5' }),
    ]);
    expect(ranked.map((t) => t.key)).toEqual(['dear', 'busy', 'cheap']);
  });
});
