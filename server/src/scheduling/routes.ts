/**
 * `/api/scheduling/…`: options, availability, holds, appointments (list, book, cancel, reschedule)
 * and an appointment's calendar file. Each route: access rule → validate → service → present.
 */
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import {
  appointmentFileQuerySchema,
  appointmentListQuerySchema,
  availabilityQuerySchema,
  bookAppointmentRequestSchema,
  cancelAppointmentRequestSchema,
  createHoldRequestSchema,
  rescheduleAppointmentRequestSchema,
  type AppointmentResponse,
  type CreateHoldResponse,
  type SlotTakenResponse,
} from '../contracts/scheduling.js';
import { addGuardedRoute, roles, signedIn } from '../platform/auth/access.js';
import { accessReason } from '../platform/auth/phi-access.js';
import type { Principal } from '../platform/auth/principal.js';
import { notFound, unauthorized } from '../platform/errors.js';
import type { OpenApiRegistry } from '../platform/http/openapi.js';
import { requestMeta } from '../platform/http/request-meta.js';
import { parseInput } from '../platform/http/validation.js';
import { APPOINTMENT_READER_ROLES, SCHEDULER_ROLES, type SchedulingActor } from './policy.js';
import { SlotTakenError, type SchedulingService } from './service.js';

const idParam = z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/);
const holdIdParam = z.string().uuid();
const tags = ['scheduling'];
const changers = roles(...SCHEDULER_ROLES, 'patient');
const readers = roles(...APPOINTMENT_READER_ROLES, 'patient');
const slotTaken = { description: '`slot_taken`: booked or held by someone else meanwhile; `availability` lists other free times (SlotTakenResponse)' };

/** Who acts, why (X-Access-Reason) and in which chat, if they name one. */
function actorOf(req: Request, conversationId?: string): SchedulingActor {
  const principal: Principal | undefined = req.principal;
  if (!principal) throw unauthorized();
  const meta = requestMeta(req);
  return { principal, reason: accessReason(req), requestId: meta.requestId, ip: meta.ip, ...(conversationId === undefined ? {} : { conversationId }) };
}

function pathId(req: Request, name: string, kind: string): string {
  const parsed = idParam.safeParse(req.params[name]);
  if (!parsed.success) throw notFound(kind);
  return parsed.data;
}

/** Answers `slot_taken` with the fresh availability beside the error. */
async function answering(res: Response, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    if (!(err instanceof SlotTakenError)) throw err;
    const body: SlotTakenResponse = { error: { code: 'slot_taken', message: err.message }, availability: err.availability };
    res.status(409).json(body);
  }
}

