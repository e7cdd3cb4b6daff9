/**
 * Reading the audit log (the repository side): the administrators' search by time range and a
 * patient's own access log, both newest first with keyset pagination on `seq`.
 */
import type { Kysely } from 'kysely';
import type { AccessLogEntry, AuditEntryView } from '../../contracts/audit.js';
import type { Database } from '../db/index.js';
import { validationFailed } from '../errors.js';
import type { AuditRow } from './audit.js';

export interface AuditSearch {
  from: string;
  to: string;
  actor?: string;
  patient?: string;
  action?: string;
  outcome?: string;
  limit: number;
  beforeSeq?: number;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function encodeCursor(seq: number): string {
  return Buffer.from(String(seq), 'utf8').toString('base64url');
}

/** The seq a cursor stands for; a cursor that is not one of ours is a 400. */
export function decodeCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const seq = /^[1-9]\d{0,15}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(seq)) throw validationFailed('Invalid query: cursor: is not a cursor from a previous page');
  return seq;
}

export function toAuditEntryView(row: AuditRow): AuditEntryView {
  let details: Record<string, unknown> | null = null;
  if (row.details) {
    try {
      details = JSON.parse(row.details) as Record<string, unknown>;
    } catch {
      details = { unparsed: row.details };
    }
  }
  return {
    seq: row.seq,
    at: row.at,
    actorId: row.actor_id,
    actorRole: row.actor_role,
    action: row.action,
    outcome: row.outcome,
    resourceType: row.resource_type,
    resourceId: row.resource_id,
    patientId: row.patient_id,
    reason: row.reason,
    ip: row.ip,
    requestId: row.request_id,
    details,
    hash: row.hash,
  };
}

export class AuditReader {
  constructor(private readonly db: Kysely<Database>) {}

  async search(q: AuditSearch): Promise<Page<AuditEntryView>> {
    let query = this.db
      .selectFrom('audit_log')
      .selectAll()
      .where('at', '>=', q.from)
      .where('at', '<', q.to)
      .orderBy('seq', 'desc')
      .limit(q.limit + 1);
    if (q.actor) query = query.where('actor_id', '=', q.actor);
    if (q.patient) query = query.where('patient_id', '=', q.patient);
    if (q.action) query = query.where('action', '=', q.action);
    if (q.outcome) query = query.where('outcome', '=', q.outcome);
    if (q.beforeSeq !== undefined) query = query.where('seq', '<', q.beforeSeq);
    const rows = (await query.execute()) as AuditRow[];
    return page(rows, q.limit, toAuditEntryView);
  }

  /** Every audit row about `patientId`, with the actor's display name (never their e-mail). */
  async accessLog(patientId: string, limit: number, beforeSeq?: number): Promise<Page<AccessLogEntry>> {
    let query = this.db
      .selectFrom('audit_log')
      .leftJoin('users', 'users.id', 'audit_log.actor_id')
      .select([
        'audit_log.seq',
        'audit_log.at',
        'audit_log.action',
        'audit_log.outcome',
        'audit_log.actor_id',
        'audit_log.actor_role',
        'audit_log.resource_type',
        'audit_log.resource_id',
        'audit_log.reason',
        'users.display_name',
        'users.role',
        'users.patient_id as actor_patient_id',
      ])
      .where('audit_log.patient_id', '=', patientId)
      .orderBy('audit_log.seq', 'desc')
      .limit(limit + 1);
    if (beforeSeq !== undefined) query = query.where('audit_log.seq', '<', beforeSeq);
    const rows = await query.execute();
    return page(rows, limit, (r) => ({
      at: r.at,
      action: r.action,
      outcome: r.outcome,
      who: r.actor_id ? whoFor(r, patientId) : null,
      resourceType: r.resource_type,
      resourceId: r.resource_id,
      reason: r.reason,
    }));
  }
}

/**
 * Staff by name and role; the patient themselves by name. Anyone else with a patient account (a
 * refused attempt on this record) by a neutral label: a patient's log never discloses another
 * person's identity.
 */
function whoFor(
  r: { display_name: string | null; role: string | null; actor_role: string | null; actor_patient_id: string | null },
  patientId: string,
): { displayName: string; role: string } {
  const role = r.actor_role ?? r.role ?? 'unknown';
  if ((role === 'patient' || r.role === 'patient') && r.actor_patient_id !== patientId) return { displayName: 'Another portal user', role: 'patient' };
  return { displayName: r.display_name ?? 'Unknown user', role };
}

function page<R extends { seq: number }, T>(rows: R[], limit: number, present: (row: R) => T): Page<T> {
  const items = rows.slice(0, limit);
  return {
    items: items.map(present),
    nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1]!.seq) : null,
  };
}
