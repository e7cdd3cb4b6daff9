/**
 * One echarts chart, drawn as SVG. Only the parts the insights page uses are imported from
 * `echarts/core`, so the chunk stays small. The drawing is hidden from assistive technology: the
 * figure carries a spoken summary (`summary`), and the table below the charts has every figure.
 */
import { useEffect, useId, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

export interface ChartSeries {
  name: string;
  type: 'bar' | 'line';
  values: (number | null)[];
}

function themeColour(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

export function Chart({ title, summary, days, series, unit }: { title: string; summary: string; days: string[]; series: ChartSeries[]; unit: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const captionId = useId();
  const hasData = series.some((s) => s.values.some((v) => v !== null));
  useEffect(() => {
    const element = ref.current;
    if (!element || !hasData) return;
    const chart = echarts.init(element, null, { renderer: 'svg' });
    const text = themeColour('--text', '#1b1f24');
    const muted = themeColour('--muted', '#5b6470');
    const border = themeColour('--border', '#d8dde3');
    chart.setOption({
      animation: false,
      color: [themeColour('--accent', '#1f6feb'), '#b35c00', '#2f855a', '#8250df'],
      textStyle: { color: text },
      grid: { left: 48, right: 12, top: 32, bottom: 28 },
      legend: { top: 0, textStyle: { color: muted } },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: days.map((d) => d.slice(5)), axisLine: { lineStyle: { color: border } }, axisLabel: { color: muted } },
      yAxis: { type: 'value', name: unit, nameTextStyle: { color: muted }, axisLabel: { color: muted }, splitLine: { lineStyle: { color: border } } },
      series: series.map((s) => ({ name: s.name, type: s.type, data: s.values, connectNulls: true, showSymbol: days.length <= 31 })),
    });
    const resize = new ResizeObserver(() => chart.resize());
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.dispose();
    };
  }, [days, series, unit, hasData]);
  return (
    <figure className="insights-chart card" aria-labelledby={captionId}>
      <figcaption id={captionId} className="card-title">
        {title}
      </figcaption>
      {hasData ? (
        <div role="img" aria-label={summary} className="insights-chart-frame">
          <div ref={ref} aria-hidden="true" className="insights-chart-canvas" />
        </div>
      ) : (
        <p className="muted insights-chart-empty">No data in this range.</p>
      )}
    </figure>
  );
}
