/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the COMMIT that
 * pushes the WAL past its threshold: that commit copies every changed page back into the database
 * file and fsyncs it, on the thread that committed, which for the server is the event loop. With
 * audit rows on every PHI read, chat messages and imports, that is a stall of tens to hundreds of
 * milliseconds every few hundred commits, and it doubles the cost of a small commit on average.
 *
 * Here a worker thread holds its own connection and runs a PASSIVE checkpoint (never blocks a
 * reader or the writer, never waits for a lock) whenever the database changed since its last one,
 * checking every `intervalMs`. The main connection's automatic checkpoint is raised to a safety net
 * (`fallbackPages`) that only matters if the worker falls behind or has died.
 *
 * The worker is plain JavaScript evaluated from a string (no TypeScript loader needed under tsx or
 * vitest) and loads the same better-sqlite3 the server uses.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

export interface CheckpointerOptions {
  /** How often the worker looks for new commits (ms). */
  intervalMs?: number;
  /** The main connection's automatic checkpoint, in WAL pages, kept as a safety net. */
  fallbackPages?: number;
  /** Told when the worker reports a failure or stops unexpectedly. */
  onError?: (error: Error) => void;
}

export interface Checkpointer {
  /** Resolves after the worker's next checkpoint (tests, benchmarks). */
  checkpointNow(): Promise<CheckpointResult>;
  /** Stops the worker and closes its connection. */
  close(): Promise<void>;
}

/** What `PRAGMA wal_checkpoint(PASSIVE)` reports: frames in the WAL and frames copied back. */
export interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('synchronous = FULL');
let seen = -1;
function checkpoint(force) {
  const version = db.pragma('data_version', { simple: true });
  if (!force && version === seen) return null;
  const result = db.pragma('wal_checkpoint(PASSIVE)')[0];
  seen = version;
  return result;
}
function tick() {
  try { checkpoint(false); } catch (error) { parentPort.postMessage({ type: 'error', message: String(error && error.message || error) }); }
}
const timer = setInterval(tick, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message.type === 'checkpoint') {
    try { parentPort.postMessage({ type: 'checkpointed', id: message.id, result: checkpoint(true) }); }
    catch (error) { parentPort.postMessage({ type: 'checkpointed', id: message.id, error: String(error && error.message || error) }); }
  } else if (message.type === 'close') {
    clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
`;

/**
 * Starts checkpointing `sqlite`'s WAL in a worker thread. Returns null for a database without a
 * WAL file (in memory), where there is nothing to checkpoint.
 */
export function startCheckpointer(sqlite: SQLite.Database, options: CheckpointerOptions = {}): Checkpointer | null {
  if (sqlite.memory || String(sqlite.pragma('journal_mode', { simple: true })).toLowerCase() !== 'wal') return null;
  const onError = options.onError ?? (() => {});
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file: sqlite.name, intervalMs: options.intervalMs ?? 50 } });
  worker.unref();
  const automatic = sqlite.pragma('wal_autocheckpoint', { simple: true }) as number;
  sqlite.pragma(`wal_autocheckpoint = ${Math.max(1, Math.floor(options.fallbackPages ?? 10_000))}`);

  let nextId = 0;
  const waiting = new Map<number, { resolve: (r: CheckpointResult) => void; reject: (e: Error) => void }>();
  let closing = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const fail = (error: Error) => {
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
  };
  worker.on('message', (message: { type: string; id?: number; result?: CheckpointResult; error?: string; message?: string }) => {
    if (message.type === 'error') onError(new Error(`WAL checkpoint failed: ${message.message}`));
    if (message.type !== 'checkpointed' || message.id === undefined) return;
    const w = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.error !== undefined) w?.reject(new Error(`WAL checkpoint failed: ${message.error}`));
    else w?.resolve(message.result!);
  });
  worker.on('error', (error) => {
    onError(error);
    fail(error);
  });
  worker.once('exit', (code) => {
    if (closing) return;
    // The worker is gone: the main connection checkpoints on its own again.
    if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${automatic}`);
    const error = new Error(`the WAL checkpoint worker stopped (exit code ${code})`);
    onError(error);
    fail(error);
  });

  return {
    checkpointNow() {
      return new Promise((resolve, reject) => {
        if (closing) return reject(new Error('the checkpointer is closed'));
        const id = nextId++;
        waiting.set(id, { resolve, reject });
        worker.postMessage({ type: 'checkpoint', id });
      });
    },
    async close() {
      if (closing) return exited;
      closing = true;
      if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${automatic}`);
      fail(new Error('the checkpointer is closed'));
      worker.postMessage({ type: 'close' });
      // A checkpoint in progress finishes first; past that, stop the thread.
      const timeout = setTimeout(() => void worker.terminate(), 5_000);
      await exited;
      clearTimeout(timeout);
    },
  };
}
