/**
 * The `clinic` data connection: the clinic's own services, served in this process for the built-in
 * scenarios (health-bot/scenarios). A dataConnection step names it and a path; the request carries
 * the conversation and its signed-in patient, and every patient action is done *as that patient*
 * (the same access rules and audit rows as the portal), never as a privileged bot.
 *
 *   GET  /knowledge?q=&language=            patient-audience articles (public)
 *   GET  /doctors?specialty=&language=      practitioners, with their next free slot (public)
 *   GET  /availability?specialty=&practitioner=&mode=   the next free slots (public)
 *   GET  /appointments                      the patient's upcoming appointments      (signed in)
 *   POST /appointments { slotId, note? }    book                                      (signed in)
 *   POST /appointments/:id/cancel { reason? }                                          (signed in)
 *   POST /appointments/:id/reschedule { slotId }                                       (signed in)
 *   POST /refill-requests { medication, pharmacy?, note? }  a Task for the care team  (signed in)
 *   POST /feedback { rating, comment? }     a QuestionnaireResponse                    (anyone)
 *   POST /forget-me                         deletes what the bot keeps about this user (anyone)
 *
 * Answers are `{ status, body }` like HTTP: 401 `{ error }` for a visitor where a patient must be
 * signed in, 400 for a body that fails its schema, 404 for an unknown path, 409 for a slot just taken.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Resource } from '@medplum/fhirtypes';
import type { KnowledgeSearchResponse } from '../contracts/knowledge.js';
import type { AvailabilityResponse, AvailableSlot, SchedulingOptions } from '../contracts/scheduling.js';
import type { Principal } from '../platform/auth/principal.js';
import type { AuditEntry } from '../platform/audit/audit.js';
import { AppError } from '../platform/errors.js';
import type { Logger } from '../platform/logging.js';
import type { ConnectionRequest, InProcessConnection } from './engine.js';

/** The scheduling calls the connection makes (SchedulingService). */
export interface ClinicScheduling {
  options(): SchedulingOptions;
  availability(holderId: string | null, query: { specialty?: string; practitioner?: string; mode?: 'in-person' | 'virtual'; language?: string; limit: number }): AvailabilityResponse;
  list(actor: ClinicActor, patientId: string): Promise<{ upcoming: AppointmentLike[] }>;
  book(actor: ClinicActor, input: { patientId: string; slotId: string; note?: string }): Promise<AppointmentLike>;
  cancel(actor: ClinicActor, appointmentId: string, input: { reason?: string }): Promise<AppointmentLike>;
  reschedule(actor: ClinicActor, appointmentId: string, slotId: string): Promise<{ appointment: AppointmentLike }>;
}

interface AppointmentLike {
  id: string;
  start: string;
  status: string;
  practitioner: { name: string } | null;
  specialty: { display: string } | null;
  location: { name: string } | null;
  mode: string;
}

export interface ClinicActor {
  principal: Principal;
  reason: string | undefined;
  requestId: string | null;
  ip: string | null;
}

export interface ClinicConnectionDeps {
  knowledge: { search(viewer: { kind: 'public' }, query: { q: string; audience: 'patient'; language?: 'en' | 'es'; limit: number }): Promise<KnowledgeSearchResponse> };
  scheduling: ClinicScheduling;
  fhir: { write<T extends Resource & { id: string }>(resource: T, options: { now?: string; audit: AuditEntry | null }): T };
  /** Deletes the bot's user-scope variables of a user key (`patient:…` or `user:…`). */
  forgetUser(userKey: string): Promise<void>;
  timeZone: string;
  logger: Pick<Logger, 'warn'>;
  now?: () => Date;
}

type Reply = { status: number; body: unknown };

const ok = (body: unknown, status = 200): Reply => ({ status, body });
const problem = (status: number, error: string): Reply => ({ status, body: { error } });
/** A 400 naming each field that failed its schema. */
const invalid = (error: z.ZodError): Reply => problem(400, error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));

