import { describe, expect, it } from 'vitest';
import { businessHoursSchema, type BusinessHoursInput } from '../contracts/routing.js';
import { availabilityOf, businessHoursStatus, localDateTime, zonedTimeToInstant } from './business-hours.js';
import { CLINIC_HOURS } from './queues.js';

const hours = (input: BusinessHoursInput) => businessHoursSchema.parse(input);
const clinic = hours(CLINIC_HOURS);
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe('business hours in America/New_York (clinic hours: Mon–Fri 08–18, Sat 09–13)', () => {
  it.each([
    // Winter (EST, UTC−5)
    { when: '2026-03-02T12:59:00Z', local: 'Mon 07:59 EST', open: false, next: '2026-03-02T13:00:00.000Z' },
    { when: '2026-03-02T13:00:00Z', local: 'Mon 08:00 EST', open: true, next: null },
    { when: '2026-03-02T22:59:00Z', local: 'Mon 17:59 EST', open: true, next: null },
    { when: '2026-03-02T23:00:00Z', local: 'Mon 18:00 EST', open: false, next: '2026-03-03T13:00:00.000Z' },
    // Saturday before the spring-forward change: next opening is Monday 08:00 EDT (UTC−4)
    { when: '2026-03-07T19:00:00Z', local: 'Sat 14:00 EST', open: false, next: '2026-03-09T12:00:00.000Z' },
    { when: '2026-03-08T16:00:00Z', local: 'Sun 12:00 EDT', open: false, next: '2026-03-09T12:00:00.000Z' },
    // Summer (EDT): the same local hours are an hour earlier in UTC
    { when: '2026-03-09T11:59:00Z', local: 'Mon 07:59 EDT', open: false, next: '2026-03-09T12:00:00.000Z' },
    { when: '2026-03-09T12:00:00Z', local: 'Mon 08:00 EDT', open: true, next: null },
    { when: '2026-03-09T22:30:00Z', local: 'Mon 18:30 EDT', open: false, next: '2026-03-10T12:00:00.000Z' },
    // Fall-back change: Saturday afternoon EDT → Monday 08:00 EST
    { when: '2026-10-31T17:00:00Z', local: 'Sat 13:00 EDT', open: false, next: '2026-11-02T13:00:00.000Z' },
    { when: '2026-10-31T16:59:00Z', local: 'Sat 12:59 EDT', open: true, next: null },
    { when: '2026-11-02T12:30:00Z', local: 'Mon 07:30 EST', open: false, next: '2026-11-02T13:00:00.000Z' },
  ])('$local → open $open, next $next', ({ when, open, next }) => {
    const status = businessHoursStatus(clinic, at(when));
    expect(status.open).toBe(open);
    if (!status.open) expect(iso(status.nextOpenAt)).toBe(next);
  });

  it('says why it is closed', () => {
    expect(businessHoursStatus(clinic, at('2026-03-08T16:00:00Z'))).toMatchObject({ open: false, why: 'closed-today' });
    expect(businessHoursStatus(clinic, at('2026-03-02T23:00:00Z'))).toMatchObject({ open: false, why: 'outside-hours' });
    // Christmas is a Friday: closed all day, opens Saturday 09:00 EST.
    expect(businessHoursStatus(clinic, at('2026-12-25T15:00:00Z'))).toEqual({ open: false, why: 'holiday', nextOpenAt: at('2026-12-26T14:00:00Z') });
  });

  it('a queue without business hours is always open', () => {
    expect(businessHoursStatus(null, at('2026-12-25T03:00:00Z'))).toEqual({ open: true });
  });

  it('skips holidays when looking for the next opening', () => {
    // Thanksgiving Thursday 2026-11-26 after hours on Wednesday → Friday 08:00.
    const status = businessHoursStatus(clinic, at('2026-11-25T23:30:00Z'));
    expect(status).toMatchObject({ open: false, nextOpenAt: at('2026-11-27T13:00:00Z') });
  });

  it('never opens → next opening is null', () => {
    const never = hours({ timeZone: 'America/New_York', weekly: {} });
    expect(businessHoursStatus(never, at('2026-03-02T13:00:00Z'))).toEqual({ open: false, why: 'closed-today', nextOpenAt: null });
  });
});

