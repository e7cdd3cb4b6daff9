/**
 * Slots and Appointments as the API shows them (contracts/scheduling.ts): names, places and modes a
 * person choosing or reading a time needs — never a stored resource as is.
 */
import type { Appointment, CodeableConcept, Extension, Reference, Slot } from '@medplum/fhirtypes';
import type { AppointmentView, AvailableSlot, SchedulingMode, SlotLocation } from '../contracts/scheduling.js';
import { codeDisplay, modesOf, serviceOf, type BookableSchedule, type DirectorySnapshot } from './directory.js';

/** Extensions linking a rescheduled Appointment and the one that replaced it (valueReference). */
export const RESCHEDULED_FROM_URL = 'urn:carebridge:extension:appointment-rescheduled-from';
export const RESCHEDULED_TO_URL = 'urn:carebridge:extension:appointment-rescheduled-to';

const APPOINTMENT_REASON_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v2-0276';
const APPOINTMENT_TYPE_WORDS: Record<string, string> = { ROUTINE: 'Routine', FOLLOWUP: 'Follow-up', CHECKUP: 'Check-up', WALKIN: 'Walk-in', EMERGENCY: 'Urgent' };

/** A Slot's or an Appointment's one mode: virtual when its serviceType says VR (and not also AMB). */
export function modeOf(serviceType: readonly CodeableConcept[] | undefined): SchedulingMode {
  const modes = modesOf(serviceType);
  return modes.length === 1 && modes[0] === 'virtual' ? 'virtual' : 'in-person';
}

function appointmentTypeOf(concept: CodeableConcept | undefined): string | null {
  if (!concept) return null;
  const coding = concept.coding?.find((c) => c.system === APPOINTMENT_REASON_SYSTEM && c.code && APPOINTMENT_TYPE_WORDS[c.code]);
  if (coding) return APPOINTMENT_TYPE_WORDS[coding.code!]!;
  return concept.text ?? concept.coding?.[0]?.display ?? null;
}

const minutesBetween = (start: string, end: string) => Math.max(0, Math.round((Date.parse(end) - Date.parse(start)) / 60_000));

/** Where a visit of this mode with this schedule happens. */
export function locationFor(mode: SchedulingMode, schedule: BookableSchedule | undefined, directory: DirectorySnapshot): SlotLocation | null {
  return mode === 'virtual' ? directory.virtualLocation : (schedule?.location ?? null);
}

export function slotView(slot: Slot & { id: string }, schedule: BookableSchedule, directory: DirectorySnapshot): AvailableSlot {
  const mode = modeOf(slot.serviceType);
  const start = slot.start ?? '';
  const end = slot.end ?? start;
  const specialty = slot.specialty?.[0] ? codeDisplay(slot.specialty[0]) : null;
  return {
    slotId: slot.id,
    start,
    end,
    minutes: minutesBetween(start, end),
    mode,
    practitioner: schedule.practitioner,
    specialty: specialty ?? schedule.specialty,
    location: locationFor(mode, schedule, directory),
    languages: schedule.languages,
    appointmentType: appointmentTypeOf(slot.appointmentType),
    service: serviceOf(slot.serviceType) ?? schedule.service,
  };
}

export function referenceId(ref: Reference | undefined, type: string): string | null {
  const m = /^([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(ref?.reference ?? '');
  return m && m[1] === type ? m[2]! : null;
}

export function actorId(appointment: Appointment, type: string): string | null {
  for (const p of appointment.participant ?? []) {
    const id = referenceId(p.actor, type);
    if (id) return id;
  }
  return null;
}

export function patientOf(appointment: Appointment): string | null {
  return actorId(appointment, 'Patient');
}

function linked(extensions: readonly Extension[] | undefined, url: string): string | null {
  const ext = extensions?.find((e) => e.url === url);
  return ext ? referenceId(ext.valueReference, 'Appointment') : null;
}

export function appointmentView(appointment: Appointment & { id: string }, directory: DirectorySnapshot, nowMs: number): AppointmentView {
  const mode = modeOf(appointment.serviceType);
  const practitionerId = actorId(appointment, 'Practitioner');
  const practitionerParticipant = appointment.participant?.find((p) => referenceId(p.actor, 'Practitioner'));
  const known = practitionerId ? [...directory.schedules.values()].find((s) => s.practitioner.id === practitionerId) : undefined;
  const locationId = actorId(appointment, 'Location');
  const location = locationId ? (directory.locations.get(locationId) ?? { id: locationId, name: appointment.participant?.find((p) => referenceId(p.actor, 'Location'))?.actor?.display ?? 'Clinic', address: null, virtual: false }) : mode === 'virtual' ? directory.virtualLocation : null;
  const start = appointment.start ?? '';
  const end = appointment.end ?? start;
  return {
    id: appointment.id,
    status: appointment.status,
    start,
    end,
    minutes: appointment.minutesDuration ?? minutesBetween(start, end),
    mode,
    patientId: patientOf(appointment) ?? '',
    practitioner: practitionerId ? { id: practitionerId, name: known?.practitioner.name ?? practitionerParticipant?.actor?.display ?? 'Clinician' } : null,
    specialty: appointment.specialty?.[0] ? codeDisplay(appointment.specialty[0]) : (known?.specialty ?? null),
    location,
    description: appointment.description ?? null,
    patientInstruction: appointment.patientInstruction ?? null,
    note: appointment.comment ?? null,
    cancellationReason: appointment.status === 'cancelled' ? (appointment.cancelationReason?.text ?? appointment.cancelationReason?.coding?.[0]?.display ?? null) : null,
    rescheduledFrom: linked(appointment.extension, RESCHEDULED_FROM_URL),
    rescheduledTo: linked(appointment.extension, RESCHEDULED_TO_URL),
    slotId: referenceId(appointment.slot?.[0], 'Slot'),
    icsPath: `/api/scheduling/appointments/${appointment.id}/ics`,
    past: start !== '' && Date.parse(start) <= nowMs,
  };
}
