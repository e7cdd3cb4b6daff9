import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../db/index.js';
import { AuditLog, CHECKPOINT_META_KEY, verifyAuditChain } from './audit.js';

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
    database.sqlite.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
  };

  it('accepts an untouched log, signed with the database key or a secret', () => {
    fill(new AuditLog(database.sqlite), 3);
    expect(verifyAuditChain(database.sqlite)).toMatchObject({ rows: 3, problems: [], warnings: [], head: { seq: 3 } });
    fill(new AuditLog(database.sqlite, { checkpointSecret: 'a-secret-of-at-least-32-characters-long' }), 2);
    expect(verifyAuditChain(database.sqlite, { checkpointSecret: 'a-secret-of-at-least-32-characters-long' })).toMatchObject({
      rows: 5,
      problems: [],
    });
    // Without the secret the signature cannot be checked: said so, but not a failure.
    expect(verifyAuditChain(database.sqlite).warnings[0]).toContain('JWT_SECRET');
    expect(verifyAuditChain(database.sqlite, { checkpointSecret: 'another-secret-of-at-least-32-characters' }).problems).toEqual([
      expect.objectContaining({ problem: expect.stringContaining('signature is invalid') }),
    ]);
  });

  it('the database refuses updates and deletes while the triggers exist', () => {
    fill(new AuditLog(database.sqlite), 1);
    expect(() => database.sqlite.prepare("UPDATE audit_log SET reason = 'x'").run()).toThrow(/append-only/);
    expect(() => database.sqlite.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
  });

  it('flags deleted newest rows, and keeps the gap visible after new appends', () => {
    const log = new AuditLog(database.sqlite);
    fill(log, 5);
    dropTriggers();
    database.sqlite.prepare('DELETE FROM audit_log WHERE seq >= 4').run();
    expect(verifyAuditChain(database.sqlite).problems).toEqual([{ seq: 4, problem: expect.stringContaining('rows 4..5 are missing at the end') }]);
    // The next append does not hide the truncation: it continues after the high-water mark.
    log.record({ action: 'auth.login' });
    expect(verifyAuditChain(database.sqlite).problems).toEqual([{ seq: 4, problem: expect.stringContaining('rows 4..5 are missing') }]);
  });

  it('flags a forged checkpoint and a missing one', () => {
    fill(new AuditLog(database.sqlite), 3);
    const cp = JSON.parse((database.sqlite.prepare('SELECT value FROM meta WHERE key = ?').get(CHECKPOINT_META_KEY) as { value: string }).value);
    database.sqlite.prepare('UPDATE meta SET value = ? WHERE key = ?').run(JSON.stringify({ ...cp, seq: 2 }), CHECKPOINT_META_KEY);
    const problems = verifyAuditChain(database.sqlite).problems.map((p) => p.problem);
    expect(problems.some((p) => p.includes('signature is invalid'))).toBe(true);
    database.sqlite.prepare('DELETE FROM meta WHERE key = ?').run(CHECKPOINT_META_KEY);
    expect(verifyAuditChain(database.sqlite).problems).toEqual([{ seq: 3, problem: expect.stringContaining('checkpoint is missing') }]);
  });

  it('re-signs an intact database-key checkpoint when a secret is configured', () => {
    const log = new AuditLog(database.sqlite);
    fill(log, 2);
    log.useCheckpointSecret('a-secret-of-at-least-32-characters-long');
    expect(verifyAuditChain(database.sqlite, { checkpointSecret: 'a-secret-of-at-least-32-characters-long' })).toMatchObject({
      problems: [],
      warnings: [],
    });
  });
});
