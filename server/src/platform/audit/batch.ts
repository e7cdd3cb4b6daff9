/**
 * Audit writes off the hot path. `AuditBatch` queues the entries of one event-loop turn and records
 * them with one `AuditLog.recordMany` (one head read, one checkpoint) inside the server's group
 * commit (`platform/db/group-commit.ts`), so audit rows share their transaction, and the WAL fsync
 * that makes them durable, with the chat messages written in the same turn; that fsync runs in the
 * thread pool, not on the event loop. Every waiter is released once the rows are durable: no audit,
 * no data. `DisclosureLog` on top of it records a disclosure of a conversation to a staff member
 * once per (user, conversation, purpose): the first time chat content reaches them that way, not for
 * every message that follows.
 */
import type { GroupCommit } from '../db/group-commit.js';
import type { AuditEntry, AuditLog } from './audit.js';

export class AuditBatch {
  /** Entries of the turn's batch, until the group commit runs it. */
  private open: { entries: AuditEntry[]; written: Promise<void> } | null = null;

  constructor(
    private readonly audit: Pick<AuditLog, 'recordMany'>,
    private readonly commits: Pick<GroupCommit, 'run' | 'flush'>,
    /** Told of a batch that could not be recorded (its waiters are rejected too). */
    private readonly onError: (err: unknown, entries: number) => void = () => {},
  ) {}

  /** Resolves once the entries are durably recorded; rejects if they could not be. */
  record(entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    if (!this.open) {
      const queued: AuditEntry[] = [];
      const written = this.commits
        .run(() => {
          // Entries recorded from now on go to the next batch.
          if (this.open?.entries === queued) this.open = null;
          this.audit.recordMany(queued);
        })
        .catch((err: unknown) => {
          this.onError(err, queued.length);
          throw err;
        });
      this.open = { entries: queued, written };
    }
    this.open.entries.push(...entries);
    return this.open.written;
  }

  /** Records what is queued now, with whatever else waits for the group commit (tests, shutdown). */
  flush(): void {
    this.commits.flush();
  }
}

/** Who received the content, and from where their request came (null for server pushes). */
export interface DisclosureRecipient {
  userId: string;
  role: string | null;
}

export interface RequestOrigin {
  ip: string | null;
  requestId: string | null;
}

/**
 * One row per (user, conversation, purpose), remembered in memory (bounded; an evicted or
 * restarted entry only costs one more row). `forget(user, conversation)` when the user leaves the
 * conversation, so coming back later is recorded again.
 */
export class DisclosureLog {
  private readonly seen = new Map<string, Map<string, Promise<void>>>();

  constructor(
    private readonly batch: AuditBatch,
    private readonly maxPairs = 100_000,
  ) {}

  /**
   * Queues `entry()` unless this user already had this conversation for this purpose; resolves once
   * the row (this one or the earlier one) is durable. A failed write is forgotten, so the next
   * disclosure tries again.
   */
  once(userId: string, conversationId: string, purpose: string, entry: () => AuditEntry): Promise<void> {
    const pair = `${userId}\u0000${conversationId}`;
    let purposes = this.seen.get(pair);
    const known = purposes?.get(purpose);
    if (known) return known;
    if (!purposes) {
      if (this.seen.size >= this.maxPairs) this.seen.delete(this.seen.keys().next().value!);
      this.seen.set(pair, (purposes = new Map()));
    }
    const written = this.batch.record([entry()]);
    purposes.set(purpose, written);
    written.catch(() => {
      if (this.seen.get(pair)?.get(purpose) === written) this.seen.get(pair)!.delete(purpose);
    });
    return written;
  }

  /** The user is out of the conversation: their next disclosure of it is a new row. */
  forget(userId: string, conversationId: string): void {
    this.seen.delete(`${userId}\u0000${conversationId}`);
  }
}
