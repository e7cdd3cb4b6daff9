/**
 * An in-memory sliding-window counter: at most `limit` events per key within `windowMs`.
 * In-memory means per server process and forgotten on restart; that suits short throttles such as
 * wrong MFA codes (sign-in has its own backoff, login-throttle.ts). When several processes serve the
 * same users, put this behind Redis instead.
 */
export interface SlidingWindowOptions {
  limit: number;
  windowMs: number;
  /** Upper bound on tracked keys, so a flood of distinct keys cannot exhaust memory. */
  maxKeys?: number;
}

export class SlidingWindowLimiter {
  private readonly events = new Map<string, number[]>();
  private readonly maxKeys: number;

  constructor(private readonly options: SlidingWindowOptions) {
    this.maxKeys = options.maxKeys ?? 100_000;
  }

  /** Seconds until another event is allowed for `key`, or 0 when it is allowed now. */
  retryAfterSeconds(key: string, now = Date.now()): number {
    const recent = this.recent(key, now);
    if (recent.length < this.options.limit) return 0;
    const oldestThatCounts = recent[recent.length - this.options.limit]!;
    return Math.max(1, Math.ceil((oldestThatCounts + this.options.windowMs - now) / 1000));
  }

  hit(key: string, now = Date.now()): void {
    const recent = this.recent(key, now);
    recent.push(now);
    this.events.delete(key); // re-insert so Map order tracks recency for eviction
    this.events.set(key, recent);
    if (this.events.size > this.maxKeys) {
      const oldest = this.events.keys().next().value;
      if (oldest !== undefined) this.events.delete(oldest);
    }
  }

  reset(key: string): void {
    this.events.delete(key);
  }

  /** Forgets every key for which `matches` is true (e.g. all IPs of one e-mail after an unlock). */
  resetWhere(matches: (key: string) => boolean): void {
    for (const key of [...this.events.keys()]) if (matches(key)) this.events.delete(key);
  }

  private recent(key: string, now: number): number[] {
    const all = this.events.get(key);
    if (!all) return [];
    const cutoff = now - this.options.windowMs;
    const kept = all.filter((t) => t > cutoff);
    if (kept.length === 0) this.events.delete(key);
    else if (kept.length !== all.length) this.events.set(key, kept);
    return kept;
  }
}
