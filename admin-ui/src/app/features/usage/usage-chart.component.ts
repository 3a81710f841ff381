import {
  afterNextRender,
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  effect,
  ElementRef,
  inject,
  input,
  viewChild,
} from '@angular/core';
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  type ChartDataset,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { type ChartSeries, type Interval, OTHER, periodLabel } from './usage-report';

// Only what these charts use, so the usage page's chunk stays small.
Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend);

/** Distinct on white and for the common colour-vision deficiencies (Okabe–Ito, darkened). */
export const PALETTE = ['#0b63c5', '#d55e00', '#009e73', '#8e44ad', '#c8930a', '#2a9fd6', '#cc4b8f', '#5b6770'];
const OTHER_COLOUR = '#a3acb5';

export interface ChartLine {
  series: ChartSeries['series'][number];
  /** Lines of one group share its colour; p50 is dashed beside p95. */
  colour: number;
  dashed?: boolean;
}

/**
 * A Chart.js chart of usage per period: stacked bars (requests, tokens, cost, errors) or lines
 * (latency). The canvas is described for screen readers; the totals table under the charts holds
 * the same figures as text.
 */
@Component({
  selector: 'sb-usage-chart',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h3 class="title">{{ heading() }}</h3>
    <div class="canvas-box">
      <canvas #canvas role="img" [attr.aria-label]="description()"></canvas>
    </div>
  `,
  styles: `
    :host {
      display: flex;
      flex-direction: column;
      min-width: 0;
      padding: 14px 16px 12px;
      border: 1px solid var(--mat-sys-outline-variant);
      border-radius: 16px;
      background: var(--mat-sys-surface);
    }
    .title {
      margin: 0 0 8px;
      font: var(--mat-sys-title-small);
      color: var(--mat-sys-on-surface);
    }
    .canvas-box {
      position: relative;
      height: 240px;
    }
  `,
})
export class UsageChartComponent {
  readonly heading = input.required<string>();
  readonly kind = input<'bar' | 'line'>('bar');
  readonly periods = input.required<string[]>();
  readonly lines = input.required<ChartLine[]>();
  readonly interval = input<Interval>('day');
  /** Counts (requests, tokens, errors): no ticks between whole numbers. */
  readonly whole = input(true);
  /** Formats values on the axis and in tooltips (tokens, dollars, milliseconds). */
  readonly format = input<(value: number) => string>((value) => value.toLocaleString('en-US'));

  private readonly canvas = viewChild.required<ElementRef<HTMLCanvasElement>>('canvas');
  private chart: Chart | null = null;

  protected readonly description = computed(() => {
    const names = this.lines()
      .filter((line) => !line.dashed)
      .map((line) => line.series.label);
    return `${this.heading()} per ${this.interval()}${names.length ? ` for ${names.join(', ')}` : ''}; the table below lists the totals.`;
  });

  constructor() {
    afterNextRender(() => {
      try {
        this.chart = new Chart(this.canvas().nativeElement, this.config());
      } catch {
        this.chart = null; // No canvas (a test DOM): the table still shows the figures.
      }
    });
    effect(() => {
      const config = this.config();
      if (!this.chart) return;
      this.chart.data = config.data;
      this.chart.update('none');
    });
    inject(DestroyRef).onDestroy(() => this.chart?.destroy());
  }

  private config(): ChartConfiguration<'bar' | 'line'> {
    const stackedBars = this.kind() === 'bar';
    const format = this.format();
    const datasets = this.lines().map(({ series, colour, dashed }): ChartDataset<'bar' | 'line'> => {
      const color = series.key === OTHER ? OTHER_COLOUR : PALETTE[colour % PALETTE.length];
      return {
        label: series.label,
        data: series.data,
        backgroundColor: color,
        borderColor: color,
        borderWidth: stackedBars ? 0 : 2,
        borderDash: dashed ? [5, 4] : [],
        pointRadius: stackedBars ? 0 : 2,
        spanGaps: true,
        maxBarThickness: 28,
      } as ChartDataset<'bar' | 'line'>;
    });
    return {
      type: this.kind(),
      data: { labels: this.periods().map((period) => periodLabel(period, this.interval())), datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: 'index', intersect: false },
        scales: {
          x: { stacked: stackedBars, grid: { display: false }, ticks: { maxRotation: 0, autoSkipPadding: 12, color: '#5b6770' } },
          y: {
            stacked: stackedBars,
            beginAtZero: true,
            ticks: { color: '#5b6770', precision: this.whole() ? 0 : undefined, callback: (value) => format(Number(value)) },
          },
        },
        plugins: {
          // Lines show as short lines (p50 dashed), bars as squares.
          legend: {
            position: 'bottom',
            labels: { boxWidth: stackedBars ? 12 : 24, boxHeight: 12, color: '#3c4550', usePointStyle: !stackedBars, pointStyle: 'line' },
          },
          tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${format(Number(item.raw ?? 0))}` } },
        },
      },
    };
  }
}
