/**
 * Holding, booking, cancelling and rescheduling over the real HTTP server and SQLite: holds that
 * refuse a second holder (409 with fresh times), extend for the same one and expire; a booking that
 * writes the Appointment and the busy Slot together; many parallel requests for one slot, of which
 * exactly one wins; cancel frees the slot; reschedule books the new slot, cancels and links the old
 * appointment and frees its slot — or changes nothing when the new slot is taken.
 */
import type { Appointment } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppointmentListResponse, AppointmentResponse, AvailableSlot, CreateHoldResponse, RescheduleResponse, SlotTakenResponse } from '../contracts/scheduling.js';
import { addDays, localDateOf } from './time.js';
import { REASON, startSchedulingServer, specialtyCode, type SchedulingHarness } from './test-support.js';

let h: SchedulingHarness;
let agent: string;
let family: string;
const used = new Set<string>();

beforeAll(async () => {
  h = await startSchedulingServer();
  agent = await h.staffToken();
  family = specialtyCode(h.options, 'Family Medicine');
});
afterAll(async () => h?.close());

/** A free family-medicine slot no other test used, `days` or more ahead. */
async function freeSlot(days = 2, mode: 'in-person' | 'virtual' = 'in-person'): Promise<AvailableSlot> {
  const from = addDays(localDateOf(Date.now(), 'America/Denver'), days);
  const { slots } = (await h.availability(agent, `specialty=${family}&mode=${mode}&from=${from}&limit=100`)).body;
  const slot = slots.find((s) => !used.has(s.slotId));
  if (!slot) throw new Error('no free slot left');
  used.add(slot.slotId);
  return slot;
}

const book = (token: string, body: unknown, headers: Record<string, string> = REASON) => h.api<AppointmentResponse & SlotTakenResponse>('POST', '/api/scheduling/appointments', token, { body, headers });
const hold = (token: string, slotId: string) => h.api<CreateHoldResponse & SlotTakenResponse>('POST', '/api/scheduling/holds', token, { body: { slotId } });
const appointmentsFor = (slotId: string) =>
  (h.server.context.database.sqlite
    .prepare("SELECT content FROM resources r JOIN search_reference s ON s.resource_type = 'Appointment' AND s.resource_id = r.id AND s.param = 'slot' WHERE r.resource_type = 'Appointment' AND s.target_id = ?")
    .all(slotId) as Array<{ content: string }>).map((r) => JSON.parse(r.content) as Appointment);

