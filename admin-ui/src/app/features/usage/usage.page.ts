import { DecimalPipe, LowerCasePipe, PercentPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatTableModule } from '@angular/material/table';
import type { UsagePoint, UsageReport } from '../../api/models';
import { SessionService } from '../../core/auth/session.service';
import { AlertComponent } from '../../shared/alert.component';
import { EmptyStateComponent } from '../../shared/empty-state.component';
import { LoadingBarComponent } from '../../shared/loading-bar.component';
import { PageHeaderComponent } from '../../shared/page-header.component';
import { ChartLine, UsageChartComponent } from './usage-chart.component';
import { GROUP_LABELS, UsageFiltersComponent } from './usage-filters.component';
import { ChartSeries, latency, overall, rankedGroups, stacked, usd } from './usage-report';
import { UsageService } from './usage.service';

const EMPTY: ChartSeries = { periods: [], series: [] };

/** Bars of one measure, one colour per group (the last, "Other", is grey). */
function bars(report: UsageReport | null, measure: (point: UsagePoint) => number): { periods: string[]; lines: ChartLine[] } {
  const chart = report ? stacked(report, measure) : EMPTY;
  return { periods: chart.periods, lines: chart.series.map((series, colour) => ({ series, colour })) };
}

@Component({
  selector: 'sb-usage-page',
  imports: [
    DecimalPipe,
    LowerCasePipe,
    PercentPipe,
    MatButtonModule,
    MatTableModule,
    AlertComponent,
    EmptyStateComponent,
    LoadingBarComponent,
    PageHeaderComponent,
    UsageChartComponent,
    UsageFiltersComponent,
  ],
  providers: [UsageService],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './usage.page.html',
  styleUrl: './usage.page.scss',
})
export class UsagePage {
  protected readonly session = inject(SessionService);
  protected readonly service = inject(UsageService);

  protected readonly report = this.service.report;
  protected readonly groupLabel = computed(() => GROUP_LABELS[this.service.query().group_by]);
  protected readonly empty = computed(() => this.report()?.series.length === 0);
  protected readonly totals = computed(() => overall(this.report()?.totals ?? []));
  protected readonly errorRate = computed(() => (this.totals().requests ? this.totals().errors / this.totals().requests : 0));
  protected readonly rows = computed(() => rankedGroups(this.report()?.totals ?? []));
  protected readonly columns = ['label', 'requests', 'errors', 'input', 'output', 'cost', 'p50', 'p95', 'avg'];

  protected readonly requests = computed(() => bars(this.report(), (p) => p.requests));
  protected readonly tokens = computed(() => bars(this.report(), (p) => p.input_tokens + p.output_tokens));
  protected readonly cost = computed(() => bars(this.report(), (p) => Number(p.cost_usd)));
  protected readonly errors = computed(() => bars(this.report(), (p) => p.errors));
  /** p95 solid and p50 dashed, in the colour of their group. */
  protected readonly latency = computed(() => {
    const report = this.report();
    if (!report) return { periods: [], lines: [] as ChartLine[] };
    const p95 = latency(report, 'latency_p95_ms');
    const p50 = latency(report, 'latency_p50_ms');
    const lines: ChartLine[] = p95.series.flatMap((series, colour) => [
      { series: { ...series, label: `${series.label} p95` }, colour },
      { series: { ...p50.series[colour], label: `${series.label} p50` }, colour, dashed: true },
    ]);
    return { periods: p95.periods, lines };
  });

  protected readonly usd = usd;
  protected readonly money = (value: number) => `$${value.toLocaleString('en-US', { maximumSignificantDigits: 4 })}`;
  protected readonly count = (value: number) => value.toLocaleString('en-US', { notation: 'compact' });
  protected readonly ms = (value: number) => `${Math.round(value).toLocaleString('en-US')} ms`;
}
