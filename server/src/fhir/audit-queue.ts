/**
 * Group commit for read audits. Every PHI read must be in the audit log before its data leaves
 * the server, but one durable (synchronous=FULL) commit per read would cap reads at the disk's
 * fsync rate. Reads that arrive in the same event-loop turn queue their entries; one transaction
 * records them all with `AuditLog.recordMany`, then every waiting
 * response is released. A failed flush fails those requests: no audit, no data.
 */
import type { AuditEntry, AuditLog } from '../platform/audit/audit.js';

interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
}

export class AuditQueue {
  private entries: AuditEntry[] = [];
  private waiters: Waiter[] = [];
  private scheduled = false;

  constructor(private readonly audit: AuditLog) {}

  /** Resolves once the entries are durably recorded. */
  record(entries: AuditEntry[]): Promise<void> {
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

  private flush(): void {
    const { entries, waiters } = this;
    this.entries = [];
    this.waiters = [];
    this.scheduled = false;
    try {
      this.audit.recordMany(entries);
    } catch (err) {
      for (const w of waiters) w.reject(err);
      return;
    }
    for (const w of waiters) w.resolve();
  }
}
