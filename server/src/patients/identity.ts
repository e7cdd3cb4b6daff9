/**
 * Who the patient in a conversation is. A patient signed in to the portal arrives verified; for
 * anyone else the agent picks a candidate (from the search) and enters what the caller says: at least
 * two of date of birth, MRN, phone and ZIP code must match the record. The record is read for the
 * check (audited as a PHI read with the reason "identity verification"), the outcome is audited either
 * way (which details matched, never their values), and five failed tries lock verification for the
 * conversation. The patient 360 shows PHI only for a verified patient (`verifiedPatientOf`).
 */
import type { Patient } from '@medplum/fhirtypes';
import type SQLite from 'better-sqlite3';
import { IDENTITY_FACTORS, type ConversationIdentity, type IdentityFactor, type VerifyIdentityRequest } from '../contracts/patients.js';
import type { AuditLog } from '../platform/audit/audit.js';
import type { Actor } from '../platform/auth/actor.js';
import { inTransaction } from '../platform/db/index.js';
import { AppError, forbidden, notFound, tooManyRequests } from '../platform/errors.js';
import type { RequestMeta } from '../platform/http/request-meta.js';
import { displayName, mrnOf, phoneDigits, phonesOf, postalCodesOf } from './search.js';

export const MAX_VERIFY_ATTEMPTS = 5;
const SUPERVISORS = new Set(['supervisor', 'admin']);

interface IdentityRow {
  conversation_id: string;
  patient_id: string | null;
  method: string | null;
  factors: string;
  verified_by: string | null;
  verified_at: string | null;
  failed_attempts: number;
}

/** What identity needs of a conversation (the conversations module's API, narrowed by the composition root). */
export interface ConversationLookup {
  /** The conversation's signed-in patient (null for a visitor), or undefined when there is no such conversation. */
  patientOf(conversationId: string): string | null | undefined;
  /** Staff in the conversation now (the agent, consultants, a supervisor who joined). */
  isStaffIn(conversationId: string, userId: string): boolean;
}

export interface IdentityDeps {
  sqlite: SQLite.Database;
  audit: AuditLog;
  conversations: ConversationLookup;
  readPatient(id: string): Patient | undefined;
  displayNameOf(userId: string): string | undefined;
  now?: () => Date;
}

export class ConversationIdentities {
  private readonly select: SQLite.Statement<[string], IdentityRow>;
  private readonly now: () => Date;

  constructor(private readonly deps: IdentityDeps) {
    this.select = deps.sqlite.prepare('SELECT * FROM conversation_identity WHERE conversation_id = ?');
    this.now = deps.now ?? (() => new Date());
  }

  /** The verified patient of a conversation, or null. */
  verifiedPatientOf(conversationId: string): string | null {
    const portal = this.deps.conversations.patientOf(conversationId);
    if (portal) return portal;
    const row = this.select.get(conversationId);
    return row?.verified_at ? row.patient_id : null;
  }

  view(actor: Actor, conversationId: string): ConversationIdentity {
    this.requireInConversation(actor, conversationId);
    return this.present(conversationId);
  }

