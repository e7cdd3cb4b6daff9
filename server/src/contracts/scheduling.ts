/**
 * Scheduling: free appointment slots, holds while someone confirms, booking, cancelling,
 * rescheduling and a calendar file. Pure zod, no runtime dependencies.
 *
 * - `GET /api/scheduling/options` → `SchedulingOptions` (what the search form offers)
 * - `GET /api/scheduling/availability?specialty&practitioner&location&language&mode&from&to&limit&cursor`
 *   → `AvailabilityResponse` (free slots sorted by start, paged by `cursor`)
 * - `POST /api/scheduling/holds` `CreateHoldRequest` → `201 { hold }`; `DELETE /api/scheduling/holds/:id` → 204
 * - `GET /api/scheduling/appointments?patient=` → `AppointmentListResponse`
 * - `POST /api/scheduling/appointments` `BookAppointmentRequest` → `201 { appointment }`
 * - `POST /api/scheduling/appointments/:id/cancel` `CancelAppointmentRequest` → `{ appointment }`
 * - `POST /api/scheduling/appointments/:id/reschedule` `RescheduleAppointmentRequest` → `201 { appointment, previous }`
 * - `GET /api/scheduling/appointments/:id/ics` → `text/calendar`
 *
 * Staff state why they read or change a patient's appointments: in a chat with the verified patient,
 * `conversationId` (query or body) is the reason; otherwise the `X-Access-Reason` header.
 *
 * A slot someone else booked or holds is a 409 `SlotTakenResponse`: the error and fresh availability.
 */
import { z } from 'zod';

export const SCHEDULING_MODES = ['in-person', 'virtual'] as const;
export type SchedulingMode = (typeof SCHEDULING_MODES)[number];

/** The widest availability search, in days from `from` to `to`. */
export const MAX_AVAILABILITY_DAYS = 60;
export const SLOT_TAKEN_MESSAGE = 'That time was just taken by someone else. Here are other times that are free now.';

const DAY_MS = 86_400_000;
const fhirId = z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/, 'must be an id (letters, digits, - and ., at most 64)');
const localDate = z.iso.date({ message: 'must be a date such as 2025-03-01' });
/**
 * The chat the staff member is in with this patient: once the patient is verified there, the
 * conversation is the reason for the access (no X-Access-Reason needed), as for the patient 360.
 */
const conversationId = z.string().uuid().optional();

export const availabilityQuerySchema = z
  .strictObject({
    /** A specialty code from `options.specialties`. */
    specialty: z.string().regex(/^[A-Za-z0-9.-]{1,64}$/, 'must be a specialty code').optional(),
    /** A Practitioner id. */
    practitioner: fhirId.optional(),
    /** A Location id (the virtual-care location means virtual visits). */
    location: fhirId.optional(),
    /** A language the practitioner speaks (BCP 47, e.g. `es`). */
    language: z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language code such as es').optional(),
    mode: z.enum(SCHEDULING_MODES).optional(),
    /** First day (the clinic's local date; default today). */
    from: localDate.optional(),
    /** Last day, inclusive (default 13 days after `from`); at most 60 days after `from`. */
    to: localDate.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    /** `nextCursor` of the previous page. */
    cursor: z.string().regex(/^[A-Za-z0-9_-]{1,300}$/, 'is not a cursor from a previous page').optional(),
  })
  .superRefine((q, ctx) => {
    if (q.from === undefined || q.to === undefined) return;
    const days = (Date.parse(q.to) - Date.parse(q.from)) / DAY_MS;
    if (days < 0) ctx.addIssue({ code: 'custom', path: ['to'], message: `must not be before from (${q.from})` });
    else if (days > MAX_AVAILABILITY_DAYS) ctx.addIssue({ code: 'custom', path: ['to'], message: `must be at most ${MAX_AVAILABILITY_DAYS} days after from` });
  });
export type AvailabilityQuery = z.input<typeof availabilityQuerySchema>;

export interface NamedRef {
  id: string;
  name: string;
}
export interface CodeDisplay {
  code: string;
  display: string;
}
export interface SlotLocation extends NamedRef {
  /** One line ("1450 E Colfax Ave, Denver, CO 80218"); null for virtual care. */
  address: string | null;
  virtual: boolean;
}

