/**
 * A small trend chart of one lab or vital: the points oldest to newest (two lines for blood
 * pressure), the newest marked. Its accessible name says the values, so the chart is never the only
 * way to read them.
 */
import type { Patient360Series } from '@carebridge/server/contracts';

const W = 120;
const H = 32;
const PAD = 3;

export function Sparkline({ series }: { series: Patient360Series }) {
  const { points } = series;
  const values = points.flatMap((p) => (p.second !== undefined ? [p.value, p.second] : [p.value]));
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || 1;
  const x = (i: number) => PAD + (i * (W - 2 * PAD)) / Math.max(1, points.length - 1);
  const y = (v: number) => H - PAD - ((v - min) * (H - 2 * PAD)) / span;
  const line = (pick: (p: Patient360Series['points'][number]) => number | undefined) =>
    points
      .map((p, i) => [i, pick(p)] as const)
      .filter(([, v]) => v !== undefined)
      .map(([i, v], k) => `${k === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(v!).toFixed(1)}`)
      .join(' ');
  const said = points.map((p) => `${new Date(p.date).toLocaleDateString([], { month: 'short', year: '2-digit' })}: ${p.value}${p.second !== undefined ? `/${p.second}` : ''}`).join(', ');
  const last = points.at(-1)!;
  return (
    <svg className="sparkline" width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${series.name} trend, oldest first: ${said}${series.unit ? ` (${series.unit})` : ''}`}>
      <path d={line((p) => p.value)} fill="none" stroke="currentColor" strokeWidth="1.5" />
      {points.some((p) => p.second !== undefined) ? <path d={line((p) => p.second)} fill="none" stroke="currentColor" strokeWidth="1.5" strokeDasharray="3 2" opacity="0.7" /> : null}
      <circle cx={x(points.length - 1)} cy={y(last.value)} r="2.5" fill="currentColor" />
    </svg>
  );
}