  verify(actor: Actor, conversationId: string, input: VerifyIdentityRequest, meta: RequestMeta): ConversationIdentity {
    this.requireInConversation(actor, conversationId);
    const current = this.present(conversationId);
    if (current.status === 'verified') {
      throw new AppError('conflict', `This conversation is already verified as ${current.patientName ?? 'a patient'}.`);
    }
    if (current.attemptsLeft <= 0) {
      throw tooManyRequests(`Verification is locked after ${MAX_VERIFY_ATTEMPTS} tries for this conversation: ask a supervisor, or verify the caller another way.`);
    }
    const patient = this.deps.readPatient(input.patientId);
    if (!patient) throw notFound('Patient', input.patientId);
    const given: Partial<Record<IdentityFactor, string>> = {
      ...(input.birthDate ? { birthDate: input.birthDate } : {}),
      ...(input.mrn ? { mrn: input.mrn } : {}),
      ...(input.phone ? { phone: phoneDigits(input.phone) } : {}),
      ...(input.postalCode ? { postalCode: input.postalCode.slice(0, 5) } : {}),
    };
    const matches: Record<IdentityFactor, (value: string) => boolean> = {
      birthDate: (v) => patient.birthDate === v,
      mrn: (v) => mrnOf(patient)?.toUpperCase() === v.toUpperCase(),
      phone: (v) => phonesOf(patient).includes(v),
      postalCode: (v) => postalCodesOf(patient).includes(v),
    };
    const tried = IDENTITY_FACTORS.filter((f) => given[f] !== undefined);
    const matched = tried.filter((f) => matches[f](given[f]!));
    const verified = matched.length >= 2;
    const at = this.now().toISOString();
    const base = { actorId: actor.userId, actorRole: actor.kind === 'staff' ? actor.role : actor.kind, patientId: patient.id ?? input.patientId, ip: meta.ip, requestId: meta.requestId };
    inTransaction(this.deps.sqlite, () => {
      this.deps.audit.recordMany([
        { ...base, action: 'phi.read', resourceType: 'Patient', resourceId: input.patientId, reason: 'identity verification', details: { conversationId, purpose: 'identity verification' } },
        {
          ...base,
          action: 'identity.verify',
          outcome: verified ? 'success' : 'failure',
          resourceType: 'Conversation',
          resourceId: conversationId,
          details: { tried, matched },
        },
      ]);
      if (verified) {
        this.deps.sqlite
          .prepare(
            `INSERT INTO conversation_identity (conversation_id, patient_id, method, factors, verified_by, verified_at, failed_attempts) VALUES (?, ?, 'agent', ?, ?, ?, 0)
             ON CONFLICT(conversation_id) DO UPDATE SET patient_id = excluded.patient_id, method = 'agent', factors = excluded.factors, verified_by = excluded.verified_by, verified_at = excluded.verified_at`,
          )
          .run(conversationId, input.patientId, JSON.stringify(matched), actor.userId, at);
      } else {
        this.deps.sqlite
          .prepare(
            `INSERT INTO conversation_identity (conversation_id, failed_attempts) VALUES (?, 1)
             ON CONFLICT(conversation_id) DO UPDATE SET failed_attempts = failed_attempts + 1`,
          )
          .run(conversationId);
      }
    });
    if (!verified) {
      const left = current.attemptsLeft - 1;
      // Which details failed is not said: that would let a caller guess one detail at a time.
      throw new AppError('unprocessable', `Not verified: fewer than two of the details match this patient's record. ${left} ${left === 1 ? 'try' : 'tries'} left.`, { attemptsLeft: left });
    }
    return this.present(conversationId);
  }

  /**
   * Refuses unless `actor` is staff in the conversation (or a supervisor) and its patient is verified as
   * `patientId`: the 360 and reveals in a chat need both. The refusal does not say who the patient is.
   */
  requireVerifiedPatient(actor: Actor, conversationId: string, patientId: string): void {
    this.requireInConversation(actor, conversationId);
    const verified = this.verifiedPatientOf(conversationId);
    if (verified === null) throw new AppError('forbidden', 'Verify the patient in this conversation first.', { reason: 'not_verified' });
    if (verified !== patientId) throw new AppError('forbidden', 'This conversation is verified as another patient.', { reason: 'other_patient' });
  }

  private requireInConversation(actor: Actor, conversationId: string): void {
    const portal = this.deps.conversations.patientOf(conversationId);
    if (portal === undefined) throw notFound('Conversation', conversationId);
    if (actor.kind !== 'staff') throw forbidden('Only staff verify callers.');
    if (!SUPERVISORS.has(actor.role) && !this.deps.conversations.isStaffIn(conversationId, actor.userId)) {
      throw forbidden('Only staff in this conversation (or a supervisor) can verify who the patient is.');
    }
  }

  private present(conversationId: string): ConversationIdentity {
    const portal = this.deps.conversations.patientOf(conversationId) ?? null;
    const row = this.select.get(conversationId);
    const attemptsLeft = Math.max(0, MAX_VERIFY_ATTEMPTS - (row?.failed_attempts ?? 0));
    if (portal) {
      const patient = this.deps.readPatient(portal);
      return { conversationId, status: 'verified', method: 'portal', patientId: portal, patientName: patient ? displayName(patient) : null, verifiedBy: null, verifiedAt: null, factors: [], attemptsLeft };
    }
    if (row?.verified_at && row.patient_id) {
      const patient = this.deps.readPatient(row.patient_id);
      return {
        conversationId,
        status: 'verified',
        method: 'agent',
        patientId: row.patient_id,
        patientName: patient ? displayName(patient) : null,
        verifiedBy: row.verified_by ? (this.deps.displayNameOf(row.verified_by) ?? 'a former colleague') : null,
        verifiedAt: row.verified_at,
        factors: JSON.parse(row.factors) as IdentityFactor[],
        attemptsLeft,
      };
    }
    return { conversationId, status: 'unverified', method: null, patientId: null, patientName: null, verifiedBy: null, verifiedAt: null, factors: [], attemptsLeft };
  }
}
