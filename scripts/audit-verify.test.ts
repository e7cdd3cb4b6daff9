/**
 * End to end: the audit:verify script run as a separate process against real databases, one left
 * alone and others tampered with the way someone holding the file would (drop the append-only
 * triggers, then edit or delete rows, or rewrite the whole chain and re-sign its checkpoint the way
 * the log used to, with a key kept in the database).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../server/src/platform/db/index.js';
import { AuditLog, CHECKPOINT_META_KEY, GENESIS_HASH, checkpointMac, hashAuditRow, type AuditRow } from '../server/src/platform/audit/audit.js';
import { developmentAuditKeyPath, loadAuditKey } from '../server/src/platform/audit/key.js';

const root = path.resolve(import.meta.dirname, '..');
const KEY = randomBytes(32);
const KEY_B64 = KEY.toString('base64');

function runVerify(args: string[], env: Record<string, string> = {}) {
  const { AUDIT_KEY: _a, AUDIT_KEY_FILE: _b, DATABASE_URL: _c, NODE_ENV: _d, ...inherited } = process.env;
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/audit-verify.ts', ...args], {
    cwd: root,
    env: { ...inherited, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

/** Rewrites every row's hash after an edit, as someone with the file and this code could. */
function rewriteChain(db: SQLite.Database): AuditRow {
  let prev = GENESIS_HASH;
  let last: AuditRow | undefined;
  for (const row of db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as AuditRow[]) {
    const { hash: _h, prev_hash: _p, ...fields } = row;
    const hash = hashAuditRow(fields, prev);
    db.prepare('UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?').run(prev, hash, row.seq);
    last = { ...row, prev_hash: prev, hash };
    prev = hash;
  }
  return last!;
}

