/**
 * Who may read or write which patient's data. One place for the rule (docs/architecture.md):
 * a patient reads only their own compartment; staff read PHI only with a stated reason.
 */
import type { Request } from 'express';
import { forbidden, reasonRequired } from '../errors.js';
import type { Principal, StaffRole } from './principal.js';

/** Staff roles that may read clinical data at all (with a reason). */
export const PHI_READER_ROLES: readonly StaffRole[] = ['agent', 'supervisor', 'practitioner', 'outreach', 'admin'];
/** Staff roles that may write clinical data. */
export const PHI_WRITER_ROLES: readonly StaffRole[] = ['practitioner', 'admin'];

const REASON = /^[\p{L}\p{N} .,:;#/_()'-]{3,200}$/u;

/** The stated reason for a staff read: the X-Access-Reason header (3–200 printable characters). */
export function accessReason(req: Request): string | undefined {
  const raw = req.headers['x-access-reason'];
  if (typeof raw !== 'string') return undefined;
  const reason = raw.trim();
  return REASON.test(reason) ? reason : undefined;
}

export interface PhiDecision {
  /** Set when the principal is a patient: every query must be limited to this compartment. */
  compartmentPatientId?: string;
  reason: string | null;
}

/**
 * Decides whether `principal` may read patient data. Patients are confined to their own
 * compartment; staff need a PHI-reading role and a reason.
 */
export function authorizePhiRead(principal: Principal, reason: string | undefined): PhiDecision {
  if (principal.kind === 'patient') return { compartmentPatientId: principal.patientId, reason: 'patient self-access' };
  if (!PHI_READER_ROLES.includes(principal.role)) throw forbidden(`The ${principal.role} role cannot read patient records.`);
  if (!reason) throw reasonRequired();
  return { reason };
}

export function authorizePhiWrite(principal: Principal, reason: string | undefined): PhiDecision {
  if (principal.kind === 'patient') return { compartmentPatientId: principal.patientId, reason: 'patient self-service' };
  if (!PHI_WRITER_ROLES.includes(principal.role)) throw forbidden(`The ${principal.role} role cannot change patient records.`);
  if (!reason) throw reasonRequired();
  return { reason };
}