describe('holds', () => {
  it('keep a slot for its holder for five minutes; a second holder gets 409 and other free times', async () => {
    const slot = await freeSlot();
    const first = await hold(agent, slot.slotId);
    expect(first.status).toBe(201);
    const expiresIn = Date.parse(first.body.hold.expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(4.9 * 60_000);
    expect(expiresIn).toBeLessThanOrEqual(5 * 60_000);
    expect(first.body.hold.slot).toMatchObject({ slotId: slot.slotId, practitioner: slot.practitioner });

    const other = await h.staffToken();
    const second = await hold(other, slot.slotId);
    expect(second.status).toBe(409);
    expect(second.body.error).toEqual({ code: 'slot_taken', message: 'That time was just taken by someone else. Here are other times that are free now.' });
    expect(second.body.availability.length).toBeGreaterThan(0);
    expect(second.body.availability.map((s) => s.slotId)).not.toContain(slot.slotId);
    for (const s of second.body.availability) expect(s.specialty?.code).toBe(family);
    // …and the other agent cannot book it either.
    const taken = await book(other, { patientId: h.patients[3], slotId: slot.slotId });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('slot_taken');

    // Holding again extends the same hold.
    h.advance(60_000);
    const again = await hold(agent, slot.slotId);
    expect(again.status).toBe(201);
    expect(again.body.hold.id).toBe(first.body.hold.id);
    expect(Date.parse(again.body.hold.expiresAt)).toBeGreaterThan(Date.parse(first.body.hold.expiresAt));

    // Expired: the other agent may hold it now.
    h.advance(5 * 60_000 + 1);
    const late = await hold(other, slot.slotId);
    expect(late.status).toBe(201);
    h.advance(-(6 * 60_000 + 1));
  });

  it('are released by their holder only; at most five at a time', async () => {
    const slot = await freeSlot();
    const mine = await hold(agent, slot.slotId);
    const stranger = await h.staffToken();
    expect((await h.api('DELETE', `/api/scheduling/holds/${mine.body.hold.id}`, stranger)).status).toBe(404);
    expect((await h.api('DELETE', `/api/scheduling/holds/${mine.body.hold.id}`, agent)).status).toBe(204);
    expect((await h.api('DELETE', `/api/scheduling/holds/${mine.body.hold.id}`, agent)).status).toBe(404);
    expect((await h.api('DELETE', '/api/scheduling/holds/not-a-uuid', agent)).status).toBe(404);
    expect((await hold(stranger, slot.slotId)).status).toBe(201);

    const greedy = await h.staffToken();
    for (let i = 0; i < 5; i++) expect((await hold(greedy, (await freeSlot()).slotId)).status).toBe(201);
    const sixth = await hold(greedy, (await freeSlot()).slotId);
    expect(sixth.status).toBe(409);
    expect((sixth.body as unknown as { error: { code: string; message: string } }).error).toMatchObject({ code: 'conflict', message: expect.stringContaining('already holding 5') });
  });

  it('refuse unknown and malformed slots', async () => {
    expect((await hold(agent, 'no-such-slot')).status).toBe(404);
    const malformed = await hold(agent, 'Slot/../x');
    expect(malformed.status).toBe(400);
    expect((await h.api('POST', '/api/scheduling/holds', agent, { body: { slotId: (await freeSlot()).slotId, extra: 1 } })).status).toBe(400);
  });
});

describe('booking', () => {
  it('writes the Appointment and the busy Slot, and lists it as upcoming', async () => {
    const slot = await freeSlot();
    const patientId = h.patients[4]!;
    await hold(agent, slot.slotId);
    const reply = await book(agent, { patientId, slotId: slot.slotId, note: 'Knee pain for two weeks' });
    expect(reply.status).toBe(201);
    const { appointment } = reply.body;
    expect(appointment).toMatchObject({
      status: 'booked',
      start: slot.start,
      end: slot.end,
      mode: 'in-person',
      patientId,
      practitioner: slot.practitioner,
      location: slot.location,
      note: 'Knee pain for two weeks',
      slotId: slot.slotId,
      icsPath: `/api/scheduling/appointments/${appointment.id}/ics`,
      past: false,
    });
    expect(h.slot(slot.slotId)?.status).toBe('busy');
    const stored = h.appointment(appointment.id)!;
    expect(stored.participant?.map((p) => p.actor?.reference)).toEqual([`Patient/${patientId}`, `Practitioner/${slot.practitioner.id}`, `Location/${slot.location!.id}`]);
    expect(stored.slot).toEqual([{ reference: `Slot/${slot.slotId}` }]);
    // The hold went with the booking.
    expect(h.server.context.database.sqlite.prepare('SELECT COUNT(*) AS n FROM slot_holds WHERE slot_id = ?').get(slot.slotId)).toEqual({ n: 0 });
    expect((await h.availability(agent, `specialty=${family}&limit=100&to=${addDays(localDateOf(Date.now(), 'America/Denver'), 30)}`)).body.slots.map((s) => s.slotId)).not.toContain(slot.slotId);

    const list = await h.api<AppointmentListResponse>('GET', `/api/scheduling/appointments?patient=${patientId}`, agent, { headers: REASON });
    expect(list.status).toBe(200);
    expect(list.body.upcoming.map((a) => a.id)).toContain(appointment.id);
    expect(list.body.upcoming.every((a, i, all) => i === 0 || Date.parse(all[i - 1]!.start) <= Date.parse(a.start))).toBe(true);
  });

  it('books a virtual visit without a clinic', async () => {
    const slot = await freeSlot(3, 'virtual');
    const reply = await book(agent, { patientId: h.patients[5], slotId: slot.slotId });
    expect(reply.status).toBe(201);
    expect(reply.body.appointment).toMatchObject({ mode: 'virtual', location: { name: 'Carebridge Virtual Care', virtual: true } });
    expect(h.appointment(reply.body.appointment.id)?.participant?.some((p) => p.actor?.reference?.startsWith('Location/'))).toBe(false);
  });

  it('a slot someone just booked is a 409 slot_taken with fresh availability', async () => {
    const slot = await freeSlot();
    expect((await book(agent, { patientId: h.patients[6], slotId: slot.slotId })).status).toBe(201);
    const late = await book(await h.staffToken(), { patientId: h.patients[7], slotId: slot.slotId });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('slot_taken');
    expect(late.body.error.message).toMatch(/^That time was just taken/);
    expect(late.body.availability.length).toBeGreaterThan(0);
    expect(late.body.availability.map((s) => s.slotId)).not.toContain(slot.slotId);
    expect(appointmentsFor(slot.slotId)).toHaveLength(1);
  });

  it('many parallel requests for one slot: exactly one booking, the rest 409', async () => {
    const slot = await freeSlot();
    const tokens = await Promise.all(Array.from({ length: 24 }, () => h.staffToken()));
    const replies = await Promise.all(tokens.map((token, i) => book(token, { patientId: h.patients[i % h.patients.length], slotId: slot.slotId })));
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(23);
    for (const r of replies.filter((r) => r.status === 409)) expect(r.body.error.code).toBe('slot_taken');
    expect(appointmentsFor(slot.slotId)).toHaveLength(1);
    expect(h.slot(slot.slotId)?.status).toBe('busy');
    // Each attempt was answered with a durable outcome: one booking audited, no more.
    expect(h.audit('scheduling.book').filter((r) => r.details?.slotId === slot.slotId)).toHaveLength(1);
  });

  it('parallel holds on one slot: exactly one holder', async () => {
    const slot = await freeSlot();
    const tokens = await Promise.all(Array.from({ length: 16 }, () => h.staffToken()));
    const replies = await Promise.all(tokens.map((token) => hold(token, slot.slotId)));
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
    expect(replies.filter((r) => r.status === 409)).toHaveLength(15);
  });

  it('refuses a slot that has started, an unknown patient or slot, and malformed bodies', async () => {
    const slot = await freeSlot();
    const delta = Date.parse(slot.start) - Date.now() + 1000;
    h.advance(delta);
    const started = await book(agent, { patientId: h.patients[8], slotId: slot.slotId });
    h.advance(-delta);
    expect(started.status).toBe(409);
    expect((started.body as unknown as { error: { message: string } }).error.message).toBe('That time has already started: choose a later one.');

    const unknownPatient = await book(agent, { patientId: 'no-such-patient', slotId: slot.slotId });
    expect(unknownPatient.status).toBe(404);
    expect(unknownPatient.body.error.message).toBe('Patient no-such-patient not found.');
    expect((await book(agent, { patientId: h.patients[8], slotId: 'no-such-slot' })).status).toBe(404);
    for (const body of [{}, { patientId: h.patients[8] }, { patientId: 'bad id!', slotId: slot.slotId }, { patientId: h.patients[8], slotId: slot.slotId, note: 'x'.repeat(501) }, [1, 2]]) {
      const reply = await book(agent, body);
      expect(reply.status).toBe(400);
      expect(reply.body.error.code).toBe('validation_failed');
    }
    expect((await h.api('POST', '/api/scheduling/appointments', agent, { headers: { ...REASON, 'content-type': 'application/json' }, body: undefined })).status).toBe(400);
    expect(h.slot(slot.slotId)?.status).toBe('free');
  });
});

describe('cancel and reschedule', () => {
  async function booked(patientId: string): Promise<{ id: string; slotId: string }> {
    const slot = await freeSlot(4);
    const reply = await book(agent, { patientId, slotId: slot.slotId });
    expect(reply.status).toBe(201);
    return { id: reply.body.appointment.id, slotId: slot.slotId };
  }

  it('cancel: the appointment is cancelled, its slot is free again; twice is a 409', async () => {
    const patientId = h.patients[9]!;
    const { id, slotId } = await booked(patientId);
    const reply = await h.api<AppointmentResponse>('POST', `/api/scheduling/appointments/${id}/cancel`, agent, { body: { reason: 'Feeling better' }, headers: REASON });
    expect(reply.status).toBe(200);
    expect(reply.body.appointment).toMatchObject({ id, status: 'cancelled', cancellationReason: 'Feeling better' });
    expect(h.appointment(id)?.status).toBe('cancelled');
    expect(h.slot(slotId)?.status).toBe('free');
    const list = await h.api<AppointmentListResponse>('GET', `/api/scheduling/appointments?patient=${patientId}`, agent, { headers: REASON });
    expect(list.body.upcoming.map((a) => a.id)).not.toContain(id);
    expect(list.body.recent.map((a) => a.id)).toContain(id);

    const again = await h.api('POST', `/api/scheduling/appointments/${id}/cancel`, agent, { headers: REASON });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toBe('That appointment is already cancelled.');
    expect((await h.api('POST', '/api/scheduling/appointments/no-such-appointment/cancel', agent, { headers: REASON })).status).toBe(404);
    expect((await h.api('POST', '/api/scheduling/appointments/bad%20id/cancel', agent, { headers: REASON })).status).toBe(404);
    expect((await h.api('POST', `/api/scheduling/appointments/${id}/cancel`, agent, { body: { reason: '' }, headers: REASON })).status).toBe(400);
  });

  it('reschedule: the new slot booked, the old appointment cancelled and linked, its slot free — in one go', async () => {
    const patientId = h.patients[10]!;
    const { id, slotId } = await booked(patientId);
    const target = await freeSlot(6);
    const reply = await h.api<RescheduleResponse>('POST', `/api/scheduling/appointments/${id}/reschedule`, agent, { body: { slotId: target.slotId }, headers: REASON });
    expect(reply.status).toBe(201);
    const { appointment, previous } = reply.body;
    expect(appointment).toMatchObject({ status: 'booked', start: target.start, slotId: target.slotId, rescheduledFrom: id, patientId });
    expect(previous).toMatchObject({ id, status: 'cancelled', cancellationReason: 'Rescheduled', rescheduledTo: appointment.id });
    expect(h.slot(slotId)?.status).toBe('free');
    expect(h.slot(target.slotId)?.status).toBe('busy');
    expect(h.appointment(id)?.status).toBe('cancelled');
  });

  it('reschedule onto a taken slot changes nothing', async () => {
    const patientId = h.patients[11]!;
    const { id, slotId } = await booked(patientId);
    const { slotId: takenSlot } = await booked(h.patients[12]!);
    const reply = await h.api<SlotTakenResponse>('POST', `/api/scheduling/appointments/${id}/reschedule`, agent, { body: { slotId: takenSlot }, headers: REASON });
    expect(reply.status).toBe(409);
    expect(reply.body.error.code).toBe('slot_taken');
    expect(reply.body.availability.length).toBeGreaterThan(0);
    expect(h.appointment(id)?.status).toBe('booked');
    expect(h.slot(slotId)?.status).toBe('busy');
    expect(appointmentsFor(takenSlot)).toHaveLength(1);
    // Onto its own slot, or from a cancelled appointment: 409 too.
    expect((await h.api('POST', `/api/scheduling/appointments/${id}/reschedule`, agent, { body: { slotId }, headers: REASON })).status).toBe(409);
    await h.api('POST', `/api/scheduling/appointments/${id}/cancel`, agent, { headers: REASON });
    const fromCancelled = await h.api('POST', `/api/scheduling/appointments/${id}/reschedule`, agent, { body: { slotId: (await freeSlot(8)).slotId }, headers: REASON });
    expect(fromCancelled.status).toBe(409);
    expect((await h.api('POST', `/api/scheduling/appointments/${id}/reschedule`, agent, { body: { slotId: 'no such' }, headers: REASON })).status).toBe(400);
  });

  it('a past appointment cannot be cancelled', async () => {
    const { id } = await booked(h.patients[13]!);
    const delta = Date.parse(h.appointment(id)!.start!) - Date.now() + 60_000;
    h.advance(delta);
    const reply = await h.api('POST', `/api/scheduling/appointments/${id}/cancel`, agent, { headers: REASON });
    h.advance(-delta);
    expect(reply.status).toBe(409);
    expect(reply.body.error.message).toMatch(/already started/);
  });
});
