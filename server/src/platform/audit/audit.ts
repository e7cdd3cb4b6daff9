/**
 * The append-only, hash-chained audit log. Each row's hash is SHA-256 over the previous row's hash
 * and the row's own fields, so editing or deleting any row breaks every hash after it.
 * Writes are synchronous so that reading the chain head and appending are atomic.
 *
 * Deleting the newest rows would leave a shorter chain that is still valid, so every append also
 * stores a head checkpoint in `meta` (`audit_head`: the last seq and hash, with an HMAC). Verification
 * compares the chain's last row with it. The HMAC key is derived from JWT_SECRET when the server has
 * one (then someone holding only the database file cannot forge a checkpoint); otherwise it is a
 * random key kept in `meta`, which still catches rows deleted without rewriting the checkpoint but not
 * an attacker who also recomputes it. See `useCheckpointSecret`. The checkpoint's seq is also a
 * high-water mark for the next append, so a later legitimate append cannot hide a truncation: the
 * missing seqs stay a visible gap.
 */
import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
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
  | 'auth.mfa.disable'
  | 'auth.mfa.verify'
  | 'auth.lockout'
  | 'auth.step_up'
  | 'auth.password.change'
  | 'audit.read'
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

export const CHECKPOINT_META_KEY = 'audit_head';
const DATABASE_KEY_META_KEY = 'audit_checkpoint_key';

/** Which key signed a head checkpoint: one derived from JWT_SECRET, or the random one in `meta`. */
export type CheckpointKeySource = 'secret' | 'database';

export interface HeadCheckpoint {
  v: 1;
  seq: number;
  hash: string;
  key: CheckpointKeySource;
  mac: string;
}

/** The checkpoint HMAC key derived from a configured secret (JWT_SECRET). */
export function checkpointKeyFromSecret(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.from('carebridge'), Buffer.from('audit-head-checkpoint'), 32));
}

/** The random checkpoint key kept in `meta`, or undefined when none was ever created. */
export function readDatabaseCheckpointKey(sqlite: SQLite.Database): Buffer | undefined {
  const row = sqlite.prepare('SELECT value FROM meta WHERE key = ?').get(DATABASE_KEY_META_KEY) as { value: string } | undefined;
  return row ? Buffer.from(row.value, 'base64') : undefined;
}

function ensureDatabaseCheckpointKey(sqlite: SQLite.Database): Buffer {
  sqlite
    .prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING')
    .run(DATABASE_KEY_META_KEY, randomBytes(32).toString('base64'));
  return readDatabaseCheckpointKey(sqlite)!;
}

export function checkpointMac(key: Uint8Array, seq: number, hash: string): string {
  return createHmac('sha256', key).update(`audit-head:${seq}:${hash}`).digest('hex');
}

export function readHeadCheckpoint(sqlite: SQLite.Database): HeadCheckpoint | undefined | 'malformed' {
  const row = sqlite.prepare('SELECT value FROM meta WHERE key = ?').get(CHECKPOINT_META_KEY) as { value: string } | undefined;
  return parseHeadCheckpoint(row?.value);
}

function parseHeadCheckpoint(value: string | undefined): HeadCheckpoint | undefined | 'malformed' {
  if (value === undefined) return undefined;
  try {
    const cp = JSON.parse(value) as Partial<HeadCheckpoint>;
    if (
      cp.v === 1 &&
      Number.isInteger(cp.seq) &&
      typeof cp.hash === 'string' &&
      (cp.key === 'secret' || cp.key === 'database') &&
      typeof cp.mac === 'string'
    ) {
      return cp as HeadCheckpoint;
    }
  } catch {
    // fall through: a checkpoint that is not our JSON is reported as malformed
  }
  return 'malformed';
}

export class AuditLog {
  private readonly head;
  private readonly insert;
  private readonly saveCheckpoint;
  private readonly loadCheckpoint;
  private checkpointKey: { source: CheckpointKeySource; key: Buffer };

