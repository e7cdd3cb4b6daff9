/**
 * The append-only, hash-chained audit log. Each row's hash is SHA-256 over the previous row's hash
 * and the row's own fields, so editing or deleting any row breaks every hash after it.
 * Writes are synchronous so that reading the chain head and appending are atomic.
 *
 * Deleting the newest rows, or rewriting the whole chain, would leave a chain that still links, so
 * every append also stores a head checkpoint in `meta` (`audit_head`: the last seq and hash, with an
 * HMAC under the audit key). The key is never in the database (key.ts: AUDIT_KEY or AUDIT_KEY_FILE),
 * so whoever holds only the database file cannot sign a checkpoint for a chain they rewrote.
 * Verification compares the chain's last row with the checkpoint. The checkpoint's seq is also a
 * high-water mark for the next append, so a later legitimate append cannot hide a truncation: the
 * missing seqs stay a visible gap. The threat model: README.md in this folder.
 */
import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type SQLite from 'better-sqlite3';
import { inTransaction } from '../db/index.js';
import { AUDIT_KEY_MIN_BYTES, auditKeyId } from './key.js';

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
/** Where earlier versions kept a random checkpoint key: in the database itself. Deleted at start. */
export const LEGACY_DATABASE_KEY_META_KEY = 'audit_checkpoint_key';

/** The audit row the log writes when, at start, its head checkpoint did not verify (or was in the old format). */
export const CHECKPOINT_BROKEN_ACTION = 'audit.checkpoint.broken';
export const KEY_MIGRATED_ACTION = 'audit.key.migrated';

/** A head checkpoint signed with the audit key (`kid` names the key, not the key). */
export interface HeadCheckpoint {
  v: 2;
  seq: number;
  hash: string;
  kid: string;
  mac: string;
}

/** The format of earlier versions: signed with a key kept in `meta` or derived from JWT_SECRET. */
export interface LegacyHeadCheckpoint {
  v: 1;
  seq: number;
  hash: string;
  key: 'secret' | 'database';
  mac: string;
}

/** The key earlier versions derived from JWT_SECRET, to check a legacy checkpoint once before re-signing it. */
export function legacyKeyFromSecret(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.from('carebridge'), Buffer.from('audit-head-checkpoint'), 32));
}

export function checkpointMac(key: Uint8Array, seq: number, hash: string): string {
  return createHmac('sha256', key).update(`audit-head:${seq}:${hash}`).digest('hex');
}

