/**
 * Who may do what through the FHIR API, in one place. Built on the platform's PHI rule
 * (`authorizePhiRead`/`authorizePhiWrite`): patients see only their own compartment, staff read
 * PHI only with a PHI-reading role and a stated reason.
 *
 * - Directory resources (practitioners, organizations, locations, services, schedules, slots,
 *   questionnaires) are readable by anyone signed in, without a reason; only admins change them.
 * - Every other type is clinical. A patient reads only resources in their own compartment and
 *   writes only Communication and QuestionnaireResponse there; staff need a PHI role and reason.
 * - Patients never delete. Transaction/batch import needs admin or practitioner.
 */
import type { Principal } from '../platform/auth/principal.js';
import { authorizePhiRead, authorizePhiWrite } from '../platform/auth/phi-access.js';
import { forbidden } from '../platform/errors.js';

export const DIRECTORY_RESOURCE_TYPES: ReadonlySet<string> = new Set([
  'Practitioner',
  'PractitionerRole',
  'Organization',
  'Location',
  'HealthcareService',
  'Schedule',
  'Slot',
  'Questionnaire',
]);

/** What a patient may write, in their own compartment only. */
export const PATIENT_WRITABLE_TYPES: ReadonlySet<string> = new Set(['Communication', 'QuestionnaireResponse']);

const IMPORT_ROLES = new Set(['admin', 'practitioner']);

export function isDirectoryType(type: string): boolean {
  return DIRECTORY_RESOURCE_TYPES.has(type);
}

/** The outcome of a read decision for a type. */
export type ReadAccess =
  | { kind: 'directory' }
  /** Clinical data: `compartmentPatientId` set for patients (only that compartment is visible). */
  | { kind: 'phi'; compartmentPatientId?: string; reason: string | null };

/**
 * Whether `principal` may read resources of `type` at all. Patients get their compartment back and
 * must be checked against each resource's patient; staff without role or reason are refused here.
 */
export function authorizeTypeRead(principal: Principal, type: string, reason: string | undefined): ReadAccess {
  if (isDirectoryType(type)) return { kind: 'directory' };
  const decision = authorizePhiRead(principal, reason);
  return decision.compartmentPatientId !== undefined
    ? { kind: 'phi', compartmentPatientId: decision.compartmentPatientId, reason: decision.reason }
    : { kind: 'phi', reason: decision.reason };
}

/** True when a resource in `resourcePatientId`'s compartment is visible under `access`. */
export function canSee(access: ReadAccess, resourcePatientId: string | null): boolean {
  if (access.kind === 'directory' || access.compartmentPatientId === undefined) return true;
  return resourcePatientId === access.compartmentPatientId;
}

export interface WriteTarget {
  type: string;
  /** Compartment of the resource as it will be written (null: none). */
  patientAfter: string | null;
  /** Compartment of the current version, for updates of an existing resource. */
  patientBefore?: string | null;
}

export type WriteAccess = { kind: 'directory' } | { kind: 'phi'; reason: string | null };

/** Decides a create or update. Throws 403 (or 403 reason_required) when not allowed. */
export function authorizeWrite(principal: Principal, target: WriteTarget, reason: string | undefined): WriteAccess {
  if (isDirectoryType(target.type)) {
    if (principal.role !== 'admin') throw forbidden(`Only admins change ${target.type} resources.`);
    return { kind: 'directory' };
  }
  const decision = authorizePhiWrite(principal, reason);
  if (decision.compartmentPatientId !== undefined) {
    if (!PATIENT_WRITABLE_TYPES.has(target.type)) {
      throw forbidden(`Patients can only write Communication and QuestionnaireResponse resources, not ${target.type}.`);
    }
    const own = decision.compartmentPatientId;
    if (target.patientAfter !== own || (target.patientBefore !== undefined && target.patientBefore !== own)) {
      throw forbidden(`Patients can only write ${target.type} resources about themselves (subject Patient/${own}).`);
    }
  }
  return { kind: 'phi', reason: decision.reason };
}

/**
 * Whether `principal` may write resources of `type` at all, decided from the token and the URL
 * before the body is read: directory types need an admin, clinical types a PHI-writing role and a
 * reason, and patients write only their own types. `authorizeWrite` then checks the resource itself.
 */
export function authorizeTypeWrite(principal: Principal, type: string, reason: string | undefined): void {
  if (isDirectoryType(type)) {
    if (principal.role !== 'admin') throw forbidden(`Only admins change ${type} resources.`);
    return;
  }
  const decision = authorizePhiWrite(principal, reason);
  if (decision.compartmentPatientId !== undefined && !PATIENT_WRITABLE_TYPES.has(type)) {
    throw forbidden(`Patients can only write Communication and QuestionnaireResponse resources, not ${type}.`);
  }
}

export function authorizeDelete(principal: Principal, type: string, reason: string | undefined): WriteAccess {
  if (principal.kind === 'patient') throw forbidden('Patients cannot delete records.');
  return authorizeWrite(principal, { type, patientAfter: null }, reason);
}

/** Transaction and batch Bundles: admins and practitioners only; each entry is then authorized too. */
export function authorizeImport(principal: Principal): void {
  if (!IMPORT_ROLES.has(principal.role)) throw forbidden('Importing Bundles needs the admin or practitioner role.');
}
