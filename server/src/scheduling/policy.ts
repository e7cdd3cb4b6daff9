/**
 * Who may do what in scheduling — the one place for it.
 *
 * - Free slots and the search form's options are directory data: any signed-in user.
 * - Holding a slot: the patient themself, agents and supervisors.
 * - Booking, cancelling, rescheduling: the patient themself for their own appointments; agents and
 *   supervisors for anyone, with a stated reason (`X-Access-Reason`), as for every PHI access.
 * - Reading a patient's appointments (the list, a calendar file): the patient themself; staff who may
 *   read PHI (agents, supervisors, practitioners, outreach, admins) with a stated reason.
 * - The reason is the conversation when staff name the chat they are in and its patient is verified
 *   as this patient (the patients module decides that); else the X-Access-Reason header.
 */
import { actorOf, type Actor } from '../platform/auth/actor.js';
import type { Principal, StaffRole } from '../platform/auth/principal.js';
import { PHI_READER_ROLES } from '../platform/auth/phi-access.js';
import { forbidden, reasonRequired } from '../platform/errors.js';

/** Staff who book, cancel, reschedule and hold. */
export const SCHEDULER_ROLES: readonly StaffRole[] = ['agent', 'supervisor'];
/** Staff who read a patient's appointments (with a reason). */
export const APPOINTMENT_READER_ROLES: readonly StaffRole[] = PHI_READER_ROLES;

/** Who acts, and the request facts every audit row carries. */
export interface SchedulingActor {
  principal: Principal;
  /** X-Access-Reason, when valid. */
  reason: string | undefined;
  requestId: string | null;
  ip: string | null;
  /** The chat this is done in, when staff name one. */
  conversationId?: string;
}

/** What scheduling needs of the patients module: is this conversation's verified patient this one? */
export interface ConversationPatients {
  /** Throws (403/404) unless the actor is staff in the conversation and its patient is verified as `patientId`. */
  requireVerifiedPatient(actor: Actor, conversationId: string, patientId: string): void;
}

/** The outcome of a decision about one patient's data. */
export type PatientAccess = { ok: true; reason: string } | { ok: false; otherPatient: true; error: Error };

function decide(actor: SchedulingActor, patientId: string, conversations: ConversationPatients | undefined, staffRoles: readonly StaffRole[], verb: string): PatientAccess {
  const { principal } = actor;
  if (principal.kind === 'patient') {
    if (principal.patientId === patientId) return { ok: true, reason: 'patient self-service' };
    return { ok: false, otherPatient: true, error: forbidden(`You can only ${verb} your own appointments.`) };
  }
  if (!staffRoles.includes(principal.role)) throw forbidden(`The ${principal.role} role cannot ${verb} appointments.`);
  if (actor.conversationId !== undefined) {
    if (!conversations) throw forbidden('Conversations cannot vouch for a patient here: send X-Access-Reason instead.');
    conversations.requireVerifiedPatient(actorOf(principal), actor.conversationId, patientId);
    return { ok: true, reason: `patient contact in conversation ${actor.conversationId}` };
  }
  if (!actor.reason) throw reasonRequired();
  return { ok: true, reason: actor.reason };
}

export type AccessDecision = (actor: SchedulingActor, patientId: string, conversations: ConversationPatients | undefined) => PatientAccess;

/** May the actor book, cancel or reschedule this patient's appointments? Throws for staff; a patient for someone else gets `ok: false` (audited by the caller). */
export const decideChange: AccessDecision = (actor, patientId, conversations) => decide(actor, patientId, conversations, SCHEDULER_ROLES, 'change');

/** May the actor read this patient's appointments? */
export const decideRead: AccessDecision = (actor, patientId, conversations) => decide(actor, patientId, conversations, APPOINTMENT_READER_ROLES, 'see');

/** May the actor hold slots at all? */
export function authorizeHold(principal: Principal): void {
  if (principal.kind === 'patient') return;
  if (!SCHEDULER_ROLES.includes(principal.role)) throw forbidden(`The ${principal.role} role cannot hold appointment times.`);
}
