import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exited, freePort, spawnTsx } from '../../testing/processes.js';
import { ConfigError, loadConfig } from '../config.js';
import { AuditKeyError, decodeAuditKey, developmentAuditKeyPath, loadAuditKey, readAuditKeyFile } from './key.js';

const root = path.resolve(import.meta.dirname, '../../../..');

describe('the audit key', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-audit-key-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const keyFile = (mode: number, content = `${randomBytes(32).toString('base64')}\n`) => {
    const file = path.join(dir, `key-${mode.toString(8)}`);
    fs.writeFileSync(file, content);
    fs.chmodSync(file, mode);
    return file;
  };
  const settings = (extra: Record<string, string>) => ({ NODE_ENV: 'development', databasePath: path.join(dir, 'data', 'carebridge.db'), ...extra });

  it.each([
    ['64 hex digits', 'ab'.repeat(32), true],
    ['base64 of 32 bytes', randomBytes(32).toString('base64'), true],
    ['base64url of 48 bytes', randomBytes(48).toString('base64url'), true],
    ['16 bytes', randomBytes(16).toString('hex'), false],
    ['not a key', 'correct horse battery staple, but longer than 32 chars', false],
  ])('decodes %s: %s', (_name, text, ok) => {
    expect(Buffer.isBuffer(decodeAuditKey(text))).toBe(ok);
  });

  it('AUDIT_KEY: a short or malformed value stops the configuration with one line that does not show it', () => {
    const short = randomBytes(8).toString('hex');
    expect(() => loadConfig({ AUDIT_KEY: short })).toThrow(ConfigError);
    expect(() => loadConfig({ AUDIT_KEY: short })).toThrow(/^Invalid environment variable AUDIT_KEY: must be at least 32 bytes/);
    expect(() => loadConfig({ AUDIT_KEY: short })).not.toThrow(new RegExp(short));
    expect(loadAuditKey(settings({ AUDIT_KEY: 'cd'.repeat(32) }))).toMatchObject({ key: Buffer.from('cd'.repeat(32), 'hex'), source: 'AUDIT_KEY' });
  });

  it('AUDIT_KEY_FILE: 0600 and 0400 are accepted, anything others may read or write is refused', () => {
    const key = randomBytes(32);
    expect(readAuditKeyFile(keyFile(0o600, key.toString('hex')))).toEqual(key);
    expect(loadAuditKey(settings({ AUDIT_KEY_FILE: keyFile(0o400) }))?.source).toBe('AUDIT_KEY_FILE');
    for (const mode of [0o644, 0o640, 0o604, 0o660]) {
      expect(() => loadAuditKey(settings({ AUDIT_KEY_FILE: keyFile(mode) }))).toThrow(new RegExp(`mode 0${mode.toString(8)}; it must be 0600 or stricter`));
    }
    expect(() => loadAuditKey(settings({ AUDIT_KEY_FILE: path.join(dir, 'missing') }))).toThrow(/AUDIT_KEY_FILE: cannot read .*ENOENT/);
    expect(() => loadAuditKey(settings({ AUDIT_KEY_FILE: keyFile(0o600, 'too short') }))).toThrow(/must be hex or base64/);
    expect(() => loadAuditKey(settings({ AUDIT_KEY: 'ab'.repeat(32), AUDIT_KEY_FILE: keyFile(0o600) }))).toThrow(/not both/);
  });

  it('production without a key is refused; with one it loads', () => {
    expect(() => loadAuditKey(settings({ NODE_ENV: 'production' }))).toThrow(AuditKeyError);
    expect(() => loadAuditKey(settings({ NODE_ENV: 'production' }))).toThrow(/AUDIT_KEY or AUDIT_KEY_FILE is required when NODE_ENV=production/);
    expect(loadAuditKey(settings({ NODE_ENV: 'production', AUDIT_KEY_FILE: keyFile(0o600) }))?.source).toBe('AUDIT_KEY_FILE');
    // Nothing was generated behind the operator's back.
    expect(fs.existsSync(developmentAuditKeyPath(settings({}).databasePath))).toBe(false);
  });

  it('development generates a 0600 key file beside the database once, and reuses it', () => {
    const first = loadAuditKey(settings({}))!;
    const file = developmentAuditKeyPath(settings({}).databasePath);
    expect(first).toMatchObject({ source: 'development key file', file, generated: true });
    expect(path.dirname(file)).toBe(path.join(dir, 'data'));
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const second = loadAuditKey(settings({}))!;
    expect(second.generated).toBe(false);
    expect(second.key).toEqual(first.key);
    // audit:verify never creates one.
    expect(loadAuditKey(settings({ databasePath: path.join(dir, 'other.db') }), { generate: false })).toBeUndefined();
    expect(fs.existsSync(developmentAuditKeyPath(path.join(dir, 'other.db')))).toBe(false);
  });

  it('the server refuses to start in production without a key, saying what to set', async () => {
    const port = await freePort();
    const { child, output } = spawnTsx('server/src/main.ts', {
      cwd: root,
      env: { PATH: process.env.PATH, NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: `sqlite:${path.join(dir, 'prod.db')}`, LOG_LEVEL: 'silent' },
    });
    const code = await exited(child);
    expect(code).toBe(1);
    expect(output()).toContain('AUDIT_KEY or AUDIT_KEY_FILE is required when NODE_ENV=production');
  }, 60_000);
});
