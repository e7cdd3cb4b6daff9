/**
 * Who may, and what the audit log says, over the real HTTP server: agents and supervisors book with
 * a stated reason; other roles cannot change appointments; a patient books, lists, cancels and
 * downloads only their own (another patient's is a 403 and an `access.denied` row); the calendar
 * file is text/calendar with the visit's instants in UTC; every list, booking, cancellation,
 * reschedule and calendar download is audited with who, why and for whom; the routes are in OpenAPI.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppointmentListResponse, AppointmentResponse, AvailableSlot, RescheduleResponse } from '../contracts/scheduling.js';
import { addDays, localDateOf } from './time.js';
import { REASON, startSchedulingServer, specialtyCode, type SchedulingHarness } from './test-support.js';

let h: SchedulingHarness;
let agent: string;
let supervisor: string;
let slots: AvailableSlot[];
const AGENT_ID = 'agent-access-test';

beforeAll(async () => {
  h = await startSchedulingServer();
  agent = await h.staffToken('agent', AGENT_ID);
  supervisor = await h.staffToken('supervisor');
  const from = addDays(localDateOf(Date.now(), 'America/Denver'), 2);
  slots = (await h.availability(agent, `specialty=${specialtyCode(h.options, 'Internal Medicine')}&mode=in-person&from=${from}&limit=40`)).body.slots;
});
afterAll(async () => h?.close());

const next = () => slots.shift()!;
/** A calendar download: its status (the body is text/calendar, not JSON). */
const download = async (token: string, path: string, headers: Record<string, string> = REASON) => (await fetch(`${h.server.url}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } })).status;
const book = (token: string, patientId: string, headers: Record<string, string> = REASON) => h.api<AppointmentResponse>('POST', '/api/scheduling/appointments', token, { body: { patientId, slotId: next().slotId }, headers });

describe('who may', () => {
  it('agents and supervisors book with a stated reason; without one, 403 reason_required', async () => {
    const patientId = h.patients[1]!;
    const noReason = await book(agent, patientId, {});
    expect(noReason.status).toBe(403);
    expect(noReason.body).toMatchObject({ error: { code: 'reason_required' } });
    expect((await book(agent, patientId)).status).toBe(201);
    expect((await book(supervisor, patientId)).status).toBe(201);
    const list = await h.api('GET', `/api/scheduling/appointments?patient=${patientId}`, agent, {});
    expect(list.status).toBe(403);
    expect(list.body.error.code).toBe('reason_required');
  });

  it.each(['bot-author', 'outreach', 'practitioner', 'admin'] as const)('a %s cannot book or hold', async (role) => {
    const token = await h.staffToken(role);
    const slot = slots[0]!;
    expect((await h.api('POST', '/api/scheduling/appointments', token, { body: { patientId: h.patients[2], slotId: slot.slotId }, headers: REASON })).status).toBe(403);
    expect((await h.api('POST', '/api/scheduling/holds', token, { body: { slotId: slot.slotId } })).status).toBe(403);
    // Searching free times is directory data: anyone signed in.
    expect((await h.availability(token, 'limit=1')).status).toBe(200);
  });

  it('a bot author may not read appointments; a practitioner may, with a reason', async () => {
    const patientId = h.patients[1]!;
    expect((await h.api('GET', `/api/scheduling/appointments?patient=${patientId}`, await h.staffToken('bot-author'), { headers: REASON })).status).toBe(403);
    expect((await h.api('GET', `/api/scheduling/appointments?patient=${patientId}`, await h.staffToken('practitioner'), { headers: REASON })).status).toBe(200);
  });

  it('a patient books, lists, cancels and downloads their own; never someone else’s', async () => {
    const me = h.patients[14]!;
    const someoneElse = h.patients[15]!;
    const token = await h.patientToken(me);
    const mine = await book(token, me, {});
    expect(mine.status).toBe(201);
    const list = await h.api<AppointmentListResponse>('GET', `/api/scheduling/appointments?patient=${me}`, token);
    expect(list.body.upcoming.map((a) => a.id)).toContain(mine.body.appointment.id);
    expect(await download(token, mine.body.appointment.icsPath, {})).toBe(200);

    const theirs = await book(agent, someoneElse);
    const denied = [
      await book(token, someoneElse, {}),
      await h.api('GET', `/api/scheduling/appointments?patient=${someoneElse}`, token),
      await h.api('POST', `/api/scheduling/appointments/${theirs.body.appointment.id}/cancel`, token, {}),
    ];
    expect([...denied.map((r) => r.status), await download(token, theirs.body.appointment.icsPath, {})]).toEqual([403, 403, 403, 403]);
    expect(denied[0]!.body.error.message).toBe('You can only change your own appointments.');
    expect(h.appointment(theirs.body.appointment.id)?.status).toBe('booked');
    const refusals = h.audit('access.denied', someoneElse);
    expect(refusals).toHaveLength(4);
    expect(refusals.every((r) => r.outcome === 'denied' && r.actor_role === 'patient')).toBe(true);

    const cancelled = await h.api<AppointmentResponse>('POST', `/api/scheduling/appointments/${mine.body.appointment.id}/cancel`, token, {});
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.appointment.cancellationReason).toBe('Cancelled by the patient');
  });

  it('in a chat with the verified patient, the conversation is the reason; with another patient or outside it, 403', async () => {
    const patientId = h.patients[18]!;
    const { core } = h.server.context.conversations;
    // A signed-in portal patient's chat (verified on arrival), taken by our agent.
    const chat = core.createConversation({ kind: 'patient', userId: `patient-${randomUUID()}`, patientId, displayName: 'Pat' }, 'widget');
    core.handoff(chat.id, { reason: 'patient-asked', intent: 'general', language: 'en', collectedAnswers: {}, summary: 'Wants an appointment' });
    core.assignAgent(chat.id, AGENT_ID, 'Agent');

    const booked = await h.api<AppointmentResponse>('POST', '/api/scheduling/appointments', agent, { body: { patientId, slotId: next().slotId, conversationId: chat.id } });
    expect(booked.status).toBe(201);
    const list = await h.api<AppointmentListResponse>('GET', `/api/scheduling/appointments?patient=${patientId}&conversationId=${chat.id}`, agent);
    expect(list.body.upcoming.map((a) => a.id)).toContain(booked.body.appointment.id);
    expect(await download(agent, `${booked.body.appointment.icsPath}?conversationId=${chat.id}`, {})).toBe(200);
    const reason = `patient contact in conversation ${chat.id}`;
    expect(h.audit('scheduling.book', patientId)).toEqual([expect.objectContaining({ actor_id: AGENT_ID, reason })]);
    expect(h.audit('phi.read', patientId).map((r) => r.reason)).toEqual([reason, reason]);

    // Another patient in this chat, an agent not in it, an unknown chat, a malformed id.
    const other = await h.api('POST', '/api/scheduling/appointments', agent, { body: { patientId: h.patients[19], slotId: slots[0]!.slotId, conversationId: chat.id } });
    expect(other.status).toBe(403);
    expect(other.body.error.message).toBe('This conversation is verified as another patient.');
    expect((await h.api('GET', `/api/scheduling/appointments?patient=${patientId}&conversationId=${chat.id}`, await h.staffToken())).status).toBe(403);
    expect((await h.api('GET', `/api/scheduling/appointments?patient=${patientId}&conversationId=${randomUUID()}`, agent)).status).toBe(404);
    expect((await h.api('GET', `/api/scheduling/appointments?patient=${patientId}&conversationId=chat-1`, agent)).status).toBe(400);
    expect((await h.api('POST', `/api/scheduling/appointments/${booked.body.appointment.id}/cancel`, agent, { body: { conversationId: chat.id } })).status).toBe(200);
  });

  it('unknown and malformed patients: 404 and 400', async () => {
    expect((await h.api('GET', '/api/scheduling/appointments?patient=no-such-patient', agent, { headers: REASON })).status).toBe(404);
    expect((await h.api('GET', '/api/scheduling/appointments?patient=../x', agent, { headers: REASON })).status).toBe(400);
    expect((await h.api('GET', '/api/scheduling/appointments', agent, { headers: REASON })).status).toBe(400);
    expect((await h.api('GET', '/api/scheduling/appointments/no-such-appointment/ics', agent, { headers: REASON })).status).toBe(404);
  });
});

describe('the calendar file', () => {
  it('is text/calendar with the visit in UTC, the clinician and the address', async () => {
    const patientId = h.patients[16]!;
    const { appointment } = (await book(agent, patientId)).body;
    const res = await fetch(`${h.server.url}${appointment.icsPath}`, { headers: { authorization: `Bearer ${agent}`, ...REASON } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="appointment-${appointment.start.slice(0, 10)}.ics"`);
    const text = await res.text();
    const utc = (iso: string) => new Date(iso).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    // The slot is stored in Denver time ("…-07:00"); the file says the same instant in UTC.
    expect(appointment.start).toMatch(/-0[67]:00$/);
    expect(text).toContain(`DTSTART:${utc(appointment.start)}`);
    expect(text).toContain(`DTEND:${utc(appointment.end)}`);
    expect(text).toContain(`UID:${appointment.id}@carebridge`);
    expect(text).toContain('STATUS:CONFIRMED');
    expect(text).toContain(`SUMMARY:Appointment with ${appointment.practitioner!.name.replace(/,/g, '\\,')}`);
    expect(text.replace(/\r\n[ \t]/g, '')).toContain(`LOCATION:${appointment.location!.name}\\, ${appointment.location!.address!.replace(/,/g, '\\,')}`);
    // Without a reason, staff get no file.
    expect(await download(agent, appointment.icsPath, {})).toBe(403);
    // Cancelled: the file says so, so calendars remove it.
    await h.api('POST', `/api/scheduling/appointments/${appointment.id}/cancel`, agent, { headers: REASON });
    const after = await (await fetch(`${h.server.url}${appointment.icsPath}`, { headers: { authorization: `Bearer ${agent}`, ...REASON } })).text();
    expect(after).toContain('STATUS:CANCELLED');
    expect(after).toMatch(/SEQUENCE:[1-9]/);
  });
});

