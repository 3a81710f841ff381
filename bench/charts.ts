/**
 * PNG charts for bench/RESULTS.md, drawn offline: Apache ECharts renders SVG on the server (no DOM,
 * no browser) and resvg rasterises it with the machine's fonts (DejaVu or Liberation).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as echarts from 'echarts';
import { ROOT } from './support.js';

export const CHARTS_DIR = join(ROOT, 'bench/charts');

export interface Series {
  name: string;
  values: (number | null)[];
}

interface ChartOptions {
  title: string;
  yName: string;
  width?: number;
  height?: number;
  log?: boolean;
}

/** Renders an ECharts option to bench/charts/<file>.png; returns the Markdown image link (relative to bench/). */
export function renderChart(file: string, option: echarts.EChartsCoreOption, width = 960, height = 480): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  chart.setOption({
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: 'DejaVu Sans, Liberation Sans, sans-serif' },
    ...option,
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  const png = new Resvg(svg, {
    background: '#ffffff',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  })
    .render()
    .asPng();
  mkdirSync(CHARTS_DIR, { recursive: true });
  writeFileSync(join(CHARTS_DIR, `${file}.png`), png);
  return `![${file}](charts/${file}.png)`;
}

const frame = (o: ChartOptions) => ({
  title: { text: o.title, left: 'center', textStyle: { fontSize: 15 } },
  legend: { top: 36, itemGap: 28 },
  grid: { left: 70, right: 30, top: 80, bottom: 30, containLabel: true },
  yAxis: { type: o.log ? 'log' : 'value', name: o.yName, nameLocation: 'middle', nameGap: 50 },
});

/** Grouped bars: one group per category, one bar per series. */
export function barChart(file: string, categories: string[], series: Series[], o: ChartOptions): string {
  return renderChart(
    file,
    {
      ...frame(o),
      xAxis: { type: 'category', data: categories, axisLabel: { interval: 0, fontSize: 11 } },
      series: series.map((s) => ({
        name: s.name,
        type: 'bar',
        data: s.values,
        label: { show: series.length * categories.length <= 24, position: 'top', fontSize: 10, formatter: labelOf },
      })),
    },
    o.width,
    o.height,
  );
}

/** Lines over a numeric x axis (e.g. memory over time). */
export function lineChart(file: string, xName: string, series: { name: string; points: [number, number][] }[], o: ChartOptions): string {
  return renderChart(
    file,
    {
      ...frame(o),
      xAxis: { type: 'value', name: xName, nameLocation: 'middle', nameGap: 30 },
      series: series.map((s) => ({ name: s.name, type: 'line', showSymbol: false, data: s.points })),
    },
    o.width,
    o.height,
  );
}

function labelOf(params: { value: unknown }): string {
  const v = Number(params.value);
  if (!Number.isFinite(v)) return '';
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}
