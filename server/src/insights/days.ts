/**
 * Calendar days in the clinic's time zone: reports cover clinic days, not UTC ones. Every offset in
 * the time-zone database is a multiple of 15 minutes, so a day is cached per quarter hour (seeding
 * and benchmarks turn hundreds of thousands of instants into days).
 */
const QUARTER_HOUR_MS = 900_000;

export type DayOf = (at: string | number) => string;

export function clinicDays(timeZone: string): DayOf {
  const format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const cache = new Map<number, string>();
  return (at) => {
    const ms = typeof at === 'number' ? at : Date.parse(at);
    const quarter = Math.floor(ms / QUARTER_HOUR_MS);
    let day = cache.get(quarter);
    if (day === undefined) {
      day = format.format(ms);
      if (cache.size > 50_000) cache.clear();
      cache.set(quarter, day);
    }
    return day;
  };
}

/** `YYYY-MM-DD` plus `n` days. */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/** Every day from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) out.push(day);
  return out;
}
