/**
 * Group commit: writes that arrive in the same turn of the event loop share one SQLite transaction,
 * so one fsync (synchronous=FULL) makes all of them durable. Each write runs in a savepoint of its
 * own (a failing one rolls back alone); its promise settles only after COMMIT, so whatever a caller
 * does once it resolves (acknowledge, deliver) happens for durable data only.
 *
 * better-sqlite3 is synchronous: a commit per message at 1,000 messages/s spends most of the event
 * loop waiting on the disk, and every other socket waits behind it. Sharing commits keeps that cost
 * per turn instead of per write. On a file database (WAL) the fsync leaves the event loop too: the
 * group transaction commits with synchronous=NORMAL (written to the WAL, not yet synced), then the
 * WAL is fsynced in the thread pool, and only then do the writes' promises resolve. That is the
 * same durability as synchronous=FULL (which fsyncs the WAL at each commit), paid off the loop and
 * shared by every group that commits while one fsync is running.
 */
import fs from 'node:fs';
import type SQLite from 'better-sqlite3';

export interface GroupCommit {
  /** Runs `work` in the next group transaction; resolves with its result once that is committed. */
  run<T>(work: () => T): Promise<T>;
  /** Commits what is waiting now (shutdown, tests). */
  flush(): void;
  /** Writes waiting for the next commit. */
  readonly pending: number;
  /** Commits what is waiting and lets go of the WAL file once its last fsync is done. */
  close(): void;
}

interface Waiting {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export function createGroupCommit(sqlite: SQLite.Database): GroupCommit {
  let queue: Waiting[] = [];
  let scheduled: NodeJS.Immediate | null = null;
  const wal = walSync(sqlite);

  const flush = () => {
    if (scheduled) {
      clearImmediate(scheduled);
      scheduled = null;
    }
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    let outcomes: Outcome[];
    const deferSync = wal !== null && !sqlite.inTransaction;
    try {
      if (deferSync) sqlite.pragma('synchronous = NORMAL');
      outcomes = sqlite.transaction(() =>
        batch.map((item): Outcome => {
          try {
            // Nested: a savepoint, released into the group transaction or rolled back alone.
            return { ok: true, value: sqlite.transaction(item.work)() };
          } catch (error) {
            return { ok: false, error };
          }
        }),
      )();
    } catch (error) {
      // The commit itself failed (disk full, I/O error): nothing of the batch is stored.
      for (const item of batch) item.reject(error);
      return;
    } finally {
      if (deferSync) sqlite.pragma('synchronous = FULL');
    }
    const settle = (syncError?: unknown) =>
      batch.forEach((item, i) => {
        const outcome = outcomes[i]!;
        if (syncError) item.reject(syncError);
        else if (outcome.ok) item.resolve(outcome.value);
        else item.reject(outcome.error);
      });
    if (deferSync) wal.sync(settle);
    else settle();
  };

  return {
    run<T>(work: () => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
        // setImmediate runs after this turn's I/O callbacks: every socket event read in the same
        // poll joins the batch.
        scheduled ??= setImmediate(flush);
      });
    },
    flush,
    get pending() {
      return queue.length;
    },
    close() {
      flush();
      wal?.close();
    },
  };
}

interface WalSync {
  /** Calls back once everything committed so far is on disk. */
  sync(done: (error?: unknown) => void): void;
  close(): void;
}

/**
 * fsync of the database's WAL file in the thread pool, one at a time: commits that land while one
 * runs wait for the next, which covers all of them. Null for a database without a WAL file (memory).
 */
function walSync(sqlite: SQLite.Database): WalSync | null {
  if (sqlite.memory || String(sqlite.pragma('journal_mode', { simple: true })).toLowerCase() !== 'wal') return null;
  let fd: number;
  try {
    fd = fs.openSync(`${sqlite.name}-wal`, 'r');
  } catch {
    return null;
  }
  let running = false;
  let closing = false;
  let waiting: ((error?: unknown) => void)[] = [];
  const release = () => {
    try {
      fs.closeSync(fd);
    } catch {
      // already closed
    }
  };
  const start = () => {
    running = true;
    const batch = waiting;
    waiting = [];
    fs.fsync(fd, (error) => {
      running = false;
      for (const done of batch) done(error ?? undefined);
      if (waiting.length > 0) start();
      else if (closing) release();
    });
  };
  return {
    sync(done) {
      waiting.push(done);
      if (!running) start();
    },
    close() {
      closing = true;
      if (!running) release();
    },
  };
}
