/** Date arithmetic on UTC days; every generated date is relative to the seed's `now`. */
export const DAY_MS = 86_400_000;
export const YEAR_DAYS = 365.2425;

/** UTC midnight of the given instant. */
export function utcDay(millis: number): number {
  return Math.floor(millis / DAY_MS) * DAY_MS;
}

/** `YYYY-MM-DD` of a UTC instant. */
export function isoDate(millis: number): string {
  return new Date(millis).toISOString().slice(0, 10);
}

/** Parses `YYYY-MM-DD` (or a Date) to its UTC midnight; throws on anything else. */
export function parseDay(value: string | Date): number {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new Error('invalid date');
    return utcDay(value.getTime());
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new Error(`expected a date as YYYY-MM-DD, got "${value}"`);
  const t = Date.parse(`${value}T00:00:00Z`);
  if (Number.isNaN(t) || isoDate(t) !== value) throw new Error(`not a calendar date: "${value}"`);
  return t;
}

/** Whole years between a birth date (UTC midnight) and a day. */
export function ageOn(birthDay: number, day: number): number {
  const b = new Date(birthDay);
  const d = new Date(day);
  let age = d.getUTCFullYear() - b.getUTCFullYear();
  if (d.getUTCMonth() < b.getUTCMonth() || (d.getUTCMonth() === b.getUTCMonth() && d.getUTCDate() < b.getUTCDate())) age -= 1;
  return age;
}

/** The day `months` calendar months after `day` (clamped to the month's end). */
export function addMonths(day: number, months: number): number {
  const d = new Date(day);
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  return Date.UTC(target.getUTCFullYear(), target.getUTCMonth(), Math.min(d.getUTCDate(), lastDay));
}
