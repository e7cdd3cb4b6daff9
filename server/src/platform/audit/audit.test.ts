import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../db/index.js';
import {
  AuditLog,
  CHECKPOINT_BROKEN_ACTION,
  CHECKPOINT_META_KEY,
  KEY_MIGRATED_ACTION,
  LEGACY_DATABASE_KEY_META_KEY,
  checkpointMac,
  hashAuditRow,
  legacyKeyFromSecret,
  verifyAuditChain,
  type AuditRow,
} from './audit.js';

const KEY = randomBytes(32);
const OTHER_KEY = randomBytes(32);
const JWT_SECRET = 'a-secret-of-at-least-32-characters-long';

describe('audit chain verification', () => {
  let dir: string;
  let database: DatabaseHandle;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-audit-'));
    database = await openDatabase(path.join(dir, 'audit.db'));
  });
  afterEach(async () => {
    await database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const fill = (log: AuditLog, n: number) => {
    for (let i = 0; i < n; i++) log.record({ action: 'phi.read', actorId: 'u1', patientId: `p${i}`, reason: 'test' });
  };
  const dropTriggers = () => {
    database.sqlite.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;');
  };
  const meta = (key: string) => (database.sqlite.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  const setMeta = (key: string, value: string) =>
    database.sqlite.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  const rows = () => database.sqlite.prepare('SELECT * FROM audit_log ORDER BY seq').all() as AuditRow[];
  /** What an earlier version left: a checkpoint signed with a random key it kept in `meta`. */
  const makeLegacyDatabaseCheckpoint = () => {
    const legacyKey = randomBytes(32);
    setMeta(LEGACY_DATABASE_KEY_META_KEY, legacyKey.toString('base64'));
    const last = rows().at(-1)!;
    setMeta(CHECKPOINT_META_KEY, JSON.stringify({ v: 1, seq: last.seq, hash: last.hash, key: 'database', mac: checkpointMac(legacyKey, last.seq, last.hash) }));
    return legacyKey;
  };

  it('accepts an untouched log with its key, and names a different key as such', () => {
    fill(new AuditLog(database.sqlite, { key: KEY }), 3);
    expect(verifyAuditChain(database.sqlite, { key: KEY })).toMatchObject({ rows: 3, problems: [], warnings: [], head: { seq: 3 } });
    expect(verifyAuditChain(database.sqlite, { key: OTHER_KEY }).problems).toEqual([
      expect.objectContaining({ problem: expect.stringContaining('signed with another key') }),
    ]);
  });

  it('keeps no key in the database', () => {
    fill(new AuditLog(database.sqlite, { key: KEY }), 2);
    const stored = (database.sqlite.prepare('SELECT value FROM meta').all() as { value: string }[]).map((r) => r.value).join('\n');
    expect(stored).not.toContain(KEY.toString('base64'));
    expect(stored).not.toContain(KEY.toString('hex'));
    expect(meta(LEGACY_DATABASE_KEY_META_KEY)).toBeUndefined();
  });

  it('refuses a key shorter than 32 bytes', () => {
    expect(() => new AuditLog(database.sqlite, { key: randomBytes(16) })).toThrow(/at least 32 bytes/);
  });

  it('the database refuses updates and deletes while the triggers exist', () => {
    fill(new AuditLog(database.sqlite, { key: KEY }), 1);
    expect(() => database.sqlite.prepare("UPDATE audit_log SET reason = 'x'").run()).toThrow(/append-only/);
    expect(() => database.sqlite.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
  });

  it('flags deleted newest rows, and keeps the gap visible after new appends', () => {
    const log = new AuditLog(database.sqlite, { key: KEY });
    fill(log, 5);
    dropTriggers();
    database.sqlite.prepare('DELETE FROM audit_log WHERE seq >= 4').run();
    expect(verifyAuditChain(database.sqlite, { key: KEY }).problems).toEqual([{ seq: 4, problem: expect.stringContaining('rows 4..5 are missing at the end') }]);
    // The next append does not hide the truncation: it continues after the high-water mark, and
    // first records that the chain changed under it.
    log.record({ action: 'auth.login' });
    expect(rows().map((r) => [r.seq, r.action])).toEqual([[1, 'phi.read'], [2, 'phi.read'], [3, 'phi.read'], [6, CHECKPOINT_BROKEN_ACTION], [7, 'auth.login']]);
    expect(verifyAuditChain(database.sqlite, { key: KEY }).problems).toEqual([
      { seq: 4, problem: expect.stringContaining('rows 4..5 are missing (deleted)') },
      { seq: 6, problem: expect.stringContaining('rows 4..5 are missing at the end of the log') },
    ]);
  });

  it('records a newest row replaced while the server runs before the next append signs over it', () => {
    const log = new AuditLog(database.sqlite, { key: KEY });
    fill(log, 3);
    dropTriggers();
    const newest = rows().at(-1)!;
    const { hash: _h, prev_hash: _p, ...fields } = { ...newest, patient_id: 'someone-else' };
    database.sqlite.prepare('UPDATE audit_log SET patient_id = ?, hash = ? WHERE seq = ?').run('someone-else', hashAuditRow(fields, newest.prev_hash), newest.seq);
    const stored = log.record({ action: 'auth.login' });
    // The caller gets its own row back, after the recorded break.
    expect(stored).toMatchObject({ seq: 5, action: 'auth.login' });
    expect(rows().at(-2)).toMatchObject({ seq: 4, action: CHECKPOINT_BROKEN_ACTION, outcome: 'failure' });
    expect(verifyAuditChain(database.sqlite, { key: KEY }).problems).toEqual([{ seq: 4, problem: expect.stringContaining('newest row does not match') }]);
    // Another instance on the same database (a second composition) appending in turn is no break.
    const other = new AuditLog(database.sqlite, { key: KEY });
    other.record({ action: 'auth.login' });
    log.record({ action: 'auth.logout' });
    expect(rows().filter((r) => r.action === CHECKPOINT_BROKEN_ACTION)).toHaveLength(1);
  });

  it('flags a forged checkpoint and a missing one', () => {
    fill(new AuditLog(database.sqlite, { key: KEY }), 3);
    const cp = JSON.parse(meta(CHECKPOINT_META_KEY)!);
    setMeta(CHECKPOINT_META_KEY, JSON.stringify({ ...cp, seq: 2 }));
    const problems = verifyAuditChain(database.sqlite, { key: KEY }).problems.map((p) => p.problem);
    expect(problems.some((p) => p.includes('signature is invalid'))).toBe(true);
    database.sqlite.prepare('DELETE FROM meta WHERE key = ?').run(CHECKPOINT_META_KEY);
    expect(verifyAuditChain(database.sqlite, { key: KEY }).problems).toEqual([{ seq: 3, problem: expect.stringContaining('checkpoint is missing') }]);
  });

  it('moves an intact legacy in-database checkpoint to the audit key, deletes the old key and records it', () => {
    fill(new AuditLog(database.sqlite, { key: KEY }), 3);
    makeLegacyDatabaseCheckpoint();
    // Before the server starts with the new version, verify does not vouch for the old format.
    expect(verifyAuditChain(database.sqlite, { key: KEY }).problems).toEqual([expect.objectContaining({ problem: expect.stringContaining('old format') })]);
    const notices: string[] = [];
    new AuditLog(database.sqlite, { key: KEY, onNotice: (level, message) => notices.push(`${level}: ${message}`) });
    expect(meta(LEGACY_DATABASE_KEY_META_KEY)).toBeUndefined();
    expect(JSON.parse(meta(CHECKPOINT_META_KEY)!)).toMatchObject({ v: 2, seq: 4 });
    expect(rows().at(-1)).toMatchObject({ seq: 4, action: KEY_MIGRATED_ACTION, outcome: 'success' });
    expect(JSON.parse(rows().at(-1)!.details!)).toMatchObject({ from: 'database', checkpointSeq: 3, problem: null });
    expect(notices).toEqual([expect.stringMatching(/^info: audit checkpoint key moved out of the database/)]);
    expect(verifyAuditChain(database.sqlite, { key: KEY })).toMatchObject({ rows: 4, problems: [], warnings: [] });
    // A second start has nothing to migrate.
    new AuditLog(database.sqlite, { key: KEY });
    expect(rows()).toHaveLength(4);
  });

  it('migrates a legacy JWT_SECRET checkpoint when the secret is there, and records a failure when it is not', () => {
    fill(new AuditLog(database.sqlite, { key: KEY }), 2);
    const last = rows().at(-1)!;
    const legacy = JSON.stringify({ v: 1, seq: last.seq, hash: last.hash, key: 'secret', mac: checkpointMac(legacyKeyFromSecret(JWT_SECRET), last.seq, last.hash) });
    setMeta(CHECKPOINT_META_KEY, legacy);
    new AuditLog(database.sqlite, { key: KEY, legacySecret: JWT_SECRET });
    expect(rows().at(-1)).toMatchObject({ action: KEY_MIGRATED_ACTION, outcome: 'success' });
    expect(verifyAuditChain(database.sqlite, { key: KEY }).problems).toEqual([]);

    const head = rows().at(-1)!;
    setMeta(CHECKPOINT_META_KEY, JSON.stringify({ v: 1, seq: head.seq, hash: head.hash, key: 'secret', mac: checkpointMac(legacyKeyFromSecret(JWT_SECRET), head.seq, head.hash) }));
    new AuditLog(database.sqlite, { key: KEY });
    expect(rows().at(-1)).toMatchObject({ action: KEY_MIGRATED_ACTION, outcome: 'failure' });
    expect(verifyAuditChain(database.sqlite, { key: KEY }).problems).toEqual([
      { seq: head.seq + 1, problem: expect.stringContaining('JWT_SECRET, which is not set') },
    ]);
  });

  it('does not silently re-sign a legacy checkpoint that does not match the chain', () => {
    fill(new AuditLog(database.sqlite, { key: KEY }), 3);
    makeLegacyDatabaseCheckpoint();
    // Someone replaced the newest row and its hash, but could not (or did not) re-sign.
    dropTriggers();
    const newest = rows().at(-1)!;
    const forged = { ...newest, reason: 'nothing to see' };
    const { hash: _h, prev_hash: _p, ...fields } = forged;
    database.sqlite.prepare('UPDATE audit_log SET reason = ?, hash = ? WHERE seq = ?').run(forged.reason, hashAuditRow(fields, newest.prev_hash), newest.seq);
    new AuditLog(database.sqlite, { key: KEY });
    expect(rows().at(-1)).toMatchObject({ action: KEY_MIGRATED_ACTION, outcome: 'failure' });
    expect(verifyAuditChain(database.sqlite, { key: KEY }).problems).toEqual([
      { seq: 4, problem: expect.stringContaining('the newest row does not match the head checkpoint') },
    ]);
  });

  it('records a checkpoint broken while the server was down, so the next append cannot cover it', () => {
    fill(new AuditLog(database.sqlite, { key: KEY }), 3);
    dropTriggers();
    const newest = rows().at(-1)!;
    const { hash: _h, prev_hash: _p, ...fields } = { ...newest, actor_id: 'someone-else' };
    database.sqlite.prepare('UPDATE audit_log SET actor_id = ?, hash = ? WHERE seq = ?').run('someone-else', hashAuditRow(fields, newest.prev_hash), newest.seq);
    const notices: string[] = [];
    const log = new AuditLog(database.sqlite, { key: KEY, onNotice: (level) => notices.push(level) });
    log.record({ action: 'auth.login' });
    expect(notices).toEqual(['error']);
    expect(rows().map((r) => r.action)).toEqual(['phi.read', 'phi.read', 'phi.read', CHECKPOINT_BROKEN_ACTION, 'auth.login']);
    // The checkpoint now matches the chain again, but the recorded break stays a problem.
    expect(verifyAuditChain(database.sqlite, { key: KEY }).problems).toEqual([{ seq: 4, problem: expect.stringContaining('newest row does not match') }]);
  });
});
