/**
 * Business hours per queue: is a queue open at an instant, and when does it open next. Pure functions
 * over an IANA time zone (through Intl), so daylight-saving changes follow the zone's own rules.
 */
import { WEEKDAYS, type BusinessHours, type Weekday } from '../contracts/routing.js';

export interface LocalDateTime {
  /** YYYY-MM-DD in the zone. */
  date: string;
  weekday: Weekday;
  /** Minutes since local midnight. */
  minutes: number;
}

export type OpenStatus =
  | { open: true }
  | { open: false; why: 'holiday' | 'closed-today' | 'outside-hours'; nextOpenAt: number | null };

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function wallClock(instant: number, timeZone: string): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return { y: parts.year!, mo: parts.month!, d: parts.day!, h: parts.hour!, mi: parts.minute!, s: parts.second! };
}

const pad = (n: number) => String(n).padStart(2, '0');

export function localDateTime(instant: number, timeZone: string): LocalDateTime {
  const w = wallClock(instant, timeZone);
  const weekday = WEEKDAYS[new Date(Date.UTC(w.y, w.mo - 1, w.d)).getUTCDay()]!;
  return { date: `${w.y}-${pad(w.mo)}-${pad(w.d)}`, weekday, minutes: w.h * 60 + w.mi };
}

/** The zone's offset from UTC (ms) at an instant. */
function offsetAt(instant: number, timeZone: string): number {
  const w = wallClock(instant, timeZone);
  return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s) - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant a local wall time occurs in a zone. A wall time skipped by a spring-forward change
 * resolves to the same distance after the change (02:30 → 03:30); a repeated one to its first occurrence.
 */
export function zonedTimeToInstant(date: string, minutes: number, timeZone: string): number {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, mo - 1, d, 0, minutes);
  // Offsets change at most once within a day around any wall time: try the offset in force half a day
  // before and half a day after; keep the earliest candidate that really shows this wall time.
  const before = wall - offsetAt(wall - 12 * 3600_000, timeZone);
  const after = wall - offsetAt(wall + 12 * 3600_000, timeZone);
  const valid = [before, after].filter((t) => wall - t === offsetAt(t, timeZone));
  return valid.length > 0 ? Math.min(...valid) : before;
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

function addDays(date: string, days: number): string {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const next = new Date(Date.UTC(y, mo - 1, d + days));
  return `${next.getUTCFullYear()}-${pad(next.getUTCMonth() + 1)}-${pad(next.getUTCDate())}`;
}

function weekdayOf(date: string): Weekday {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  return WEEKDAYS[new Date(Date.UTC(y, mo - 1, d)).getUTCDay()]!;
}

/** Is the queue open at `instant`; if not, why and when it opens next (within two weeks, else null). */
export function businessHoursStatus(hours: BusinessHours | null, instant: number): OpenStatus {
  if (hours === null) return { open: true };
  const local = localDateTime(instant, hours.timeZone);
  const holidays = new Set(hours.holidays);
  const today = holidays.has(local.date) ? [] : (hours.weekly[local.weekday] ?? []);
  if (today.some((w) => minutesOf(w.open) <= local.minutes && local.minutes < minutesOf(w.close))) return { open: true };

  const why = holidays.has(local.date) ? 'holiday' : today.length === 0 ? 'closed-today' : 'outside-hours';
  return { open: false, why, nextOpenAt: nextOpening(hours, local, holidays) };
}

function nextOpening(hours: BusinessHours, local: LocalDateTime, holidays: Set<string>): number | null {
  for (let day = 0; day <= 14; day++) {
    const date = addDays(local.date, day);
    if (holidays.has(date)) continue;
    const windows = [...(hours.weekly[weekdayOf(date)] ?? [])].sort((a, b) => minutesOf(a.open) - minutesOf(b.open));
    for (const window of windows) {
      const open = minutesOf(window.open);
      if (day === 0 && open <= local.minutes) continue;
      return zonedTimeToInstant(date, open, hours.timeZone);
    }
  }
  return null;
}

/**
 * Whether anyone can be reached: open when any queue is open at `instant`, else the earliest next
 * opening of any queue (null when none opens within two weeks, or there are no queues).
 */
export function availabilityOf(hours: ReadonlyArray<BusinessHours | null>, instant: number): { open: boolean; nextOpenAt: number | null } {
  let nextOpenAt: number | null = null;
  for (const h of hours) {
    const status = businessHoursStatus(h, instant);
    if (status.open) return { open: true, nextOpenAt: null };
    if (status.nextOpenAt !== null && (nextOpenAt === null || status.nextOpenAt < nextOpenAt)) nextOpenAt = status.nextOpenAt;
  }
  return { open: false, nextOpenAt };
}
