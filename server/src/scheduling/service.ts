/**
 * Scheduling: free slots, holds, booking, cancelling, rescheduling, a patient's appointments and
 * their calendar files. Clinical data goes through the FHIR system facade (validated, audited);
 * who may is `policy.ts`.
 *
 * Every change is one SQLite transaction — the server's group commit, durable (WAL fsynced) before
 * anyone is answered: the Slot's status and the Appointment, the hold and the audit row commit
 * together or not at all. Its work is synchronous from reading the Slot to writing the Appointment,
 * so two requests for one slot are serialized and the second finds it busy (`slot_taken`); the Slot
 * write also carries `ifMatch` on the version it read, so a writer elsewhere (a FHIR client, a
 * second process) can never be overwritten silently.
 */
import type { Appointment, Patient, Slot } from '@medplum/fhirtypes';
import type {
  AppointmentListResponse,
  AppointmentView,
  AvailabilityResponse,
  AvailableSlot,
  BookAppointmentRequest,
  CancelAppointmentRequest,
  RescheduleResponse,
  SchedulingMode,
  SchedulingOptions,
  SlotHoldView,
} from '../contracts/scheduling.js';
import { MAX_AVAILABILITY_DAYS, SLOT_TAKEN_MESSAGE, type availabilityQuerySchema } from '../contracts/scheduling.js';
import type { SystemFhir } from '../fhir/index.js';
import { ResourceStore } from '../fhir/index.js';
import type { AuditEntry, AuditLog } from '../platform/audit/audit.js';
import type { AuditBatch } from '../platform/audit/batch.js';
import type { GroupCommit } from '../platform/db/index.js';
import { AppError, badRequest, conflict, notFound, notFoundMessage, validationFailed } from '../platform/errors.js';
import type { z } from 'zod';
import type { BookableDirectory, BookableSchedule, DirectorySnapshot } from './directory.js';
import type { HoldRepository } from './holds.js';
import { appointmentCalendar } from './ics.js';
import { authorizeHold, decideChange, decideRead, type AccessDecision, type ConversationPatients, type SchedulingActor } from './policy.js';
import { RESCHEDULED_FROM_URL, RESCHEDULED_TO_URL, appointmentView, locationFor, modeOf, patientOf, referenceId, slotView } from './presenters.js';
import type { SlotIndex } from './slot-index.js';
import { addDays, localDateOf, startOfLocalDate } from './time.js';

/** A person may hold this many slots at once (more would let one tab lock a calendar). */
export const MAX_HOLDS_PER_HOLDER = 5;
/** How many other times a `slot_taken` answer offers. */
const ALTERNATIVES = 10;
const ALTERNATIVE_DAYS = 14;
/** Past appointments listed as recent. */
const RECENT_DAYS = 180;
const MAX_LISTED = 200;
const DEFAULT_RANGE_DAYS = 13;
const BOOKABLE_STATUSES = new Set(['booked', 'pending', 'proposed']);

/** 409: the slot is booked or held by someone else; `availability` lists other free times. */
export class SlotTakenError extends AppError {
  constructor(readonly availability: AvailableSlot[] = []) {
    super('slot_taken', SLOT_TAKEN_MESSAGE);
  }
}

export interface SchedulingServiceDeps {
  fhir: Pick<SystemFhir, 'read' | 'search' | 'write'>;
  audit: Pick<AuditLog, 'record'>;
  auditBatch: Pick<AuditBatch, 'record'>;
  commits: Pick<GroupCommit, 'run'>;
  directory: Pick<BookableDirectory, 'current'>;
  /** Whether a conversation's verified patient is this one (the patients module); without it, staff need X-Access-Reason. */
  conversations?: ConversationPatients;
  index: Pick<SlotIndex, 'freeSlots'>;
  holds: HoldRepository;
  holdMinutes: number;
  timeZone: string;
  organizationName: string;
  /** The clock (tests move it to expire holds). */
  now?: () => number;
}

type ParsedAvailability = z.output<typeof availabilityQuerySchema>;
type Stored<T> = T & { id: string };

export class SchedulingService {
  private readonly now: () => number;

