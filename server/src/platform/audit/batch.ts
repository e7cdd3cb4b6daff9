/**
 * Audit writes off the hot path. `AuditBatch` is a group commit: entries queued in the same
 * event-loop turn are recorded in one transaction (`AuditLog.recordMany`: one durable commit, one
 * checkpoint), and every waiter is released once they are. `DisclosureLog` on top of it records a
 * disclosure of a conversation to a staff member once per (user, conversation, purpose): the first
 * time chat content reaches them that way, not for every message that follows.
 */
import type { AuditEntry, AuditLog } from './audit.js';

export class AuditBatch {
  private entries: AuditEntry[] = [];
  private waiters: { resolve(): void; reject(err: unknown): void }[] = [];
  private scheduled = false;

  constructor(
    private readonly audit: Pick<AuditLog, 'recordMany'>,
    /** Told of a batch that could not be recorded (its waiters are rejected too). */
    private readonly onError: (err: unknown, entries: number) => void = () => {},
  ) {}

  /** Resolves once the entries are durably recorded; rejects if they could not be. */
  record(entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.entries.push(...entries);
      this.waiters.push({ resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Records what is queued now (tests, shutdown). */
  flush(): void {
    const { entries, waiters } = this;
    this.entries = [];
    this.waiters = [];
    this.scheduled = false;
    if (entries.length === 0) return;
    try {
      this.audit.recordMany(entries);
    } catch (err) {
      this.onError(err, entries.length);
      for (const w of waiters) w.reject(err);
      return;
    }
    for (const w of waiters) w.resolve();
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