function macMatches(key: Uint8Array, checkpoint: { seq: number; hash: string; mac: string }): boolean {
  const expected = Buffer.from(checkpointMac(key, checkpoint.seq, checkpoint.hash), 'hex');
  const actual = Buffer.from(checkpoint.mac, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export function readHeadCheckpoint(sqlite: SQLite.Database): HeadCheckpoint | LegacyHeadCheckpoint | undefined | 'malformed' {
  const row = sqlite.prepare('SELECT value FROM meta WHERE key = ?').get(CHECKPOINT_META_KEY) as { value: string } | undefined;
  return parseHeadCheckpoint(row?.value);
}

function parseHeadCheckpoint(value: string | undefined): HeadCheckpoint | LegacyHeadCheckpoint | undefined | 'malformed' {
  if (value === undefined) return undefined;
  try {
    const cp = JSON.parse(value) as Partial<HeadCheckpoint> | Partial<LegacyHeadCheckpoint>;
    const common = Number.isInteger(cp.seq) && typeof cp.hash === 'string' && typeof cp.mac === 'string';
    if (common && cp.v === 2 && typeof cp.kid === 'string') return cp as HeadCheckpoint;
    if (common && cp.v === 1 && (cp.key === 'secret' || cp.key === 'database')) return cp as LegacyHeadCheckpoint;
  } catch {
    // fall through: a checkpoint that is not our JSON is reported as malformed
  }
  return 'malformed';
}

function readLegacyDatabaseKey(sqlite: SQLite.Database): Buffer | undefined {
  const row = sqlite.prepare('SELECT value FROM meta WHERE key = ?').get(LEGACY_DATABASE_KEY_META_KEY) as { value: string } | undefined;
  return row ? Buffer.from(row.value, 'base64') : undefined;
}

/** What is wrong with the head checkpoint given the newest row, or null when it is intact. */
function checkpointProblem(
  checkpoint: HeadCheckpoint | LegacyHeadCheckpoint | undefined | 'malformed',
  head: { seq: number; hash: string } | undefined,
  keyFor: (checkpoint: HeadCheckpoint | LegacyHeadCheckpoint) => Uint8Array | string,
): string | null {
  if (checkpoint === undefined) return head ? 'the head checkpoint is missing' : null;
  if (checkpoint === 'malformed') return 'the head checkpoint is malformed';
  const key = keyFor(checkpoint);
  if (typeof key === 'string') return key;
  if (!macMatches(key, checkpoint)) return 'the head checkpoint signature is invalid (forged, or signed with another key)';
  const lastSeq = head?.seq ?? 0;
  if (checkpoint.seq > lastSeq) return `rows ${lastSeq + 1}..${checkpoint.seq} are missing at the end of the log`;
  if (checkpoint.seq < lastSeq) return `rows ${checkpoint.seq + 1}..${lastSeq} were added without the audit log`;
  if (head && checkpoint.hash !== head.hash) return 'the newest row does not match the head checkpoint (it was replaced)';
  return null;
}

function brokenCheckpointEntry(when: string, problem: string, head: { seq: number } | undefined, keyId: string): AuditEntry {
  return { action: CHECKPOINT_BROKEN_ACTION, outcome: 'failure', resourceType: 'AuditLog', reason: when, details: { problem, headSeq: head?.seq ?? 0, keyId } };
}

export interface AuditLogOptions {
  /** The checkpoint key (see key.ts): never stored in the database. */
  key: Uint8Array;
  /** JWT_SECRET, only to check a checkpoint an earlier version signed with it before re-signing it. */
  legacySecret?: string | undefined;
  /** Told what the checks found (the key moved out of the database, a broken checkpoint at start or before an append). */
  onNotice?: (level: 'info' | 'warn' | 'error', message: string, details: Record<string, unknown>) => void;
}

export class AuditLog {
  private readonly head;
  private readonly insert;
  private readonly saveCheckpoint;
  private readonly loadCheckpoint;
  private readonly key: Buffer;
  private readonly kid: string;
  private readonly notice: NonNullable<AuditLogOptions['onNotice']>;
  /** The checkpoint this instance wrote last: while it is still there, an append need not check its MAC. */
  private lastWritten: string | undefined;

  constructor(
    private readonly sqlite: SQLite.Database,
    options: AuditLogOptions,
  ) {
    if (options.key.length < AUDIT_KEY_MIN_BYTES) throw new Error(`The audit key must be at least ${AUDIT_KEY_MIN_BYTES} bytes.`);
    this.key = Buffer.from(options.key);
    this.kid = auditKeyId(this.key);
    this.notice = options.onNotice ?? (() => {});
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
    this.checkOnOpen(options);
  }

  /**
   * At start: a checkpoint in the old format (signed with the key kept in `meta`, or one derived from
   * JWT_SECRET) is checked with that key once and re-signed with the audit key, and the key in `meta`
   * is deleted; a row (`audit.key.migrated`) records it. A checkpoint that does not verify (old or
   * new format) is not silently re-signed: a `failure` row records what was wrong, which
   * audit:verify reports from then on. The next append signs with the audit key either way.
   */
  private checkOnOpen(options: AuditLogOptions): void {
    const notice = this.notice;
    inTransaction(this.sqlite, () => {
      const checkpoint = readHeadCheckpoint(this.sqlite);
      const head = this.head.get() as { seq: number; hash: string } | undefined;
      const databaseKey = readLegacyDatabaseKey(this.sqlite);
      const legacy = checkpoint !== undefined && checkpoint !== 'malformed' && checkpoint.v === 1 ? checkpoint : undefined;
      const problem = checkpointProblem(checkpoint, head, (cp) => {
        if (cp.v === 2) return cp.kid === this.kid ? this.key : `the head checkpoint is signed with another key (id ${cp.kid}; the configured key is ${this.kid})`;
        if (cp.key === 'database') return databaseKey ?? 'the old in-database checkpoint key is missing';
        return options.legacySecret ? legacyKeyFromSecret(options.legacySecret) : 'the head checkpoint was signed with a key from JWT_SECRET, which is not set';
      });
      if (legacy) {
        const migrated: AuditEntry = {
          action: KEY_MIGRATED_ACTION,
          outcome: problem ? 'failure' : 'success',
          resourceType: 'AuditLog',
          reason: 'checkpoint key moved out of the database',
          details: { from: legacy.key === 'database' ? 'database' : 'JWT_SECRET', checkpointSeq: legacy.seq, keyId: this.kid, problem },
        };
        this.appendRows([migrated], { check: false });
        const message = problem
          ? 'audit checkpoint key moved out of the database; the old checkpoint did not verify: run npm run audit:verify'
          : 'audit checkpoint key moved out of the database: the checkpoint was re-signed with the audit key';
        notice(problem ? 'warn' : 'info', message, { checkpointSeq: legacy.seq, problem });
      } else if (problem) {
        this.appendRows([brokenCheckpointEntry('start-up check', problem, head, this.kid)], { check: false });
        notice('error', 'the audit log head checkpoint did not verify at start: run npm run audit:verify', { problem });
      }
      if (databaseKey) {
        this.sqlite.prepare('DELETE FROM meta WHERE key = ?').run(LEGACY_DATABASE_KEY_META_KEY);
        if (!legacy) notice('info', 'deleted the old audit checkpoint key from the database', {});
      }
    });
  }

  private writeCheckpoint(seq: number, hash: string): void {
    const checkpoint: HeadCheckpoint = { v: 2, seq, hash, kid: this.kid, mac: checkpointMac(this.key, seq, hash) };
    this.lastWritten = JSON.stringify(checkpoint);
    this.saveCheckpoint.run(CHECKPOINT_META_KEY, this.lastWritten);
  }

  /**
   * Before an append: whether the checkpoint still covers the newest row and is ours. Cheap while it
   * is the one this instance wrote; otherwise (another instance wrote it, or someone edited the file
   * while the server ran) its signature is checked.
   */
  private liveProblem(raw: string | undefined, checkpoint: ReturnType<typeof parseHeadCheckpoint>, head: { seq: number; hash: string } | undefined): string | null {
    const matchesHead = checkpoint !== undefined && checkpoint !== 'malformed' && head !== undefined && checkpoint.seq === head.seq && checkpoint.hash === head.hash;
    if (raw !== undefined && raw === this.lastWritten && matchesHead) return null;
    return checkpointProblem(checkpoint, head, (cp) =>
      cp.v === 1 ? 'the head checkpoint is in the old format' : cp.kid === this.kid ? this.key : `the head checkpoint is signed with another key (id ${cp.kid})`,
    );
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
    return inTransaction(this.sqlite, () => this.appendRows(entries));
  }

  /** Inside a transaction: appends the rows and writes the checkpoint. */
  private appendRows(requested: readonly AuditEntry[], options: { check?: boolean } = {}): AuditRow[] {
    {
      const head = this.head.get() as { seq: number; hash: string } | undefined;
      // The checkpoint's seq is a high-water mark: if the newest rows were deleted, the next row
      // still gets a seq after them, so the gap stays visible instead of being papered over.
      const raw = this.loadCheckpoint.get(CHECKPOINT_META_KEY) as string | undefined;
      const checkpoint = parseHeadCheckpoint(raw);
      // A chain changed under a running server is recorded before the append signs over it.
      const problem = options.check === false ? null : this.liveProblem(raw, checkpoint, head);
      const entries = problem ? [brokenCheckpointEntry('before an append', problem, head, this.kid), ...requested] : requested;
      if (problem) this.notice('error', 'the audit log head checkpoint did not match the chain before an append: run npm run audit:verify', { problem });
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
      return rows.slice(entries.length - requested.length);
    }
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
  /** The audit key the server signs checkpoints with (AUDIT_KEY / AUDIT_KEY_FILE). */
  key: Uint8Array;
}

/**
 * Walks the whole chain and reports every row whose hash or link is wrong, every gap in the
 * sequence (a deleted row), a chain whose newest rows are gone or replaced (by the head checkpoint,
 * which must be signed with `key`), and every check (at start or before an append) that found the checkpoint broken.
 */
export function verifyAuditChain(sqlite: SQLite.Database, options: VerifyOptions): AuditVerification {
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
    if ((row.action === CHECKPOINT_BROKEN_ACTION || row.action === KEY_MIGRATED_ACTION) && row.outcome === 'failure') {
      const found = (parseDetails(row.details).problem as string | undefined) ?? 'unknown';
      problems.push({ seq: row.seq, problem: `at this point the server found the head checkpoint broken (${found}): rows before it may have been changed` });
    }
    prevHash = row.hash;
    expectedSeq = row.seq + 1;
    head = { seq: row.seq, hash: row.hash };
  }
  checkHead(sqlite, head, options, problems);
  if (readLegacyDatabaseKey(sqlite)) warnings.push('an old checkpoint key is still stored in the database: the server deletes it at its next start');
  return { rows, head, problems, warnings };
}

function parseDetails(details: string | null): Record<string, unknown> {
  try {
    return details ? (JSON.parse(details) as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function checkHead(sqlite: SQLite.Database, head: { seq: number; hash: string } | null, options: VerifyOptions, problems: AuditProblem[]): void {
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
  if (checkpoint.v === 1) {
    // Whoever holds the file held that key too (or could derive nothing, but need not have).
    problems.push({
      seq: checkpoint.seq,
      problem: `the head checkpoint is in the old format, signed with a key ${checkpoint.key === 'database' ? 'kept in the database' : 'derived from JWT_SECRET'}, which proves nothing against whoever holds the file: start the server once with AUDIT_KEY or AUDIT_KEY_FILE to re-sign it`,
    });
  } else {
    const kid = auditKeyId(options.key);
    if (checkpoint.kid !== kid) {
      problems.push({ seq: checkpoint.seq, problem: `the head checkpoint is signed with another key (id ${checkpoint.kid}; the key given has id ${kid})` });
    } else if (!macMatches(options.key, checkpoint)) {
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