  constructor(private readonly deps: SchedulingServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  options(): SchedulingOptions {
    return { timeZone: this.deps.timeZone, holdMinutes: this.deps.holdMinutes, maxRangeDays: MAX_AVAILABILITY_DAYS, ...this.deps.directory.current().options };
  }

  // ---- availability ----------------------------------------------------------------------------

  availability(holderId: string | null, query: ParsedAvailability): AvailabilityResponse {
    const directory = this.deps.directory.current();
    const now = this.now();
    const today = localDateOf(now, this.deps.timeZone);
    const from = query.from ?? today;
    const to = query.to ?? addDays(from, DEFAULT_RANGE_DAYS);
    const days = (Date.parse(to) - Date.parse(from)) / 86_400_000;
    if (days < 0) throw validationFailed(`Invalid query: to: must not be before from (${from})`, { issues: [{ path: 'to', message: `must not be before from (${from})` }] });
    if (days > MAX_AVAILABILITY_DAYS) throw validationFailed(`Invalid query: to: must be at most ${MAX_AVAILABILITY_DAYS} days after from (${from})`, { issues: [{ path: 'to', message: `must be at most ${MAX_AVAILABILITY_DAYS} days after from` }] });
    const { schedules, mode } = this.matchingSchedules(directory, query);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const fromMs = Math.max(startOfLocalDate(from, this.deps.timeZone), now);
    const toMs = startOfLocalDate(addDays(to, 1), this.deps.timeZone);
    const rows = this.deps.index.freeSlots({
      scheduleIds: schedules.map((s) => s.scheduleId),
      fromIso: new Date(fromMs).toISOString(),
      toIso: new Date(toMs).toISOString(),
      ...(mode === undefined ? {} : { mode }),
      nowIso: new Date(now).toISOString(),
      holderId,
      ...(after ? { after } : {}),
      limit: query.limit + 1,
    });
    const more = rows.length > query.limit;
    const page = rows.slice(0, query.limit);
    const slots = this.present(page.map((r) => r.id), directory);
    const last = page.at(-1);
    return { from, to, timeZone: this.deps.timeZone, slots, nextCursor: more && last ? encodeCursor(last) : null };
  }

  /** Schedules the filters allow, and the visit mode they imply (a clinic means in person). */
  private matchingSchedules(directory: DirectorySnapshot, query: ParsedAvailability): { schedules: BookableSchedule[]; mode: SchedulingMode | undefined } {
    let mode: SchedulingMode | undefined = query.mode;
    let list = [...directory.schedules.values()];
    if (query.specialty !== undefined) {
      const code = query.specialty;
      if (!list.some((s) => s.specialtyCodes.has(code))) throw badRequest(`No clinician is bookable in specialty ${code}: pick one of GET /api/scheduling/options.`);
      list = list.filter((s) => s.specialtyCodes.has(code));
    }
    if (query.practitioner !== undefined) {
      const id = query.practitioner;
      if (!list.some((s) => s.practitioner.id === id) && ![...directory.schedules.values()].some((s) => s.practitioner.id === id)) throw notFoundMessage(`Practitioner ${id} has no bookable schedule.`);
      list = list.filter((s) => s.practitioner.id === id);
    }
    if (query.language !== undefined) {
      const wanted = query.language.toLowerCase().split('-')[0]!;
      list = list.filter((s) => s.languages.some((l) => l.code.toLowerCase().split('-')[0] === wanted));
    }
    if (query.location !== undefined) {
      const location = directory.locations.get(query.location);
      if (!location) throw notFound('Location', query.location);
      if (location.virtual) {
        if (mode === 'in-person') return { schedules: [], mode };
        mode = 'virtual';
      } else {
        if (mode === 'virtual') return { schedules: [], mode };
        mode = 'in-person';
        list = list.filter((s) => s.location?.id === location.id);
      }
    }
    if (mode !== undefined) list = list.filter((s) => s.modes.includes(mode));
    return { schedules: list, mode };
  }

  /** Views of these free slots, in this order (a slot changed since the index was read is left out). */
  private present(slotIds: readonly string[], directory: DirectorySnapshot): AvailableSlot[] {
    const out: AvailableSlot[] = [];
    for (const id of slotIds) {
      const slot = this.deps.fhir.read<Slot>('Slot', id);
      const schedule = slot ? directory.schedules.get(referenceId(slot.schedule, 'Schedule') ?? '') : undefined;
      if (slot && schedule && slot.status === 'free') out.push(slotView(slot, schedule, directory));
    }
    return out;
  }

  /** Other free times like this slot: same specialty (else the same clinician) and mode, the next two weeks. */
  alternativesTo(slotId: string, holderId: string | null): AvailableSlot[] {
    const directory = this.deps.directory.current();
    const slot = this.deps.fhir.read<Slot>('Slot', slotId);
    const schedule = slot ? directory.schedules.get(referenceId(slot.schedule, 'Schedule') ?? '') : undefined;
    if (!slot || !schedule) return [];
    const code = schedule.specialty?.code;
    const schedules = code ? [...directory.schedules.values()].filter((s) => s.specialtyCodes.has(code)) : [schedule];
    const now = this.now();
    const fromMs = Math.max(now, startOfLocalDate(localDateOf(Date.parse(slot.start ?? ''), this.deps.timeZone), this.deps.timeZone) || now);
    const rows = this.deps.index.freeSlots({
      scheduleIds: schedules.map((s) => s.scheduleId),
      fromIso: new Date(fromMs).toISOString(),
      toIso: new Date(fromMs + ALTERNATIVE_DAYS * 86_400_000).toISOString(),
      mode: modeOf(slot.serviceType),
      nowIso: new Date(now).toISOString(),
      holderId,
      excludeSlotId: slotId,
      limit: ALTERNATIVES,
    });
    return this.present(rows.map((r) => r.id), directory);
  }

  // ---- holds -----------------------------------------------------------------------------------

  async hold(actor: SchedulingActor, slotId: string): Promise<SlotHoldView> {
    authorizeHold(actor.principal);
    const holderId = actor.principal.userId;
    return this.withAlternatives(slotId, holderId, () =>
      this.deps.commits.run(() => {
        const now = this.now();
        const nowIso = new Date(now).toISOString();
        this.deps.holds.deleteExpired(nowIso);
        const { slot, schedule, directory } = this.bookableSlot(slotId, holderId, now);
        const expiresAt = new Date(now + this.deps.holdMinutes * 60_000).toISOString();
        const existing = this.deps.holds.bySlot(slotId);
        let id: string;
        if (existing && existing.holder_id === holderId) {
          this.deps.holds.extend(existing.id, expiresAt);
          id = existing.id;
        } else {
          if (this.deps.holds.liveCountOf(holderId, nowIso, slotId) >= MAX_HOLDS_PER_HOLDER) {
            throw conflict(`You are already holding ${MAX_HOLDS_PER_HOLDER} times: book or release one of them first.`);
          }
          id = this.deps.holds.put({ slotId, holderId, holderRole: actor.principal.role, nowIso, expiresAtIso: expiresAt }).id;
        }
        return { id, slotId, expiresAt, slot: slotView(slot, schedule, directory) };
      }),
    );
  }

  async releaseHold(actor: SchedulingActor, holdId: string): Promise<void> {
    await this.deps.commits.run(() => {
      const row = this.deps.holds.byId(holdId);
      // Someone else's hold is as good as unknown: its id says nothing to this caller.
      if (!row || row.holder_id !== actor.principal.userId) throw notFound('Hold', holdId);
      this.deps.holds.delete(holdId);
    });
  }

  /**
   * The slot, if this holder may take it now: it exists, belongs to a bookable schedule, is free,
   * has not started, and nobody else holds it. Runs inside the booking transaction.
   */
  private bookableSlot(slotId: string, holderId: string, now: number): { slot: Stored<Slot>; schedule: BookableSchedule; directory: DirectorySnapshot } {
    const directory = this.deps.directory.current();
    const slot = this.deps.fhir.read<Slot>('Slot', slotId);
    if (!slot) throw notFound('Slot', slotId);
    const schedule = directory.schedules.get(referenceId(slot.schedule, 'Schedule') ?? '');
    if (!schedule) throw notFoundMessage(`Slot ${slotId} is not on a bookable schedule.`);
    if (slot.status !== 'free') throw new SlotTakenError();
    if (Date.parse(slot.start ?? '') <= now) throw conflict('That time has already started: choose a later one.');
    const hold = this.deps.holds.bySlot(slotId);
    if (hold && hold.holder_id !== holderId && hold.expires_at > new Date(now).toISOString()) throw new SlotTakenError();
    return { slot, schedule, directory };
  }

  /** Runs `work`; a `slot_taken` refusal comes back with other free times. */
  private async withAlternatives<T>(slotId: string, holderId: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof SlotTakenError) throw new SlotTakenError(this.alternativesTo(slotId, holderId));
      throw err;
    }
  }

  // ---- appointments: read ----------------------------------------------------------------------

  async list(actor: SchedulingActor, patientId: string): Promise<AppointmentListResponse> {
    const access = await this.access(actor, patientId, decideRead, 'Appointment', null);
    this.requirePatient(patientId);
    const now = this.now();
    const since = new Date(now - RECENT_DAYS * 86_400_000).toISOString();
    const found = this.deps.fhir.search<Appointment>('Appointment', [['patient', `Patient/${patientId}`], ['date', `ge${since}`], ['_sort', 'date']], { limit: MAX_LISTED });
    const directory = this.deps.directory.current();
    const views = found.filter((a) => a.status !== 'entered-in-error').map((a) => appointmentView(a, directory, now));
    const upcoming = views.filter((v) => !v.past && BOOKABLE_STATUSES.has(v.status));
    const recent = views.filter((v) => !upcoming.includes(v)).reverse();
    await this.deps.auditBatch.record([
      this.entry(actor, access.reason, 'phi.read', 'Appointment', null, patientId, { interaction: 'scheduling.list', upcoming: upcoming.length, recent: recent.length }),
    ]);
    return { patientId, upcoming, recent };
  }

  async calendar(actor: SchedulingActor, appointmentId: string): Promise<{ filename: string; body: string }> {
    const appointment = this.deps.fhir.read<Appointment>('Appointment', appointmentId);
    const patientId = appointment ? patientOf(appointment) : null;
    if (!appointment || !patientId) throw notFound('Appointment', appointmentId);
    const access = await this.access(actor, patientId, decideRead, 'Appointment', appointmentId);
    const view = appointmentView(appointment, this.deps.directory.current(), this.now());
    const body = appointmentCalendar(view, { organization: this.deps.organizationName, sequence: Math.max(0, Number(appointment.meta?.versionId ?? 1) - 1) });
    await this.deps.auditBatch.record([this.entry(actor, access.reason, 'phi.read', 'Appointment', appointmentId, patientId, { interaction: 'scheduling.ics' })]);
    return { filename: `appointment-${view.start.slice(0, 10)}.ics`, body };
  }

  // ---- appointments: change --------------------------------------------------------------------

  async book(actor: SchedulingActor, input: BookAppointmentRequest): Promise<AppointmentView> {
    const access = await this.access(actor, input.patientId, decideChange, 'Appointment', null);
    const patient = this.requirePatient(input.patientId);
    const holderId = actor.principal.userId;
    const stored = await this.withAlternatives(input.slotId, holderId, () =>
      this.deps.commits.run(() => {
        const now = this.now();
        const taken = this.takeSlot(input.slotId, holderId, now);
        const appointment = this.deps.fhir.write(
          newAppointment({ id: ResourceStore.newId(), patient, taken, nowMs: now, directory: taken.directory, ...(input.note === undefined ? {} : { note: input.note }) }),
          { audit: null },
        );
        this.deps.audit.record(this.entry(actor, access.reason, 'scheduling.book', 'Appointment', appointment.id, input.patientId, { slotId: input.slotId, start: appointment.start }));
        return appointment;
      }),
    );
    return appointmentView(stored, this.deps.directory.current(), this.now());
  }

  async cancel(actor: SchedulingActor, appointmentId: string, input: CancelAppointmentRequest): Promise<AppointmentView> {
    const { patientId } = this.existingAppointment(appointmentId);
    const access = await this.access(actor, patientId, decideChange, 'Appointment', appointmentId);
    const stored = await this.deps.commits.run(() => {
      const now = this.now();
      const current = this.changeableAppointment(appointmentId, now);
      const cancelled = this.deps.fhir.write(
        { ...current, status: 'cancelled' as const, cancelationReason: { text: input.reason ?? (actor.principal.kind === 'patient' ? 'Cancelled by the patient' : 'Cancelled by the contact center') } },
        { audit: null, ifMatch: Number(current.meta?.versionId) },
      );
      const freed = this.freeSlotsOf(current, now);
      this.deps.audit.record(this.entry(actor, access.reason, 'scheduling.cancel', 'Appointment', appointmentId, patientId, { slotsFreed: freed, ...(input.reason ? { reason: input.reason } : {}) }));
      return cancelled;
    });
    return appointmentView(stored, this.deps.directory.current(), this.now());
  }

  /**
   * A new Appointment on the new slot, and the old one cancelled, both in one transaction; the two
   * are linked by extensions (the new one `rescheduled-from` the old, the old `rescheduled-to` the
   * new), so the history stays readable and the old slot is free again.
   */
  async reschedule(actor: SchedulingActor, appointmentId: string, slotId: string): Promise<RescheduleResponse> {
    const { patientId } = this.existingAppointment(appointmentId);
    const access = await this.access(actor, patientId, decideChange, 'Appointment', appointmentId);
    const patient = this.requirePatient(patientId);
    const holderId = actor.principal.userId;
    const { next, previous } = await this.withAlternatives(slotId, holderId, () =>
      this.deps.commits.run(() => {
        const now = this.now();
        const current = this.changeableAppointment(appointmentId, now);
        if (referenceId(current.slot?.[0], 'Slot') === slotId) throw conflict('The appointment is already at that time: choose another one.');
        const taken = this.takeSlot(slotId, holderId, now);
        const nextId = ResourceStore.newId();
        const next = this.deps.fhir.write(
          {
            ...newAppointment({ id: nextId, patient, taken, nowMs: now, directory: taken.directory, ...(current.comment ? { note: current.comment } : {}) }),
            extension: [{ url: RESCHEDULED_FROM_URL, valueReference: { reference: `Appointment/${appointmentId}` } }],
          },
          { audit: null },
        );
        const previous = this.deps.fhir.write(
          {
            ...current,
            status: 'cancelled' as const,
            cancelationReason: { text: 'Rescheduled' },
            extension: [...(current.extension ?? []).filter((e) => e.url !== RESCHEDULED_TO_URL), { url: RESCHEDULED_TO_URL, valueReference: { reference: `Appointment/${nextId}` } }],
          },
          { audit: null, ifMatch: Number(current.meta?.versionId) },
        );
        this.freeSlotsOf(current, now);
        this.deps.audit.record(this.entry(actor, access.reason, 'scheduling.reschedule', 'Appointment', nextId, patientId, { from: appointmentId, to: nextId, slotId, start: next.start }));
        return { next, previous };
      }),
    );
    const directory = this.deps.directory.current();
    return { appointment: appointmentView(next, directory, this.now()), previous: appointmentView(previous, directory, this.now()) };
  }

  /** Marks the slot busy (at the version read) and lets go of the holder's hold on it. */
  private takeSlot(slotId: string, holderId: string, now: number): TakenSlot {
    const { slot, schedule, directory } = this.bookableSlot(slotId, holderId, now);
    const busy = this.deps.fhir.write({ ...slot, status: 'busy' as const }, { audit: null, ifMatch: Number(slot.meta?.versionId) });
    this.deps.holds.deleteForSlot(slotId);
    return { slot: busy, schedule, directory };
  }

  /** The appointment's slots that have not started go back to free. */
  private freeSlotsOf(appointment: Appointment, now: number): number {
    let freed = 0;
    for (const ref of appointment.slot ?? []) {
      const id = referenceId(ref, 'Slot');
      const slot = id ? this.deps.fhir.read<Slot>('Slot', id) : undefined;
      if (!slot || slot.status !== 'busy' || Date.parse(slot.start ?? '') <= now) continue;
      this.deps.fhir.write({ ...slot, status: 'free' as const }, { audit: null, ifMatch: Number(slot.meta?.versionId) });
      freed += 1;
    }
    return freed;
  }

  private existingAppointment(id: string): { appointment: Stored<Appointment>; patientId: string } {
    const appointment = this.deps.fhir.read<Appointment>('Appointment', id);
    const patientId = appointment ? patientOf(appointment) : null;
    if (!appointment || !patientId) throw notFound('Appointment', id);
    return { appointment, patientId };
  }

  /** The appointment as it is now, if it can still be cancelled or moved. */
  private changeableAppointment(id: string, now: number): Stored<Appointment> {
    const current = this.existingAppointment(id).appointment;
    if (current.status === 'cancelled') throw conflict('That appointment is already cancelled.');
    if (!BOOKABLE_STATUSES.has(current.status)) throw conflict(`That appointment is ${current.status}: it can no longer be changed.`);
    if (Date.parse(current.start ?? '') <= now) throw conflict('That appointment has already started: it can no longer be changed here.');
    return current;
  }

  private requirePatient(id: string): Stored<Patient> {
    const patient = this.deps.fhir.read<Patient>('Patient', id);
    if (!patient) throw notFound('Patient', id);
    return patient;
  }

  /** The policy's decision; a patient reaching for someone else's data is refused and audited. */
  private async access(
    actor: SchedulingActor,
    patientId: string,
    decide: AccessDecision,
    resourceType: string,
    resourceId: string | null,
  ): Promise<{ reason: string }> {
    const decision = decide(actor, patientId, this.deps.conversations);
    if (decision.ok) return decision;
    await this.deps.auditBatch.record([{ ...this.entry(actor, null, 'access.denied', resourceType, resourceId, patientId, { interaction: 'scheduling' }), outcome: 'denied' }]);
    throw decision.error;
  }

  private entry(actor: SchedulingActor, reason: string | null, action: string, resourceType: string, resourceId: string | null, patientId: string, details: Record<string, unknown>): AuditEntry {
    return {
      actorId: actor.principal.userId,
      actorRole: actor.principal.role,
      action,
      resourceType,
      resourceId,
      patientId,
      reason: reason ?? actor.reason ?? null,
      ip: actor.ip,
      requestId: actor.requestId,
      details,
    };
  }
}

