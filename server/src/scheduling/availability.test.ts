/**
 * Finding free times over the real HTTP server and the seeded synthetic clinic: the search form's
 * options; filters by specialty, clinician, clinic or virtual care, language, mode and dates (in the
 * clinic's time zone); sorted by start and paged without repeats; busy slots and slots held by
 * someone else never offered; and every kind of bad input answered 400/404, never 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AvailableSlot } from '../contracts/scheduling.js';
import { addDays, localDateOf, startOfLocalDate } from './time.js';
import { startSchedulingServer, specialtyCode, type SchedulingHarness } from './test-support.js';

let h: SchedulingHarness;
let agent: string;
const DENVER = 'America/Denver';
const today = () => localDateOf(Date.now(), DENVER);

beforeAll(async () => {
  h = await startSchedulingServer();
  agent = await h.staffToken();
});
afterAll(async () => h?.close());

const starts = (slots: AvailableSlot[]) => slots.map((s) => s.start);
const sortedByStart = (slots: AvailableSlot[]) => slots.every((s, i) => i === 0 || Date.parse(slots[i - 1]!.start) <= Date.parse(s.start));

describe('the search form', () => {
  it('lists specialties, clinicians, locations, languages and modes of the bookable directory', () => {
    const { options } = h;
    expect(options.timeZone).toBe(DENVER);
    expect(options.holdMinutes).toBe(5);
    expect(options.maxRangeDays).toBe(60);
    expect(options.specialties.map((s) => s.display)).toEqual(expect.arrayContaining(['Family Medicine', 'Internal Medicine, Cardiovascular Disease', 'Pediatrics', 'Registered Nurse']));
    expect(options.practitioners).toHaveLength(51);
    expect(options.locations.at(-1)).toMatchObject({ name: 'Carebridge Virtual Care', virtual: true });
    expect(options.locations.filter((l) => !l.virtual).length).toBeGreaterThanOrEqual(5);
    expect(options.languages.map((l) => l.code)).toEqual(expect.arrayContaining(['en', 'es']));
    expect(options.modes).toEqual(['in-person', 'virtual']);
  });

  it('needs a sign-in', async () => {
    const reply = await h.api('GET', '/api/scheduling/options', '');
    expect(reply.status).toBe(401);
  });
});

describe('free slots', () => {
  it('by specialty over 60 days: sorted by start, each with clinician, specialty, location, languages and mode', async () => {
    const cardiology = specialtyCode(h.options, 'Internal Medicine, Cardiovascular Disease');
    const reply = await h.availability(agent, `specialty=${cardiology}&from=${today()}&to=${addDays(today(), 60)}&limit=100`);
    expect(reply.status).toBe(200);
    const { slots } = reply.body;
    expect(slots.length).toBeGreaterThan(20);
    expect(sortedByStart(slots)).toBe(true);
    for (const slot of slots) {
      expect(slot.specialty?.code).toBe(cardiology);
      expect(Date.parse(slot.start)).toBeGreaterThan(Date.now());
      expect(slot.practitioner.name).toMatch(/^Dr\. /);
      expect(slot.languages.map((l) => l.code)).toContain('en');
      expect(h.slot(slot.slotId)?.status).toBe('free');
      if (slot.mode === 'virtual') expect(slot.location).toMatchObject({ virtual: true, address: null });
      else expect(slot.location?.address).toMatch(/, CO 8\d{4}$/);
    }
  });

  it('by clinician, by language, by mode and by location', async () => {
    const withSpanish = h.options.practitioners.find((p) => p.languages.includes('es') && p.modes.includes('virtual'))!;
    const byPractitioner = await h.availability(agent, `practitioner=${withSpanish.id}&to=${addDays(today(), 30)}`);
    expect(byPractitioner.body.slots.length).toBeGreaterThan(0);
    expect(new Set(byPractitioner.body.slots.map((s) => s.practitioner.id))).toEqual(new Set([withSpanish.id]));

    const spanish = await h.availability(agent, `language=es&limit=100`);
    expect(spanish.body.slots.length).toBeGreaterThan(0);
    for (const s of spanish.body.slots) expect(s.languages.map((l) => l.code)).toContain('es');

    const virtual = await h.availability(agent, `mode=virtual&limit=100`);
    expect(virtual.body.slots.length).toBeGreaterThan(0);
    expect(new Set(virtual.body.slots.map((s) => s.mode))).toEqual(new Set(['virtual']));
    for (const s of virtual.body.slots) expect(h.slot(s.slotId)?.serviceType?.flatMap((c) => c.coding ?? []).some((c) => c.code === 'VR')).toBe(true);

    const clinic = h.options.locations.find((l) => !l.virtual)!;
    const atClinic = await h.availability(agent, `location=${clinic.id}&limit=100`);
    expect(atClinic.body.slots.length).toBeGreaterThan(0);
    for (const s of atClinic.body.slots) expect(s).toMatchObject({ mode: 'in-person', location: { id: clinic.id } });

    const virtualCare = h.options.locations.find((l) => l.virtual)!;
    const atHome = await h.availability(agent, `location=${virtualCare.id}&limit=20`);
    expect(new Set(atHome.body.slots.map((s) => s.mode))).toEqual(new Set(['virtual']));
    // A clinic and "virtual" together ask for something that cannot exist: nothing, not an error.
    expect((await h.availability(agent, `location=${clinic.id}&mode=virtual`)).body.slots).toEqual([]);
    // Nobody speaks Klingon here.
    expect((await h.availability(agent, 'language=tlh')).body.slots).toEqual([]);
  });

  it('keeps to the dates asked, as days in Denver', async () => {
    const day = addDays(today(), 7);
    const reply = await h.availability(agent, `from=${day}&to=${day}&limit=100`);
    expect(reply.body).toMatchObject({ from: day, to: day, timeZone: DENVER });
    for (const s of reply.body.slots) {
      expect(Date.parse(s.start)).toBeGreaterThanOrEqual(startOfLocalDate(day, DENVER));
      expect(Date.parse(s.start)).toBeLessThan(startOfLocalDate(addDays(day, 1), DENVER));
      expect(localDateOf(Date.parse(s.start), DENVER)).toBe(day);
    }
    // Without dates: today and the next 13 days.
    const defaults = await h.availability(agent, 'limit=1');
    expect(defaults.body).toMatchObject({ from: today(), to: addDays(today(), 13) });
  });

  it('pages by cursor without repeating or skipping a slot', async () => {
    const family = specialtyCode(h.options, 'Family Medicine');
    const query = `specialty=${family}&to=${addDays(today(), 20)}`;
    const all = (await h.availability(agent, `${query}&limit=100`)).body.slots;
    expect(all.length).toBeGreaterThan(30);
    const paged: AvailableSlot[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<SchedulingHarness['availability']>> = await h.availability(agent, `${query}&limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      paged.push(...page.body.slots);
      cursor = page.body.nextCursor;
    } while (cursor && paged.length < 40);
    expect(paged.map((s) => s.slotId)).toEqual(all.slice(0, paged.length).map((s) => s.slotId));
    expect(new Set(paged.map((s) => s.slotId)).size).toBe(paged.length);
  });

  it('never offers a busy slot, nor one someone else holds (the holder still sees theirs)', async () => {
    const family = specialtyCode(h.options, 'Family Medicine');
    const query = `specialty=${family}&limit=5`;
    const [first, second] = (await h.availability(agent, query)).body.slots;
    // Busy: written straight into the FHIR store, as a FHIR client booking elsewhere would.
    const slot = h.slot(first!.slotId)!;
    h.server.context.fhir.system.write({ ...slot, status: 'busy' }, { audit: null });
    const holder = await h.staffToken();
    const held = await h.api('POST', '/api/scheduling/holds', holder, { body: { slotId: second!.slotId } });
    expect(held.status).toBe(201);

    const seen = starts((await h.availability(agent, query)).body.slots);
    const ids = (await h.availability(agent, query)).body.slots.map((s) => s.slotId);
    expect(ids).not.toContain(first!.slotId);
    expect(ids).not.toContain(second!.slotId);
    expect(seen).toHaveLength(5);
    expect((await h.availability(holder, query)).body.slots.map((s) => s.slotId)).toContain(second!.slotId);
    // Once the hold has run out, everyone sees it again.
    h.advance(5 * 60_000 + 1000);
    expect((await h.availability(agent, query)).body.slots.map((s) => s.slotId)).toContain(second!.slotId);
    h.advance(-(5 * 60_000 + 1000));
  });
});

describe('bad input', () => {
  it.each([
    ['dates reversed', `from=${addDays(today(), 5)}&to=${today()}`, 'to'],
    ['a range over 60 days', `from=${today()}&to=${addDays(today(), 61)}`, 'to'],
    ['a range over 60 days from today', `to=${addDays(today(), 70)}`, 'to'],
    ['a date that is not one', 'from=2025-02-30', 'from'],
    ['a malformed practitioner id', 'practitioner=../../etc', 'practitioner'],
    ['a malformed location id', `location=${'x'.repeat(65)}`, 'location'],
    ['a mode that is not one', 'mode=telepathy', 'mode'],
    ['a limit out of range', 'limit=1000', 'limit'],
    ['a repeated parameter', 'mode=virtual&mode=in-person', 'mode'],
    ['an unknown parameter', 'colour=blue', 'query'],
    ['a forged cursor', `cursor=${Buffer.from('yesterday|x').toString('base64url')}`, 'cursor'],
  ])('%s → 400 naming the field', async (_what, query, field) => {
    const reply = await h.availability(agent, query);
    expect(reply.status).toBe(400);
    const error = (reply.body as unknown as { error: { code: string; message: string; details?: { issues: Array<{ path: string }> } } }).error;
    expect(error.code).toBe('validation_failed');
    expect(error.details?.issues[0]?.path).toBe(field);
  });

  it('unknown specialty is a 400; unknown clinician or location a 404', async () => {
    const specialty = await h.availability(agent, 'specialty=999999999X');
    expect(specialty.status).toBe(400);
    expect(JSON.stringify(specialty.body)).toContain('options');
    const practitioner = await h.availability(agent, 'practitioner=no-such-doctor');
    expect(practitioner.status).toBe(404);
    expect((practitioner.body as unknown as { error: { message: string } }).error.message).toBe('Practitioner no-such-doctor has no bookable schedule.');
    expect((await h.availability(agent, 'location=no-such-place')).status).toBe(404);
  });
});
