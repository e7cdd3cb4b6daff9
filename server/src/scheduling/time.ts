/**
 * The clinic's local calendar (its IANA time zone, America/Denver by default): which local date an
 * instant falls on, and the instant a local date starts — across daylight-saving changes, with
 * nothing but `Intl`.
 */
const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The zone's offset from UTC at this instant, in milliseconds (Denver in winter: −7 h). */
export function zoneOffsetMs(instantMs: number, timeZone: string): number {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(new Date(instantMs)).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return asUtc - Math.floor(instantMs / 1000) * 1000;
}

/** The local date (YYYY-MM-DD) of an instant. */
export function localDateOf(instantMs: number, timeZone: string): string {
  return new Date(instantMs + zoneOffsetMs(instantMs, timeZone)).toISOString().slice(0, 10);
}

/** The instant a local date (YYYY-MM-DD) begins: its local midnight. */
export function startOfLocalDate(date: string, timeZone: string): number {
  const midnightUtc = Date.parse(`${date}T00:00:00Z`);
  // The offset at the guess, then again at the result (a change between the two is a DST day).
  let start = midnightUtc - zoneOffsetMs(midnightUtc, timeZone);
  const again = midnightUtc - zoneOffsetMs(start, timeZone);
  if (again !== start) start = again;
  return start;
}

/** The local date `days` after `date`. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}
