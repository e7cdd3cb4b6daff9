/**
 * npm run audit:verify [-- --database path] [--key-file path]
 *
 * Walks the audit log's hash chain and checks its head checkpoint with the audit key. Prints
 * `audit log OK: N rows` and exits 0, or prints each problem (seq and what) and exits 1; 2 when the
 * database cannot be read or there is no key. The database is DATABASE_URL (sqlite:<path>) or
 * --database; it is opened read-only. The key is the server's: AUDIT_KEY, AUDIT_KEY_FILE or
 * --key-file, else (development) the generated key file beside the database. See
 * server/src/platform/audit/README.md for what a pass does and does not prove.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import SQLite from 'better-sqlite3';
import { verifyAuditChain } from '../server/src/platform/audit/audit.js';
import { AuditKeyError, developmentAuditKeyPath, loadAuditKey, readAuditKeyFile } from '../server/src/platform/audit/key.js';

const DEFAULT_DATABASE_URL = 'sqlite:./data/carebridge.db';

function options(): { file: string; keyFile: string | undefined } {
  const { values } = parseArgs({
    options: { database: { type: 'string', short: 'd' }, 'key-file': { type: 'string' } },
    allowPositionals: false,
  });
  let file = values.database;
  if (!file) {
    const url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
    if (!url.startsWith('sqlite:')) throw new Error(`DATABASE_URL must look like sqlite:<path> (got "${url}")`);
    file = url.slice('sqlite:'.length);
  }
  return { file, keyFile: values['key-file'] };
}

function auditKey(file: string, keyFile: string | undefined): Buffer {
  if (keyFile) return readAuditKeyFile(keyFile, '--key-file');
  const loaded = loadAuditKey(
    { AUDIT_KEY: process.env.AUDIT_KEY || undefined, AUDIT_KEY_FILE: process.env.AUDIT_KEY_FILE || undefined, NODE_ENV: process.env.NODE_ENV ?? 'development', databasePath: file },
    { generate: false },
  );
  if (!loaded) {
    throw new AuditKeyError(
      `audit:verify needs the audit key the server signs with: set AUDIT_KEY or AUDIT_KEY_FILE as the server has them, or pass --key-file (no development key file at ${developmentAuditKeyPath(file)})`,
    );
  }
  if (loaded.source === 'development key file') console.warn(`note: using the development key file ${loaded.file}, which sits beside the database and protects nothing against whoever holds both`);
  return loaded.key;
}

function main(): number {
  let file: string;
  let key: Buffer;
  try {
    const parsed = options();
    file = parsed.file;
    if (!fs.existsSync(file)) {
      console.error(`audit:verify: no database at ${file}`);
      return 2;
    }
    key = auditKey(file, parsed.keyFile);
  } catch (err) {
    console.error(`audit:verify: ${(err as Error).message}`);
    return 2;
  }
  const sqlite = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    const result = verifyAuditChain(sqlite, { key });
    for (const warning of result.warnings) console.warn(`warning: ${warning}`);
    if (result.problems.length === 0) {
      console.log(`audit log OK: ${result.rows} rows`);
      if (result.head) console.log(`head: seq ${result.head.seq} hash ${result.head.hash}`);
      return 0;
    }
    console.log(`audit log FAILED: ${result.problems.length} problem(s) in ${result.rows} rows`);
    for (const p of result.problems) console.log(`seq ${p.seq}: ${p.problem}`);
    return 1;
  } catch (err) {
    console.error(`audit:verify: cannot read the audit log: ${(err as Error).message}`);
    return 2;
  } finally {
    sqlite.close();
  }
}

process.exitCode = main();
