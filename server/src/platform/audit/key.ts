/**
 * The audit checkpoint key: the HMAC key that signs the audit log's head checkpoint. It must live
 * outside the database, or whoever holds the database file can rewrite the chain and re-sign the
 * checkpoint. It comes from `AUDIT_KEY` (hex or base64, at least 32 bytes) or `AUDIT_KEY_FILE` (a
 * file holding such a key, mode 0600 or stricter). In production one of them is required; in
 * development and tests a key file is generated beside the database file (`<database>.audit-key`,
 * mode 0600) the first time. See README.md in this folder for what that protects and what not.
 */
import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const AUDIT_KEY_MIN_BYTES = 32;

/** A missing, malformed or unprotected audit key: the server does not start. */
export class AuditKeyError extends Error {
  override name = 'AuditKeyError';
}

/** The key bytes of an AUDIT_KEY value (hex, else base64 or base64url), or the reason it is not one. */
export function decodeAuditKey(text: string): Buffer | string {
  const value = text.trim();
  let key: Buffer;
  if (/^(?:[0-9a-fA-F]{2})+$/.test(value)) key = Buffer.from(value, 'hex');
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) key = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  else return 'must be hex or base64';
  if (key.length < AUDIT_KEY_MIN_BYTES) {
    return `must be at least ${AUDIT_KEY_MIN_BYTES} bytes (64 hex digits or 44 base64 characters; e.g. openssl rand -base64 32)`;
  }
  return key;
}

/** A short public id of a key (not the key): written in checkpoints so a wrong key is named as such. */
export function auditKeyId(key: Uint8Array): string {
  return createHmac('sha256', key).update('carebridge-audit-key-id').digest('hex').slice(0, 16);
}

/**
 * Reads a key file, refusing one that others may read or write (group/other bits set): a key
 * anyone on the machine can read protects nothing.
 */
export function readAuditKeyFile(file: string, variable = 'AUDIT_KEY_FILE'): Buffer {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    throw new AuditKeyError(`Invalid environment variable ${variable}: cannot read "${file}" (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  if (!stat.isFile()) throw new AuditKeyError(`Invalid environment variable ${variable}: "${file}" is not a file`);
  // Windows has no such mode bits; its ACLs are the operator's to set.
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
    throw new AuditKeyError(`Invalid environment variable ${variable}: "${file}" has mode ${mode}; it must be 0600 or stricter (chmod 600 "${file}")`);
  }
  const key = decodeAuditKey(fs.readFileSync(file, 'utf8'));
  if (typeof key === 'string') throw new AuditKeyError(`Invalid environment variable ${variable}: the key in "${file}" ${key}`);
  return key;
}

/** Where development generates its key: beside the database file, never inside it. */
export function developmentAuditKeyPath(databasePath: string): string {
  return `${path.resolve(databasePath)}.audit-key`;
}

export interface AuditKeySettings {
  AUDIT_KEY?: string | undefined;
  AUDIT_KEY_FILE?: string | undefined;
  NODE_ENV: string;
  /** The SQLite file, or ':memory:'. */
  databasePath: string;
}

export interface LoadedAuditKey {
  key: Buffer;
  /** Where it came from, for the start-up log (never the key). */
  source: 'AUDIT_KEY' | 'AUDIT_KEY_FILE' | 'development key file' | 'memory';
  file?: string;
  /** The development key file was created just now. */
  generated: boolean;
}

export const PRODUCTION_NEEDS_AUDIT_KEY =
  'AUDIT_KEY or AUDIT_KEY_FILE is required when NODE_ENV=production: the audit checkpoint key must be kept outside the database ' +
  '(e.g. openssl rand -base64 32 > /etc/carebridge/audit.key && chmod 600 /etc/carebridge/audit.key, then AUDIT_KEY_FILE=/etc/carebridge/audit.key)';

/**
 * The key the server signs checkpoints with. `generate: false` (audit:verify) never creates the
 * development file, and returns undefined when there is no key to be found.
 */
export function loadAuditKey(settings: AuditKeySettings, options: { generate?: boolean } = {}): LoadedAuditKey | undefined {
  const generate = options.generate ?? true;
  if (settings.AUDIT_KEY && settings.AUDIT_KEY_FILE) throw new AuditKeyError('Set AUDIT_KEY or AUDIT_KEY_FILE, not both.');
  if (settings.AUDIT_KEY) {
    const key = decodeAuditKey(settings.AUDIT_KEY);
    if (typeof key === 'string') throw new AuditKeyError(`Invalid environment variable AUDIT_KEY: ${key}`);
    return { key, source: 'AUDIT_KEY', generated: false };
  }
  if (settings.AUDIT_KEY_FILE) {
    const file = path.resolve(settings.AUDIT_KEY_FILE);
    return { key: readAuditKeyFile(file), source: 'AUDIT_KEY_FILE', file, generated: false };
  }
  if (settings.NODE_ENV === 'production') {
    if (generate) throw new AuditKeyError(PRODUCTION_NEEDS_AUDIT_KEY);
    return undefined;
  }
  if (settings.databasePath === ':memory:') {
    // The database vanishes with the process; so may its key.
    return generate ? { key: randomBytes(32), source: 'memory', generated: true } : undefined;
  }
  const file = developmentAuditKeyPath(settings.databasePath);
  if (fs.existsSync(file)) return { key: readAuditKeyFile(file, 'AUDIT_KEY_FILE (development key file)'), source: 'development key file', file, generated: false };
  if (!generate) return undefined;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try {
    fs.writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process made it first: use theirs.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return { key: readAuditKeyFile(file), source: 'development key file', file, generated: false };
  }
  return { key: readAuditKeyFile(file), source: 'development key file', file, generated: true };
}