describe('other zones and split days', () => {
  it('Europe/Berlin with a lunch break and an evening window to midnight', () => {
    const berlin = hours({ timeZone: 'Europe/Berlin', weekly: { tue: [{ open: '13:00', close: '17:00' }, { open: '08:00', close: '12:00' }, { open: '20:00', close: '24:00' }] } });
    // 2026-03-31 is a Tuesday in CEST (UTC+2).
    expect(businessHoursStatus(berlin, at('2026-03-31T06:00:00Z')).open).toBe(true); // 08:00
    expect(businessHoursStatus(berlin, at('2026-03-31T10:30:00Z'))).toEqual({ open: false, why: 'outside-hours', nextOpenAt: at('2026-03-31T11:00:00Z') });
    expect(businessHoursStatus(berlin, at('2026-03-31T21:59:00Z')).open).toBe(true); // 23:59
    expect(businessHoursStatus(berlin, at('2026-03-31T22:00:00Z'))).toMatchObject({ open: false, nextOpenAt: at('2026-04-07T06:00:00Z') });
  });

  it('Australia/Sydney across its April DST end (southern hemisphere)', () => {
    const sydney = hours({ timeZone: 'Australia/Sydney', weekly: { mon: [{ open: '09:00', close: '17:00' }] } });
    // Mon 2026-03-30 09:00 AEDT (UTC+11) and Mon 2026-04-06 09:00 AEST (UTC+10).
    expect(businessHoursStatus(sydney, at('2026-03-29T22:00:00Z')).open).toBe(true);
    expect(businessHoursStatus(sydney, at('2026-03-30T06:00:00Z'))).toMatchObject({ open: false, nextOpenAt: at('2026-04-05T23:00:00Z') });
  });
});

describe('local time conversion', () => {
  it.each([
    { date: '2026-03-08', time: 150, zone: 'America/New_York', expected: '2026-03-08T07:30:00.000Z', why: '02:30 does not exist: 03:30 EDT' },
    { date: '2026-11-01', time: 90, zone: 'America/New_York', expected: '2026-11-01T05:30:00.000Z', why: '01:30 happens twice: the first (EDT)' },
    { date: '2026-07-01', time: 480, zone: 'America/New_York', expected: '2026-07-01T12:00:00.000Z', why: 'summer' },
    { date: '2026-01-15', time: 0, zone: 'Asia/Kolkata', expected: '2026-01-14T18:30:00.000Z', why: 'half-hour offset' },
    { date: '2026-06-01', time: 1440, zone: 'UTC', expected: '2026-06-02T00:00:00.000Z', why: '24:00 is next midnight' },
  ])('$date +$time min in $zone → $expected ($why)', ({ date, time, zone, expected }) => {
    expect(new Date(zonedTimeToInstant(date, time, zone)).toISOString()).toBe(expected);
  });

  it('reads the local weekday and minutes', () => {
    expect(localDateTime(at('2026-03-09T03:30:00Z'), 'America/New_York')).toEqual({ date: '2026-03-08', weekday: 'sun', minutes: 23 * 60 + 30 });
  });
});

describe('business hours validation', () => {
  it.each([
    { name: 'unknown zone', input: { timeZone: 'Mars/Olympus', weekly: {} } },
    { name: 'bad time', input: { timeZone: 'UTC', weekly: { mon: [{ open: '8am', close: '17:00' }] } } },
    { name: 'close before open', input: { timeZone: 'UTC', weekly: { mon: [{ open: '22:00', close: '02:00' }] } } },
    { name: 'unknown weekday', input: { timeZone: 'UTC', weekly: { funday: [{ open: '08:00', close: '09:00' }] } } },
    { name: 'bad holiday', input: { timeZone: 'UTC', weekly: {}, holidays: ['25/12/2026'] } },
    { name: 'unknown field', input: { timeZone: 'UTC', weekly: {}, lunch: true } },
  ])('rejects $name', ({ input }) => {
    expect(businessHoursSchema.safeParse(input).success).toBe(false);
  });
});

describe('availabilityOf: open when any queue is open, else the earliest next opening', () => {
  const paris = hours({ timeZone: 'Europe/Paris', weekly: { mon: [{ open: '09:00', close: '17:00' }], tue: [{ open: '09:00', close: '17:00' }] } });
  const never = hours({ timeZone: 'UTC', weekly: {} });
  it.each([
    // Monday 2026-03-02 07:00 UTC: Paris (08:00 CET) opens at 08:00 UTC, New York at 13:00 UTC.
    { name: 'both closed: the earlier opening', queues: [clinic, paris], when: '2026-03-02T07:00:00Z', open: false, next: '2026-03-02T08:00:00.000Z' },
    { name: 'one open', queues: [clinic, paris], when: '2026-03-02T09:00:00Z', open: true, next: null },
    { name: 'a 24/7 queue', queues: [clinic, null], when: '2026-03-08T16:00:00Z', open: true, next: null },
    { name: 'never opens', queues: [never], when: '2026-03-02T07:00:00Z', open: false, next: null },
    { name: 'one never opens, one later', queues: [never, clinic], when: '2026-03-02T23:00:00Z', open: false, next: '2026-03-03T13:00:00.000Z' },
    { name: 'no queues at all', queues: [], when: '2026-03-02T09:00:00Z', open: false, next: null },
  ])('$name', ({ queues, when, open, next }) => {
    const result = availabilityOf(queues, at(when));
    expect(result.open).toBe(open);
    expect(iso(result.nextOpenAt)).toBe(next);
  });
});
