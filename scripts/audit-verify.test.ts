/**
 * End to end: the audit:verify script run as a separate process against real databases, one left
 * alone and others tampered with the way someone holding the file would (drop the append-only
 * triggers, then edit or delete rows).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../server/src/platform/db/index.js';
import { AuditLog } from '../server/src/platform/audit/audit.js';

const root = path.resolve(import.meta.dirname, '..');
const SECRET = 'audit-verify-test-secret-of-32-characters';

function runVerify(args: string[], env: Record<string, string> = {}) {
  const { JWT_SECRET: _ignored, DATABASE_URL: _ignored2, ...inherited } = process.env;
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/audit-verify.ts', ...args], {
    cwd: root,
    env: { ...inherited, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

describe('npm run audit:verify', () => {
  let dir: string;
  const files: Record<string, string> = {};

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-audit-verify-'));
    for (const name of ['clean', 'edited', 'deleted', 'truncated', 'secret']) {
      const file = path.join(dir, `${name}.db`);
      const database = await openDatabase(file);
      const log = new AuditLog(database.sqlite, name === 'secret' ? { checkpointSecret: SECRET } : {});
      for (let i = 1; i <= 6; i++) {
        log.record({ action: 'phi.read', actorId: 'agent-1', actorRole: 'agent', patientId: `patient-${i}`, reason: 'Inbound call' });
      }
      await database.close();
      files[name] = file;
    }
    const tamper = (file: string, sql: string) => {
      const db = new SQLite(file);
      db.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;');
      db.exec(sql);
      db.close();
    };
    tamper(files.edited!, "UPDATE audit_log SET reason = 'nothing to see here' WHERE seq = 3");
    tamper(files.deleted!, 'DELETE FROM audit_log WHERE seq = 4');
    tamper(files.truncated!, 'DELETE FROM audit_log WHERE seq >= 5');
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('passes an untouched log (DATABASE_URL or --database)', () => {
    const viaUrl = runVerify([], { DATABASE_URL: `sqlite:${files.clean}` });
    expect(viaUrl.out).toContain('audit log OK: 6 rows');
    expect(viaUrl.code).toBe(0);
    const viaFlag = runVerify(['--database', files.clean!]);
    expect(viaFlag.code).toBe(0);
    expect(viaFlag.out).toMatch(/head: seq 6 hash [0-9a-f]{64}/);
  });

  it('flags an edited row', () => {
    const { code, out } = runVerify(['--database', files.edited!]);
    expect(code).toBe(1);
    expect(out).toContain('seq 3: hash does not match the row content (the row was edited)');
    expect(out).not.toContain('audit log OK');
  });

  it('flags a deleted row', () => {
    const { code, out } = runVerify(['--database', files.deleted!]);
    expect(code).toBe(1);
    expect(out).toContain('seq 4: row 4 is missing (deleted)');
  });

  it('flags deleted newest rows by the head checkpoint', () => {
    const { code, out } = runVerify(['--database', files.truncated!]);
    expect(code).toBe(1);
    expect(out).toContain('seq 5: rows 5..6 are missing at the end of the log');
  });

  it('checks a secret-signed checkpoint with JWT_SECRET and rejects the wrong secret', () => {
    expect(runVerify(['--database', files.secret!], { JWT_SECRET: SECRET }).code).toBe(0);
    const wrong = runVerify(['--database', files.secret!], { JWT_SECRET: 'not-the-secret-but-32-characters-long!!' });
    expect(wrong.code).toBe(1);
    expect(wrong.out).toContain('signature is invalid');
  });

  it('exits 2 when there is no database', () => {
    const { code, out } = runVerify(['--database', path.join(dir, 'missing.db')]);
    expect(code).toBe(2);
    expect(out).toContain('no database');
  });
});
