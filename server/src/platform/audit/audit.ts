/**
 * The append-only, hash-chained audit log. Each row's hash is SHA-256 over the previous row's hash
 * and the row's own fields, so editing or deleting any row breaks every hash after it.
 * Writes are synchronous so that reading the chain head and appending are atomic.
 */
import { createHash } from 'node:crypto';
import type SQLite from 'better-sqlite3';
import { inTransaction } from '../db/index.js';

export const GENESIS_HASH = '0'.repeat(64);

export type AuditAction =
  | 'phi.read'
  | 'phi.search'
  | 'phi.write'
  | 'phi.delete'
  | 'phi.import'
  | 'auth.login'
  | 'auth.logout'
  | 'auth.refresh'
  | 'auth.mfa.enrol'
  | 'auth.mfa.enable'
  | 'auth.lockout'
  | 'permission.change'
  | 'access.denied'
  | (string & {});

export interface AuditEntry {
  actorId?: string | null;
  actorRole?: string | null;
  action: AuditAction;
  outcome?: 'success' | 'failure' | 'denied';
  resourceType?: string | null;
  resourceId?: string | null;
  patientId?: string | null;
  reason?: string | null;
  ip?: string | null;
  requestId?: string | null;
  details?: Record<string, unknown> | null;
}

export interface AuditRow {
  seq: number;
  at: string;
  actor_id: string | null;
  actor_role: string | null;
  action: string;
  outcome: string;
  resource_type: string | null;
  resource_id: string | null;
  patient_id: string | null;
  reason: string | null;
  ip: string | null;
  request_id: string | null;
  details: string | null;
  prev_hash: string;
  hash: string;
}

const HASHED_FIELDS = [
  'seq',
  'at',
  'actor_id',
  'actor_role',
  'action',
  'outcome',
  'resource_type',
  'resource_id',
  'patient_id',
  'reason',
  'ip',
  'request_id',
  'details',
] as const;

/** The hash of a row given the previous row's hash. */
export function hashAuditRow(row: Omit<AuditRow, 'hash' | 'prev_hash'>, prevHash: string): string {
  const h = createHash('sha256');
  h.update(prevHash);
  for (const field of HASHED_FIELDS) {
    h.update('\u001f');
    h.update(field);
    h.update('=');
    h.update(row[field] === null ? '\u0000' : String(row[field]));
  }
  return h.digest('hex');
}

export class AuditLog {
  private readonly head;
  private readonly insert;

  constructor(private readonly sqlite: SQLite.Database) {
    this.head = sqlite.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
    this.insert = sqlite.prepare(
      `INSERT INTO audit_log (seq, at, actor_id, actor_role, action, outcome, resource_type, resource_id,
         patient_id, reason, ip, request_id, details, prev_hash, hash)
       VALUES (@seq, @at, @actor_id, @actor_role, @action, @outcome, @resource_type, @resource_id,
         @patient_id, @reason, @ip, @request_id, @details, @prev_hash, @hash)`,
    );
  }

  /** Appends one entry; returns the stored row. */
  record(entry: AuditEntry): AuditRow {
    return inTransaction(this.sqlite, () => {
      const head = this.head.get() as { seq: number; hash: string } | undefined;
      const base = {
        seq: (head?.seq ?? 0) + 1,
        at: new Date().toISOString(),
        actor_id: entry.actorId ?? null,
        actor_role: entry.actorRole ?? null,
        action: entry.action,
        outcome: entry.outcome ?? 'success',
        resource_type: entry.resourceType ?? null,
        resource_id: entry.resourceId ?? null,
        patient_id: entry.patientId ?? null,
        reason: entry.reason ?? null,
        ip: entry.ip ?? null,
        request_id: entry.requestId ?? null,
        details: entry.details ? JSON.stringify(entry.details) : null,
      };
      const prev_hash = head?.hash ?? GENESIS_HASH;
      const row: AuditRow = { ...base, prev_hash, hash: hashAuditRow(base, prev_hash) };
      this.insert.run(row);
      return row;
    });
  }
}

export interface AuditProblem {
  seq: number;
  problem: string;
}

/**
 * Walks the whole chain and reports every row whose hash or link is wrong and every gap in the
 * sequence (a deleted row).
 */
export function verifyAuditChain(sqlite: SQLite.Database): { rows: number; problems: AuditProblem[] } {
  const problems: AuditProblem[] = [];
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let rows = 0;
  for (const row of sqlite.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as IterableIterator<AuditRow>) {
    rows++;
    if (row.seq !== expectedSeq) {
      problems.push({ seq: expectedSeq, problem: `rows ${expectedSeq}..${row.seq - 1} are missing (deleted)` });
    }
    if (row.prev_hash !== prevHash) {
      problems.push({ seq: row.seq, problem: 'prev_hash does not match the previous row (a row before it was changed or removed)' });
    }
    const { hash: _hash, prev_hash: _prev, ...fields } = row;
    if (hashAuditRow(fields, row.prev_hash) !== row.hash) {
      problems.push({ seq: row.seq, problem: 'hash does not match the row content (the row was edited)' });
    }
    prevHash = row.hash;
    expectedSeq = row.seq + 1;
  }
  return { rows, problems };
}
