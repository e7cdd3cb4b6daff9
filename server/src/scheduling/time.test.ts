/** Local dates in the clinic's zone, across both daylight-saving changes (table of cases). */
import { describe, expect, it } from 'vitest';
import { addDays, localDateOf, startOfLocalDate, zoneOffsetMs } from './time.js';

const DENVER = 'America/Denver';

describe('clinic time', () => {
  it.each([
    ['2025-01-15', '2025-01-15T07:00:00.000Z'],
    ['2025-07-15', '2025-07-15T06:00:00.000Z'],
    // Spring forward (2 am → 3 am) and fall back (2 am → 1 am): midnight is still on the old offset.
    ['2025-03-09', '2025-03-09T07:00:00.000Z'],
    ['2025-03-10', '2025-03-10T06:00:00.000Z'],
    ['2025-11-02', '2025-11-02T06:00:00.000Z'],
    ['2025-11-03', '2025-11-03T07:00:00.000Z'],
  ])('local midnight of %s in Denver is %s', (date, instant) => {
    expect(new Date(startOfLocalDate(date, DENVER)).toISOString()).toBe(instant);
    expect(localDateOf(startOfLocalDate(date, DENVER), DENVER)).toBe(date);
    expect(localDateOf(startOfLocalDate(date, DENVER) - 1, DENVER)).toBe(addDays(date, -1));
  });

  it('knows the offset and the date of an evening instant', () => {
    expect(zoneOffsetMs(Date.parse('2025-01-15T12:00:00Z'), DENVER)).toBe(-7 * 3_600_000);
    expect(zoneOffsetMs(Date.parse('2025-07-15T12:00:00Z'), DENVER)).toBe(-6 * 3_600_000);
    // 20:00 in Denver on 14 January is already the 15th in UTC.
    expect(localDateOf(Date.parse('2025-01-15T03:00:00Z'), DENVER)).toBe('2025-01-14');
    expect(localDateOf(Date.parse('2025-01-15T03:00:00Z'), 'UTC')).toBe('2025-01-15');
    expect(addDays('2025-02-27', 2)).toBe('2025-03-01');
  });
});
