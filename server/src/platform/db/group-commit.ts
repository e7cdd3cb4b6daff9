/**
 * Group commit: writes that arrive in the same turn of the event loop share one SQLite transaction,
 * so one fsync (synchronous=FULL) makes all of them durable. Each write runs in a savepoint of its
 * own (a failing one rolls back alone); its promise settles only after COMMIT, so whatever a caller
 * does once it resolves (acknowledge, deliver) happens for durable data only.
 *
 * better-sqlite3 is synchronous: a commit per message at 1,000 messages/s spends most of the event
 * loop waiting on the disk, and every other socket waits behind it. Sharing commits keeps that cost
 * per turn instead of per write.
 */
import type SQLite from 'better-sqlite3';

export interface GroupCommit {
  /** Runs `work` in the next group transaction; resolves with its result once that is committed. */
  run<T>(work: () => T): Promise<T>;
  /** Commits what is waiting now (shutdown, tests). */
  flush(): void;
  /** Writes waiting for the next commit. */
  readonly pending: number;
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

  const flush = () => {
    if (scheduled) {
      clearImmediate(scheduled);
      scheduled = null;
    }
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    let outcomes: Outcome[];
    try {
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
    }
    batch.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
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
  };
}