const fhirId = z.string().regex(/^[A-Za-z0-9.-]{1,64}$/, 'must be an id');
const bookSchema = z.strictObject({ slotId: fhirId, note: z.string().trim().min(1).max(500).optional() });
const cancelSchema = z.strictObject({ reason: z.string().trim().min(1).max(300).optional() });
const rescheduleSchema = z.strictObject({ slotId: fhirId });
const refillSchema = z.strictObject({
  medication: z.string().trim().min(2).max(200),
  pharmacy: z.string().trim().min(1).max(200).optional(),
  note: z.string().trim().min(1).max(1_000).optional(),
});
const feedbackSchema = z.strictObject({
  rating: z.coerce.number().int().min(1).max(5),
  comment: z.string().trim().max(2_000).optional(),
});

export const REFILL_TASK_CODE = { system: 'https://carebridge.dev/fhir/task-code', code: 'medication-refill', display: 'Medication refill request' } as const;
export const BOT_FEEDBACK_QUESTIONNAIRE = 'https://carebridge.dev/fhir/Questionnaire/bot-feedback';

export class ClinicConnection implements InProcessConnection {
  readonly timeoutMs = 5_000;

  constructor(private readonly deps: ClinicConnectionDeps) {}

  async handle(request: ConnectionRequest): Promise<Reply> {
    try {
      return await this.route(request);
    } catch (err) {
      // The service's refusal (a slot just taken, someone else's appointment…) is the step's answer.
      if (err instanceof AppError) return { status: err.status, body: { error: err.message, code: err.code } };
      throw err;
    }
  }

  private async route(request: ConnectionRequest): Promise<Reply> {
    const path = request.path.split('?')[0]!.replace(/\/+$/, '') || '/';
    const parts = path.split('/').filter(Boolean);
    const { method } = request;
    if (method === 'GET' && path === '/knowledge') return this.knowledge(request);
    if (method === 'GET' && path === '/doctors') return this.doctors(request);
    if (method === 'GET' && path === '/availability') return this.availability(request);
    if (path === '/appointments' && method === 'GET') return this.asPatient(request, (actor, patientId) => this.appointments(actor, patientId));
    if (path === '/appointments' && method === 'POST') return this.asPatient(request, (actor, patientId) => this.book(actor, patientId, request.body));
    if (parts.length === 3 && parts[0] === 'appointments' && method === 'POST' && fhirId.safeParse(parts[1]).success) {
      const id = parts[1]!;
      if (parts[2] === 'cancel') return this.asPatient(request, (actor) => this.cancel(actor, id, request.body));
      if (parts[2] === 'reschedule') return this.asPatient(request, (actor) => this.reschedule(actor, id, request.body));
    }
    if (path === '/refill-requests' && method === 'POST') return this.asPatient(request, (actor, patientId) => this.refill(actor, patientId, request));
    if (path === '/feedback' && method === 'POST') return this.feedback(request);
    if (path === '/forget-me' && method === 'POST') return this.forget(request);
    return problem(404, `The clinic connection has no ${method} ${path}.`);
  }

  private async asPatient(request: ConnectionRequest, work: (actor: ClinicActor, patientId: string) => Promise<Reply>): Promise<Reply> {
    if (!request.patientId || !request.userId) return problem(401, 'Sign in to the portal to do this in the chat.');
    const actor: ClinicActor = {
      principal: { kind: 'patient', userId: request.userId, email: '', role: 'patient', patientId: request.patientId },
      reason: undefined,
      requestId: null,
      ip: null,
    };
    return work(actor, request.patientId);
  }

  private async knowledge(request: ConnectionRequest): Promise<Reply> {
    const q = (request.query.q ?? '').trim().slice(0, 200);
    if (q === '') return problem(400, 'q: say what to look up.');
    const language = request.query.language === 'es' || request.locale.startsWith('es') ? 'es' : 'en';
    let found = await this.deps.knowledge.search({ kind: 'public' }, { q, audience: 'patient', language, limit: 3 });
    // An article in English is better than none.
    if (found.results.length === 0 && language === 'es') found = await this.deps.knowledge.search({ kind: 'public' }, { q, audience: 'patient', language: 'en', limit: 3 });
    return ok({
      query: q,
      results: found.results.map((r) => ({ id: r.id, title: r.title, summary: r.summary, url: `/portal/library/${encodeURIComponent(r.id)}` })),
    });
  }

