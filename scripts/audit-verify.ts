/**
 * npm run audit:verify [-- --database path]
 *
 * Walks the audit log's hash chain and checks its head checkpoint. Prints `audit log OK: N rows`
 * and exits 0, or prints each problem (seq and what) and exits 1; 2 when the database cannot be
 * read. The database is DATABASE_URL (sqlite:<path>) or --database; it is opened read-only.
 * JWT_SECRET, when set, checks the checkpoint's signature (see server/src/platform/audit/audit.ts).
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import SQLite from 'better-sqlite3';
import { verifyAuditChain } from '../server/src/platform/audit/audit.js';

const DEFAULT_DATABASE_URL = 'sqlite:./data/carebridge.db';

function databasePath(): string {
  const { values } = parseArgs({ options: { database: { type: 'string', short: 'd' } }, allowPositionals: false });
  if (values.database) return values.database;
  const url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  if (!url.startsWith('sqlite:')) throw new Error(`DATABASE_URL must look like sqlite:<path> (got "${url}")`);
  return url.slice('sqlite:'.length);
}

function main(): number {
  let file: string;
  try {
    file = databasePath();
  } catch (err) {
    console.error(`audit:verify: ${(err as Error).message}`);
    return 2;
  }
  if (!fs.existsSync(file)) {
    console.error(`audit:verify: no database at ${file}`);
    return 2;
  }
  const sqlite = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    const result = verifyAuditChain(sqlite, process.env.JWT_SECRET ? { checkpointSecret: process.env.JWT_SECRET } : {});
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