describe('the audit log', () => {
  it('records every list, booking, cancellation, reschedule and calendar download, with who, why and whom', async () => {
    const patientId = h.patients[17]!;
    const booked = (await book(agent, patientId)).body.appointment;
    await h.api('GET', `/api/scheduling/appointments?patient=${patientId}`, agent, { headers: REASON });
    expect(await download(agent, booked.icsPath)).toBe(200);
    const moved = (await h.api<RescheduleResponse>('POST', `/api/scheduling/appointments/${booked.id}/reschedule`, agent, { body: { slotId: next().slotId }, headers: REASON })).body;
    await h.api('POST', `/api/scheduling/appointments/${moved.appointment.id}/cancel`, agent, { headers: REASON });

    const base = { actor_id: AGENT_ID, actor_role: 'agent', patient_id: patientId, reason: REASON['X-Access-Reason'], outcome: 'success' };
    expect(h.audit('scheduling.book', patientId)).toEqual([expect.objectContaining({ ...base, resource_id: booked.id, details: expect.objectContaining({ slotId: booked.slotId }) })]);
    expect(h.audit('scheduling.reschedule', patientId)).toEqual([expect.objectContaining({ ...base, resource_id: moved.appointment.id, details: expect.objectContaining({ from: booked.id, to: moved.appointment.id }) })]);
    expect(h.audit('scheduling.cancel', patientId)).toEqual([expect.objectContaining({ ...base, resource_id: moved.appointment.id, details: { slotsFreed: 1 } })]);
    const reads = h.audit('phi.read', patientId);
    expect(reads.map((r) => r.details?.interaction)).toEqual(['scheduling.list', 'scheduling.ics']);
    expect(reads.every((r) => r.actor_id === AGENT_ID && r.reason === REASON['X-Access-Reason'])).toBe(true);
    expect(reads[0]!.details).toMatchObject({ upcoming: 1 });
  });
});

describe('OpenAPI', () => {
  it('documents every scheduling route', async () => {
    const doc = (await h.api<{ paths: Record<string, Record<string, unknown>> }>('GET', '/api/openapi.json', agent)).body;
    const routes = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`)).filter((r) => r.includes('/api/scheduling'));
    expect(routes.sort()).toEqual(
      [
        'GET /api/scheduling/options',
        'GET /api/scheduling/availability',
        'POST /api/scheduling/holds',
        'DELETE /api/scheduling/holds/{holdId}',
        'GET /api/scheduling/appointments',
        'POST /api/scheduling/appointments',
        'POST /api/scheduling/appointments/{appointmentId}/cancel',
        'POST /api/scheduling/appointments/{appointmentId}/reschedule',
        'GET /api/scheduling/appointments/{appointmentId}/ics',
      ].sort(),
    );
  });
});