  /** A specialty code from a code, a display name or a word of one ("cardiology", "heart doctor" as the language model found it). */
  private specialtyCode(text: string | undefined): string | undefined | null {
    if (!text) return undefined;
    const wanted = text.trim().toLowerCase();
    if (wanted === '') return undefined;
    const { specialties } = this.deps.scheduling.options();
    const exact = specialties.find((s) => s.code.toLowerCase() === wanted || s.display.toLowerCase() === wanted);
    if (exact) return exact.code;
    const stem = wanted.replace(/(ists?|y|ic|ical)$/, '');
    const near = specialties.find((s) => s.display.toLowerCase().includes(wanted) || (stem.length >= 4 && s.display.toLowerCase().includes(stem)));
    return near ? near.code : null;
  }

  private slots(query: { specialty?: string; practitioner?: string; mode?: 'in-person' | 'virtual'; language?: string }, limit: number): AvailableSlot[] {
    return this.deps.scheduling.availability(null, { ...query, limit }).slots;
  }

  private slotView(slot: AvailableSlot) {
    return {
      slotId: slot.slotId,
      start: slot.start,
      when: this.when(slot.start),
      practitioner: slot.practitioner.name,
      specialty: slot.specialty?.display ?? null,
      location: slot.location?.name ?? null,
      mode: slot.mode,
      label: `${this.when(slot.start)} · ${slot.practitioner.name}${slot.mode === 'virtual' ? ' (video)' : slot.location ? ` · ${slot.location.name}` : ''}`,
    };
  }

