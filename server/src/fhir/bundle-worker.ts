/**
 * The import worker (a `node:worker_threads` thread): prepares large Bundles (`planBundle`) off the
 * request thread, reading the database through a read-only connection of its own. In WAL mode it
 * reads the last committed state without blocking or waiting for the server's writes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { AppError } from '../platform/errors.js';
import { planBundle, toPlanError, type BundleLookups, type PlanInput } from './bundle-plan.js';
import { SearchRepository } from './search.js';
import { loadDefinitions } from './validation.js';

export interface WorkerRequest {
  id: number;
  input: PlanInput;
}

export type WorkerResponse =
  | { id: number; ok: true; plan: ReturnType<typeof planBundle> }
  | { id: number; ok: false; error: ReturnType<typeof toPlanError> }
  | { id: number; ok: false; crash: string };

const { databasePath } = workerData as { databasePath: string };
const db = new SQLite(databasePath, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
const search = new SearchRepository(db);
const snapshot = db.prepare('SELECT 1 FROM resources LIMIT 1');
const existsStmt = db.prepare('SELECT 1 AS found FROM resources WHERE resource_type = ? AND id = ? AND deleted = 0');
const lookups: BundleLookups = {
  matchingIds: (query, limit) => search.matchingIds(query, limit),
  exists: (type, id) => existsStmt.get(type, id) !== undefined,
};
loadDefinitions();

parentPort!.on('message', ({ id, input }: WorkerRequest) => {
  let response: WorkerResponse;
  // One read transaction, its snapshot taken now: every lookup of a plan sees the data as it was
  // when the preparation began (the writer checks later changes).
  db.exec('BEGIN');
  snapshot.get();
  try {
    response = { id, ok: true, plan: planBundle(input, lookups) };
  } catch (err) {
    response = err instanceof AppError ? { id, ok: false, error: toPlanError(err) } : { id, ok: false, crash: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  } finally {
    db.exec('COMMIT');
  }
  parentPort!.postMessage(response);
});