describe('npm run audit:verify', () => {
  let dir: string;
  const files: Record<string, string> = {};

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-audit-verify-'));
    for (const name of ['clean', 'edited', 'deleted', 'truncated', 'rewritten-old-way', 'rewritten-own-key', 'development']) {
      const file = path.join(dir, `${name}.db`);
      const database = await openDatabase(file);
      const key = name === 'development' ? loadAuditKey({ NODE_ENV: 'development', databasePath: file })!.key : KEY;
      const log = new AuditLog(database.sqlite, { key });
      for (let i = 1; i <= 6; i++) {
        log.record({ action: 'phi.read', actorId: 'agent-1', actorRole: 'agent', patientId: `patient-${i}`, reason: 'Inbound call' });
      }
      await database.close();
      files[name] = file;
    }
    const tamper = (file: string, work: (db: SQLite.Database) => void) => {
      const db = new SQLite(file);
      db.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;');
      work(db);
      db.close();
    };
    tamper(files.edited!, (db) => db.exec("UPDATE audit_log SET reason = 'nothing to see here' WHERE seq = 3"));
    tamper(files.deleted!, (db) => db.exec('DELETE FROM audit_log WHERE seq = 4'));
    tamper(files.truncated!, (db) => db.exec('DELETE FROM audit_log WHERE seq >= 5'));
    // The old approach: the checkpoint key sat in `meta`, so whoever had the file could re-sign.
    tamper(files['rewritten-old-way']!, (db) => {
      db.exec("UPDATE audit_log SET actor_id = 'someone-else' WHERE seq = 2");
      const last = rewriteChain(db);
      const planted = randomBytes(32);
      db.prepare("INSERT INTO meta (key, value) VALUES ('audit_checkpoint_key', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(planted.toString('base64'));
      db.prepare('UPDATE meta SET value = ? WHERE key = ?').run(
        JSON.stringify({ v: 1, seq: last.seq, hash: last.hash, key: 'database', mac: checkpointMac(planted, last.seq, last.hash) }),
        CHECKPOINT_META_KEY,
      );
    });
    // A rewrite signed in the current format, but with a key of the attacker's own.
    tamper(files['rewritten-own-key']!, (db) => {
      db.exec("UPDATE audit_log SET patient_id = 'patient-99' WHERE seq = 5");
      const last = rewriteChain(db);
      const current = JSON.parse((db.prepare('SELECT value FROM meta WHERE key = ?').get(CHECKPOINT_META_KEY) as { value: string }).value);
      db.prepare('UPDATE meta SET value = ? WHERE key = ?').run(
        JSON.stringify({ ...current, hash: last.hash, mac: checkpointMac(randomBytes(32), last.seq, last.hash) }),
        CHECKPOINT_META_KEY,
      );
    });
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('passes an untouched log (DATABASE_URL or --database; AUDIT_KEY or AUDIT_KEY_FILE)', () => {
    const viaUrl = runVerify([], { DATABASE_URL: `sqlite:${files.clean}`, AUDIT_KEY: KEY_B64 });
    expect(viaUrl.out).toContain('audit log OK: 6 rows');
    expect(viaUrl.code).toBe(0);
    const keyFile = path.join(dir, 'audit.key');
    fs.writeFileSync(keyFile, KEY.toString('hex'), { mode: 0o600 });
    const viaFlag = runVerify(['--database', files.clean!], { AUDIT_KEY_FILE: keyFile });
    expect(viaFlag.code).toBe(0);
    expect(viaFlag.out).toMatch(/head: seq 6 hash [0-9a-f]{64}/);
    expect(runVerify(['--database', files.clean!, '--key-file', keyFile]).code).toBe(0);
  });

  it('needs the key: exits 2 with what to set when there is none, refuses a key file others can read', () => {
    const none = runVerify(['--database', files.clean!]);
    expect(none.code).toBe(2);
    expect(none.out).toContain('audit:verify needs the audit key the server signs with: set AUDIT_KEY or AUDIT_KEY_FILE');
    const open = path.join(dir, 'open.key');
    fs.writeFileSync(open, KEY_B64, { mode: 0o644 });
    fs.chmodSync(open, 0o644);
    const refused = runVerify(['--database', files.clean!], { AUDIT_KEY_FILE: open });
    expect(refused.code).toBe(2);
    expect(refused.out).toContain('it must be 0600 or stricter');
  });

  it('fails with another key', () => {
    const { code, out } = runVerify(['--database', files.clean!], { AUDIT_KEY: randomBytes(32).toString('base64') });
    expect(code).toBe(1);
    expect(out).toContain('signed with another key');
  });

  it('flags an edited row', () => {
    const { code, out } = runVerify(['--database', files.edited!], { AUDIT_KEY: KEY_B64 });
    expect(code).toBe(1);
    expect(out).toContain('seq 3: hash does not match the row content (the row was edited)');
    expect(out).not.toContain('audit log OK');
  });

  it('flags a deleted row', () => {
    const { code, out } = runVerify(['--database', files.deleted!], { AUDIT_KEY: KEY_B64 });
    expect(code).toBe(1);
    expect(out).toContain('seq 4: row 4 is missing (deleted)');
  });

  it('flags deleted newest rows by the head checkpoint', () => {
    const { code, out } = runVerify(['--database', files.truncated!], { AUDIT_KEY: KEY_B64 });
    expect(code).toBe(1);
    expect(out).toContain('seq 5: rows 5..6 are missing at the end of the log');
  });

  it('a chain rewritten and re-signed the old way, with a key planted in the database, no longer passes', () => {
    const { code, out } = runVerify(['--database', files['rewritten-old-way']!], { AUDIT_KEY: KEY_B64 });
    expect(code).toBe(1);
    expect(out).toContain('the head checkpoint is in the old format, signed with a key kept in the database');
  });

  it('a chain rewritten and signed with a key other than the audit key does not pass', () => {
    const { code, out } = runVerify(['--database', files['rewritten-own-key']!], { AUDIT_KEY: KEY_B64 });
    expect(code).toBe(1);
    expect(out).toContain('the head checkpoint signature is invalid');
  });

  it('in development, finds the generated key file beside the database and says so', () => {
    expect(fs.existsSync(developmentAuditKeyPath(files.development!))).toBe(true);
    const { code, out } = runVerify(['--database', files.development!]);
    expect(code).toBe(0);
    expect(out).toContain('note: using the development key file');
    // In production there is no such fallback.
    expect(runVerify(['--database', files.development!], { NODE_ENV: 'production' }).code).toBe(2);
  });

  it('exits 2 when there is no database', () => {
    const { code, out } = runVerify(['--database', path.join(dir, 'missing.db')], { AUDIT_KEY: KEY_B64 });
    expect(code).toBe(2);
    expect(out).toContain('no database');
  });
});