  private when(iso: string): string {
    return new Intl.DateTimeFormat('en-US', { timeZone: this.deps.timeZone, weekday: 'short', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' }).format(new Date(iso));
  }

  private doctors(request: ConnectionRequest): Reply {
    const specialty = this.specialtyCode(request.query.specialty);
    if (specialty === null) return ok({ doctors: [], specialties: this.deps.scheduling.options().specialties.map((s) => s.display) });
    const language = request.query.language && /^[a-z]{2}$/.test(request.query.language) ? request.query.language : undefined;
    const options = this.deps.scheduling.options();
    const names = new Map(options.specialties.map((s) => [s.code, s.display]));
    const doctors = options.practitioners
      .filter((p) => (specialty === undefined || p.specialty === specialty) && (language === undefined || p.languages.some((l) => l.startsWith(language))))
      .slice(0, 5)
      .map((p) => {
        const next = this.slots({ practitioner: p.id }, 1)[0];
        return { id: p.id, name: p.name, specialty: p.specialty ? (names.get(p.specialty) ?? null) : null, languages: p.languages, virtual: p.modes.includes('virtual'), nextAvailable: next ? this.when(next.start) : null };
      });
    return ok({ doctors, specialties: options.specialties.map((s) => s.display) });
  }

  private availability(request: ConnectionRequest): Reply {
    const specialty = this.specialtyCode(request.query.specialty);
    if (specialty === null) return ok({ slots: [], specialties: this.deps.scheduling.options().specialties.map((s) => s.display) });
    const practitioner = request.query.practitioner && fhirId.safeParse(request.query.practitioner).success ? request.query.practitioner : undefined;
    const mode = request.query.mode === 'virtual' || request.query.mode === 'in-person' ? request.query.mode : undefined;
    const slots = this.slots({ ...(specialty ? { specialty } : {}), ...(practitioner ? { practitioner } : {}), ...(mode ? { mode } : {}) }, 5);
    return ok({ slots: slots.map((s) => this.slotView(s)), specialties: this.deps.scheduling.options().specialties.map((s) => s.display) });
  }

  private appointmentView(a: AppointmentLike) {
    return {
      id: a.id,
      when: this.when(a.start),
      practitioner: a.practitioner?.name ?? null,
      specialty: a.specialty?.display ?? null,
      label: `${this.when(a.start)} · ${a.practitioner?.name ?? a.specialty?.display ?? 'appointment'}${a.mode === 'virtual' ? ' (video)' : a.location ? ` · ${a.location.name}` : ''}`,
      status: a.status,
    };
  }

  private async appointments(actor: ClinicActor, patientId: string): Promise<Reply> {
    const list = await this.deps.scheduling.list(actor, patientId);
    return ok({ appointments: list.upcoming.slice(0, 10).map((a) => this.appointmentView(a)) });
  }

  private async book(actor: ClinicActor, patientId: string, body: unknown): Promise<Reply> {
    const parsed = bookSchema.safeParse(body);
    if (!parsed.success) return invalid(parsed.error);
    const appointment = await this.deps.scheduling.book(actor, { patientId, slotId: parsed.data.slotId, ...(parsed.data.note ? { note: parsed.data.note } : {}) });
    return ok({ appointment: this.appointmentView(appointment) }, 201);
  }

  private async cancel(actor: ClinicActor, id: string, body: unknown): Promise<Reply> {
    const parsed = cancelSchema.safeParse(body ?? {});
    if (!parsed.success) return invalid(parsed.error);
    const appointment = await this.deps.scheduling.cancel(actor, id, parsed.data.reason ? { reason: parsed.data.reason } : {});
    return ok({ appointment: this.appointmentView(appointment) });
  }

  private async reschedule(actor: ClinicActor, id: string, body: unknown): Promise<Reply> {
    const parsed = rescheduleSchema.safeParse(body);
    if (!parsed.success) return invalid(parsed.error);
    const { appointment } = await this.deps.scheduling.reschedule(actor, id, parsed.data.slotId);
    return ok({ appointment: this.appointmentView(appointment) }, 201);
  }

  private refill(actor: ClinicActor, patientId: string, request: ConnectionRequest): Promise<Reply> {
    const parsed = refillSchema.safeParse(request.body);
    if (!parsed.success) return Promise.resolve(invalid(parsed.error));
    const at = (this.deps.now?.() ?? new Date()).toISOString();
    const { medication, pharmacy, note } = parsed.data;
    const task = {
      resourceType: 'Task' as const,
      id: randomUUID(),
      status: 'requested' as const,
      intent: 'order' as const,
      priority: 'routine' as const,
      code: { coding: [{ ...REFILL_TASK_CODE }], text: REFILL_TASK_CODE.display },
      description: `Refill request: ${medication}${pharmacy ? ` (pharmacy: ${pharmacy})` : ''}, made in the chat.`,
      for: { reference: `Patient/${patientId}` },
      requester: { reference: `Patient/${patientId}` },
      authoredOn: at,
      input: [
        { type: { text: 'Medication' }, valueString: medication },
        ...(pharmacy ? [{ type: { text: 'Pharmacy' }, valueString: pharmacy }] : []),
        { type: { text: 'Conversation' }, valueString: request.conversationId },
      ],
      ...(note ? { note: [{ text: note, time: at }] } : {}),
    };
    this.deps.fhir.write(task, {
      now: at,
      audit: {
        actorId: actor.principal.userId,
        actorRole: 'patient',
        action: 'phi.write',
        resourceType: 'Task',
        resourceId: task.id,
        patientId,
        reason: 'medication refill request in the chat',
        details: { via: 'bot', conversationId: request.conversationId },
      },
    });
    return Promise.resolve(ok({ taskId: task.id, medication }, 201));
  }

  private feedback(request: ConnectionRequest): Reply {
    const parsed = feedbackSchema.safeParse(request.body);
    if (!parsed.success) return invalid(parsed.error);
    const at = (this.deps.now?.() ?? new Date()).toISOString();
    const { rating, comment } = parsed.data;
    const response = {
      resourceType: 'QuestionnaireResponse' as const,
      id: randomUUID(),
      questionnaire: BOT_FEEDBACK_QUESTIONNAIRE,
      status: 'completed' as const,
      authored: at,
      ...(request.patientId ? { subject: { reference: `Patient/${request.patientId}` }, source: { reference: `Patient/${request.patientId}` } } : {}),
      identifier: { system: 'https://carebridge.dev/fhir/conversation', value: request.conversationId },
      item: [
        { linkId: 'rating', text: 'How helpful was the assistant? (1–5)', answer: [{ valueInteger: rating }] },
        ...(comment ? [{ linkId: 'comment', text: 'What could be better?', answer: [{ valueString: comment }] }] : []),
      ],
    };
    this.deps.fhir.write(response, {
      now: at,
      audit: {
        actorRole: request.patientId ? 'patient' : 'visitor',
        action: 'phi.write',
        resourceType: 'QuestionnaireResponse',
        resourceId: response.id,
        patientId: request.patientId,
        reason: 'bot feedback',
        details: { via: 'bot', conversationId: request.conversationId },
      },
    });
    return ok({ id: response.id, rating }, 201);
  }

  private async forget(request: ConnectionRequest): Promise<Reply> {
    if (!request.userKey) return ok({ forgotten: false });
    await this.deps.forgetUser(request.userKey);
    return ok({ forgotten: true });
  }
}
