/** How the insights page writes figures: the same numbers as the CSV, in units people read. */
import type { InsightColumn } from '@carebridge/server/contracts';

/** Milliseconds as seconds with one decimal (the CSV has the milliseconds). */
export const seconds = (ms: number | null) => (ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`);
/** A 0…1 share as a percentage with one decimal. */
export const percent = (share: number | null) => (share === null ? '—' : `${(share * 100).toFixed(1)} %`);

export function formatFigure(unit: InsightColumn['unit'], value: number | null): string {
  if (value === null) return '—';
  switch (unit) {
    case 'ms':
      return seconds(value);
    case 'share':
      return percent(value);
    case 'score':
      return `${value > 0 ? '+' : ''}${value}`;
    case 'scale':
      return value.toFixed(2);
    default:
      return value.toLocaleString('en-US');
  }
}

/** A short spoken summary of a series: its range and its latest value. */
export function seriesSummary(name: string, values: readonly (number | null)[], format: (v: number) => string): string {
  const known = values.filter((v): v is number => v !== null);
  if (known.length === 0) return `${name}: no data`;
  const min = Math.min(...known);
  const max = Math.max(...known);
  const last = known[known.length - 1]!;
  return known.length === 1 ? `${name}: ${format(last)}` : `${name}: from ${format(min)} to ${format(max)}, latest ${format(last)}`;
}