/** A free slot, with what a person choosing a time needs to know. */
export interface AvailableSlot {
  slotId: string;
  start: string;
  end: string;
  minutes: number;
  mode: SchedulingMode;
  practitioner: NamedRef;
  specialty: CodeDisplay | null;
  location: SlotLocation | null;
  /** Languages the practitioner speaks. */
  languages: CodeDisplay[];
  /** Routine, follow-up, check-up… */
  appointmentType: string | null;
  /** The service (Primary care, Cardiology…). */
  service: string | null;
}

export interface AvailabilityResponse {
  /** The range searched, in the clinic's local dates. */
  from: string;
  to: string;
  timeZone: string;
  slots: AvailableSlot[];
  /** Pass as `cursor` for the next page; null on the last. */
  nextCursor: string | null;
}

export interface SchedulingOptions {
  timeZone: string;
  holdMinutes: number;
  maxRangeDays: number;
  specialties: CodeDisplay[];
  practitioners: Array<NamedRef & { specialty: string | null; languages: string[]; locationIds: string[]; modes: SchedulingMode[] }>;
  locations: Array<NamedRef & { virtual: boolean }>;
  languages: CodeDisplay[];
  modes: SchedulingMode[];
}

export const createHoldRequestSchema = z.strictObject({ slotId: fhirId });
export type CreateHoldRequest = z.input<typeof createHoldRequestSchema>;

export interface SlotHoldView {
  id: string;
  slotId: string;
  expiresAt: string;
  slot: AvailableSlot;
}
export interface CreateHoldResponse {
  hold: SlotHoldView;
}

export const appointmentListQuerySchema = z.strictObject({ patient: fhirId, conversationId });
export const appointmentFileQuerySchema = z.strictObject({ conversationId });

export const bookAppointmentRequestSchema = z.strictObject({
  patientId: fhirId,
  slotId: fhirId,
  /** A note for the care team (the reason for the visit), at most 500 characters. */
  note: z.string().trim().min(1).max(500).optional(),
  conversationId,
});
export type BookAppointmentRequest = z.input<typeof bookAppointmentRequestSchema>;

export const cancelAppointmentRequestSchema = z.strictObject({
  reason: z.string().trim().min(1).max(300).optional(),
  conversationId,
});
export type CancelAppointmentRequest = z.input<typeof cancelAppointmentRequestSchema>;

export const rescheduleAppointmentRequestSchema = z.strictObject({ slotId: fhirId, conversationId });
export type RescheduleAppointmentRequest = z.input<typeof rescheduleAppointmentRequestSchema>;

export interface AppointmentView {
  id: string;
  /** FHIR Appointment.status: booked, cancelled, fulfilled, noshow… */
  status: string;
  start: string;
  end: string;
  minutes: number;
  mode: SchedulingMode;
  patientId: string;
  practitioner: NamedRef | null;
  specialty: CodeDisplay | null;
  location: SlotLocation | null;
  description: string | null;
  patientInstruction: string | null;
  note: string | null;
  cancellationReason: string | null;
  /** The appointment this one replaced (a reschedule), and the one that replaced it. */
  rescheduledFrom: string | null;
  rescheduledTo: string | null;
  slotId: string | null;
  /** Same-site path of its calendar file (needs the patient's or a staff member's sign-in). */
  icsPath: string;
  /** True when it has started or ended. */
  past: boolean;
}

export interface AppointmentListResponse {
  patientId: string;
  /** Booked and not yet started, soonest first. */
  upcoming: AppointmentView[];
  /** Past ones (last 180 days) and cancelled ones, latest first. */
  recent: AppointmentView[];
}
export interface AppointmentResponse {
  appointment: AppointmentView;
}
export interface RescheduleResponse {
  /** The new booking. */
  appointment: AppointmentView;
  /** The old one, now cancelled and linked to the new one. */
  previous: AppointmentView;
}

/** 409 when the slot was just booked or is held by someone else. */
export interface SlotTakenResponse {
  error: { code: 'slot_taken'; message: string };
  availability: AvailableSlot[];
}