interface TakenSlot {
  slot: Stored<Slot>;
  schedule: BookableSchedule;
  directory: DirectorySnapshot;
}

function newAppointment(input: { id: string; patient: Stored<Patient>; taken: TakenSlot; nowMs: number; directory: DirectorySnapshot; note?: string }): Stored<Appointment> {
  const { slot, schedule } = input.taken;
  const mode = modeOf(slot.serviceType);
  const location = locationFor(mode, schedule, input.directory);
  const participant: NonNullable<Appointment['participant']> = [
    { actor: { reference: `Patient/${input.patient.id}` }, required: 'required', status: 'accepted' },
    { actor: { reference: `Practitioner/${schedule.practitioner.id}`, display: schedule.practitioner.name }, required: 'required', status: 'accepted' },
  ];
  if (mode === 'in-person' && location) participant.push({ actor: { reference: `Location/${location.id}`, display: location.name }, required: 'required', status: 'accepted' });
  const start = slot.start!;
  const end = slot.end ?? start;
  const specialty = slot.specialty ?? (schedule.specialty ? [{ coding: [{ code: schedule.specialty.code, display: schedule.specialty.display }], text: schedule.specialty.display }] : undefined);
  return {
    resourceType: 'Appointment',
    id: input.id,
    status: 'booked',
    ...(slot.serviceType ? { serviceType: slot.serviceType } : {}),
    ...(specialty ? { specialty } : {}),
    ...(slot.appointmentType ? { appointmentType: slot.appointmentType } : {}),
    description: `${mode === 'virtual' ? 'Video visit' : 'Office visit'} with ${schedule.practitioner.name}`,
    start,
    end,
    minutesDuration: Math.max(1, Math.round((Date.parse(end) - Date.parse(start)) / 60_000)),
    slot: [{ reference: `Slot/${slot.id}` }],
    created: new Date(input.nowMs).toISOString(),
    ...(input.note ? { comment: input.note } : {}),
    patientInstruction: mode === 'virtual' ? 'Join from the link in the patient portal 10 minutes early.' : 'Please arrive 15 minutes early and bring your insurance card.',
    participant,
  };
}

function encodeCursor(row: { start: string; id: string }): string {
  return Buffer.from(`${row.start}|${row.id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { start: string; id: string } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)\|([A-Za-z0-9\-.]{1,64})$/.exec(text);
  if (!m) throw validationFailed('Invalid query: cursor: is not a cursor from a previous page', { issues: [{ path: 'cursor', message: 'is not a cursor from a previous page' }] });
  return { start: m[1]!, id: m[2]! };
}