  constructor(
    private readonly sqlite: SQLite.Database,
    options: { checkpointSecret?: string } = {},
  ) {
    this.head = sqlite.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
    this.insert = sqlite.prepare(
      `INSERT INTO audit_log (seq, at, actor_id, actor_role, action, outcome, resource_type, resource_id,
         patient_id, reason, ip, request_id, details, prev_hash, hash)
       VALUES (@seq, @at, @actor_id, @actor_role, @action, @outcome, @resource_type, @resource_id,
         @patient_id, @reason, @ip, @request_id, @details, @prev_hash, @hash)`,
    );
    this.saveCheckpoint = sqlite.prepare(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    this.loadCheckpoint = sqlite.prepare('SELECT value FROM meta WHERE key = ?').pluck();
    this.checkpointKey = { source: 'database', key: ensureDatabaseCheckpointKey(sqlite) };
    this.useCheckpointSecret(options.checkpointSecret);
  }

  /**
   * Signs head checkpoints from now on with a key derived from `secret` (JWT_SECRET); without a
   * secret, keeps the database key. A current checkpoint signed with the database key is re-signed
   * at once, but only if it is intact (valid signature, matching the newest row): a damaged one is
   * left for audit:verify to report.
   */
  useCheckpointSecret(secret: string | undefined): void {
    if (!secret) return;
    this.checkpointKey = { source: 'secret', key: checkpointKeyFromSecret(secret) };
    inTransaction(this.sqlite, () => {
      const checkpoint = readHeadCheckpoint(this.sqlite);
      const head = this.head.get() as { seq: number; hash: string } | undefined;
      if (!head || !checkpoint || checkpoint === 'malformed' || checkpoint.key !== 'database') return;
      const databaseKey = readDatabaseCheckpointKey(this.sqlite);
      const intact =
        databaseKey !== undefined &&
        checkpoint.seq === head.seq &&
        checkpoint.hash === head.hash &&
        checkpoint.mac === checkpointMac(databaseKey, checkpoint.seq, checkpoint.hash);
      if (intact) this.writeCheckpoint(head.seq, head.hash);
    });
  }

  private writeCheckpoint(seq: number, hash: string): void {
    const checkpoint: HeadCheckpoint = {
      v: 1,
      seq,
      hash,
      key: this.checkpointKey.source,
      mac: checkpointMac(this.checkpointKey.key, seq, hash),
    };
    this.saveCheckpoint.run(CHECKPOINT_META_KEY, JSON.stringify(checkpoint));
  }

  /** Appends one entry; returns the stored row. */
  record(entry: AuditEntry): AuditRow {
    return this.recordMany([entry])[0]!;
  }

  /**
   * Appends entries in one transaction with one head read and one checkpoint write, which is what
   * a burst of reads (group commit) needs; returns the stored rows in order.
   */
  recordMany(entries: readonly AuditEntry[]): AuditRow[] {
    if (entries.length === 0) return [];
    return inTransaction(this.sqlite, () => {
      const head = this.head.get() as { seq: number; hash: string } | undefined;
      // The checkpoint's seq is a high-water mark: if the newest rows were deleted, the next row
      // still gets a seq after them, so the gap stays visible instead of being papered over.
      const checkpoint = parseHeadCheckpoint(this.loadCheckpoint.get(CHECKPOINT_META_KEY) as string | undefined);
      const highWater = checkpoint && checkpoint !== 'malformed' ? checkpoint.seq : 0;
      let seq = Math.max(head?.seq ?? 0, highWater);
      let prevHash = head?.hash ?? GENESIS_HASH;
      const at = new Date().toISOString();
      const rows = entries.map((entry) => {
        const base = {
          seq: ++seq,
          at,
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
        const row: AuditRow = { ...base, prev_hash: prevHash, hash: hashAuditRow(base, prevHash) };
        this.insert.run(row);
        prevHash = row.hash;
        return row;
      });
      const last = rows[rows.length - 1]!;
      this.writeCheckpoint(last.seq, last.hash);
      return rows;
    });
  }
}

export interface AuditProblem {
  seq: number;
  problem: string;
}

export interface AuditVerification {
  rows: number;
  /** The newest row, when there is one. */
  head: { seq: number; hash: string } | null;
  problems: AuditProblem[];
  /** Things that could not be checked (not failures), e.g. the checkpoint key is unavailable. */
  warnings: string[];
}

export interface VerifyOptions {
  /** JWT_SECRET, to check checkpoints signed with it. */
  checkpointSecret?: string;
}

/**
 * Walks the whole chain and reports every row whose hash or link is wrong, every gap in the
 * sequence (a deleted row), and a chain whose newest rows are gone (by the head checkpoint).
 */
export function verifyAuditChain(sqlite: SQLite.Database, options: VerifyOptions = {}): AuditVerification {
  const problems: AuditProblem[] = [];
  const warnings: string[] = [];
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let rows = 0;
  let head: { seq: number; hash: string } | null = null;
  for (const row of sqlite.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as IterableIterator<AuditRow>) {
    rows++;
    if (row.seq !== expectedSeq) {
      problems.push({
        seq: expectedSeq,
        problem:
          row.seq - 1 === expectedSeq ? `row ${expectedSeq} is missing (deleted)` : `rows ${expectedSeq}..${row.seq - 1} are missing (deleted)`,
      });
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
    head = { seq: row.seq, hash: row.hash };
  }
  checkHead(sqlite, head, options, problems, warnings);
  return { rows, head, problems, warnings };
}

function checkHead(
  sqlite: SQLite.Database,
  head: { seq: number; hash: string } | null,
  options: VerifyOptions,
  problems: AuditProblem[],
  warnings: string[],
): void {
  const lastSeq = head?.seq ?? 0;
  const checkpoint = readHeadCheckpoint(sqlite);
  if (checkpoint === undefined) {
    if (head) problems.push({ seq: lastSeq, problem: 'the head checkpoint is missing, so deleted newest rows cannot be ruled out' });
    return;
  }
  if (checkpoint === 'malformed') {
    problems.push({ seq: lastSeq, problem: 'the head checkpoint is malformed' });
    return;
  }
  let key: Uint8Array | undefined;
  if (checkpoint.key === 'secret') {
    if (options.checkpointSecret) key = checkpointKeyFromSecret(options.checkpointSecret);
    else warnings.push('the head checkpoint is signed with a key from JWT_SECRET: set JWT_SECRET to check its signature');
  } else {
    key = readDatabaseCheckpointKey(sqlite);
    if (!key) problems.push({ seq: checkpoint.seq, problem: 'the head checkpoint key is missing from meta' });
    if (options.checkpointSecret) {
      warnings.push('the head checkpoint is signed with the database key, not JWT_SECRET: it is re-signed at the next audited event');
    }
  }
  if (key) {
    const expected = Buffer.from(checkpointMac(key, checkpoint.seq, checkpoint.hash), 'hex');
    const actual = Buffer.from(checkpoint.mac, 'hex');
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
      problems.push({ seq: checkpoint.seq, problem: 'the head checkpoint signature is invalid (forged, or signed with another key)' });
    }
  }
  if (checkpoint.seq > lastSeq) {
    problems.push({
      seq: lastSeq + 1,
      problem:
        checkpoint.seq === lastSeq + 1
          ? `row ${checkpoint.seq} is missing at the end of the log (the newest row was deleted)`
          : `rows ${lastSeq + 1}..${checkpoint.seq} are missing at the end of the log (the newest rows were deleted)`,
    });
  } else if (checkpoint.seq < lastSeq) {
    problems.push({ seq: checkpoint.seq + 1, problem: `rows ${checkpoint.seq + 1}..${lastSeq} were added without the audit log (not covered by the checkpoint)` });
  } else if (head && checkpoint.hash !== head.hash) {
    problems.push({ seq: lastSeq, problem: 'the newest row does not match the head checkpoint (it was replaced)' });
  }
}