export function registerSchedulingRoutes(api: Router, ctx: { openapi: OpenApiRegistry; service: SchedulingService }): void {
  const route = addGuardedRoute.bind(null, api, ctx.openapi);
  const { service } = ctx;

  route(
    {
      method: 'get',
      path: '/scheduling/options',
      summary: 'What the appointment search form offers: specialties, clinicians, locations, languages, modes, the time zone and hold length',
      tags,
      access: signedIn,
      responses: { 200: { description: 'SchedulingOptions' } },
    },
    (_req, res) => {
      res.setHeader('Cache-Control', 'private, max-age=60');
      res.json(service.options());
    },
  );

  route(
    {
      method: 'get',
      path: '/scheduling/availability',
      summary: 'Free appointment slots by specialty, clinician, location, language, in person or virtual, and dates (at most 60 days), sorted by start, paged',
      tags,
      access: signedIn,
      query: availabilityQuerySchema,
      responses: {
        200: { description: 'AvailabilityResponse: slots with clinician, specialty, location, languages, mode; `nextCursor`' },
        400: { description: 'A malformed filter, `to` before `from`, a range over 60 days, or a specialty nobody is bookable in' },
        404: { description: 'An unknown practitioner or location' },
      },
    },
    (req, res) => {
      const query = parseInput(availabilityQuerySchema, req.query, 'query');
      res.setHeader('Cache-Control', 'private, no-store');
      res.json(service.availability(actorOf(req).principal.userId, query));
    },
  );

  route(
    {
      method: 'post',
      path: '/scheduling/holds',
      summary: 'Hold a free slot for a few minutes (SCHEDULING_HOLD_MINUTES, default 5) while the booking is confirmed; holding it again extends the hold',
      tags,
      access: changers,
      body: createHoldRequestSchema,
      responses: {
        201: { description: '`{ hold }`: its id, the slot and when it expires' },
        400: { description: 'A malformed body' },
        404: { description: 'Unknown slot' },
        409: { description: `${slotTaken.description}; or the time has started; or five holds already` },
      },
    },
    async (req, res) => {
      const body = parseInput(createHoldRequestSchema, req.body);
      await answering(res, async () => {
        const hold = await service.hold(actorOf(req), body.slotId);
        const response: CreateHoldResponse = { hold };
        res.status(201).json(response);
      });
    },
  );

  route(
    {
      method: 'delete',
      path: '/scheduling/holds/:holdId',
      summary: 'Release your hold on a slot',
      tags,
      access: changers,
      responses: { 204: { description: 'Released' }, 404: { description: 'No such hold of yours' } },
    },
    async (req, res) => {
      const id = holdIdParam.safeParse(req.params.holdId);
      if (!id.success) throw notFound('Hold');
      await service.releaseHold(actorOf(req), id.data);
      res.status(204).end();
    },
  );

  route(
    {
      method: 'get',
      path: '/scheduling/appointments',
      summary: "A patient's upcoming and recent appointments (staff: the chat with the verified patient as `conversationId`, or X-Access-Reason; patients: their own); audited",
      tags,
      access: readers,
      query: appointmentListQuerySchema,
      responses: {
        200: { description: 'AppointmentListResponse' },
        400: { description: 'No or a malformed `patient`' },
        403: { description: 'No X-Access-Reason (reason_required), or another patient' },
        404: { description: 'Unknown patient' },
      },
    },
    async (req, res) => {
      const query = parseInput(appointmentListQuerySchema, req.query, 'query');
      const list = await service.list(actorOf(req, query.conversationId), query.patient);
      res.setHeader('Cache-Control', 'private, no-store');
      res.json(list);
    },
  );

  route(
    {
      method: 'post',
      path: '/scheduling/appointments',
      summary: 'Book a slot for a patient: the Appointment and the busy Slot in one transaction; audited',
      tags,
      access: changers,
      body: bookAppointmentRequestSchema,
      responses: {
        201: { description: '`{ appointment }`' },
        400: { description: 'A malformed body' },
        403: { description: 'No X-Access-Reason (reason_required), or another patient' },
        404: { description: 'Unknown patient or slot' },
        409: { description: `${slotTaken.description}; or the time has started` },
      },
    },
    async (req, res) => {
      const body = parseInput(bookAppointmentRequestSchema, req.body);
      await answering(res, async () => {
        const appointment = await service.book(actorOf(req, body.conversationId), body);
        const response: AppointmentResponse = { appointment };
        res.status(201).location(appointment.icsPath.replace(/\/ics$/, '')).json(response);
      });
    },
  );

  route(
    {
      method: 'post',
      path: '/scheduling/appointments/:appointmentId/cancel',
      summary: 'Cancel an upcoming appointment; its slot is free again; audited',
      tags,
      access: changers,
      body: cancelAppointmentRequestSchema,
      responses: {
        200: { description: '`{ appointment }` (status cancelled)' },
        400: { description: 'A malformed body' },
        403: { description: 'No X-Access-Reason, or another patient' },
        404: { description: 'Unknown appointment' },
        409: { description: 'Already cancelled, started or otherwise closed' },
      },
    },
    async (req, res) => {
      const id = pathId(req, 'appointmentId', 'Appointment');
      const body = parseInput(cancelAppointmentRequestSchema, req.body ?? {});
      const appointment = await service.cancel(actorOf(req, body.conversationId), id, body);
      const response: AppointmentResponse = { appointment };
      res.json(response);
    },
  );

  route(
    {
      method: 'post',
      path: '/scheduling/appointments/:appointmentId/reschedule',
      summary: 'Move an upcoming appointment to another slot: a new Appointment is booked and the old one cancelled and linked to it, in one transaction; audited',
      tags,
      access: changers,
      body: rescheduleAppointmentRequestSchema,
      responses: {
        201: { description: '`{ appointment, previous }`: the new booking and the cancelled one' },
        400: { description: 'A malformed body' },
        403: { description: 'No X-Access-Reason, or another patient' },
        404: { description: 'Unknown appointment or slot' },
        409: { description: `${slotTaken.description}; or the appointment cannot change (cancelled, started) or is already at that time` },
      },
    },
    async (req, res) => {
      const id = pathId(req, 'appointmentId', 'Appointment');
      const body = parseInput(rescheduleAppointmentRequestSchema, req.body);
      await answering(res, async () => {
        const result = await service.reschedule(actorOf(req, body.conversationId), id, body.slotId);
        res.status(201).json(result);
      });
    },
  );

  route(
    {
      method: 'get',
      path: '/scheduling/appointments/:appointmentId/ics',
      summary: 'The appointment as a calendar file (text/calendar, times in UTC) for the patient themself or staff with X-Access-Reason; audited',
      tags,
      access: readers,
      query: appointmentFileQuerySchema,
      responses: {
        200: { description: 'text/calendar' },
        403: { description: 'No X-Access-Reason, or another patient' },
        404: { description: 'Unknown appointment' },
      },
    },
    async (req, res) => {
      const id = pathId(req, 'appointmentId', 'Appointment');
      const query = parseInput(appointmentFileQuerySchema, req.query, 'query');
      const file = await service.calendar(actorOf(req, query.conversationId), id);
      res.setHeader('Cache-Control', 'private, no-store');
      res.setHeader('Content-Disposition', `attachment; filename="${file.filename}"`);
      res.type('text/calendar; charset=utf-8').send(file.body);
    },
  );
}
