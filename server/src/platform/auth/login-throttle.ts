/**
 * Sign-in throttling with exponential backoff instead of a hard account lock, so that an attacker
 * cannot lock the owner out and cannot spray guesses across many accounts from one address.
 *
 * Failures are counted under three keys, each with its own budget of free failures; past the
 * budget, the next attempt under that key must wait `base · 2^(failures − free)` (capped at `max`)
 * after the last failure:
 *
 * - **account + address**: the owner's own budget on the address they use (reset on success);
 * - **address**: every account tried from one address (not reset by a success, so owning one
 *   account does not refill a sprayer's budget);
 * - **account**: every address trying one account. It does not apply on an address where the
 *   account signed in successfully before (a *trusted* address), so an attacker hammering the
 *   account elsewhere slows down strangers but not the owner at their usual desk.
 *
 * Addresses are grouped as an attacker can rotate them: an IPv6 address counts by its /64 (one
 * customer's network), an IPv4-mapped IPv6 address as the IPv4 address.
 *
 * Keys are e-mail addresses as typed (normalised), never account ids, so unknown and existing
 * accounts are throttled alike and a 429 reveals nothing. A key's failures are forgotten after
 * `forgetAfterMs` without a new one.
 *
 * An attempt is counted when it starts (`begin`, before the slow password hash), so a burst of
 * parallel guesses is throttled too; `succeeded` or `refund` take it back.
 *
 * **In memory, per process**: forgotten at restart (an attacker who could restart the server gains
 * one fresh budget) and not shared between processes; move it to Redis when scaling out.
 */
export interface LoginThrottleOptions {
  /** Failures of one account from one address before backoff starts. */
  freeFailuresPerAccountAddress: number;
  /** Failures from one address, over all accounts, before backoff starts. */
  freeFailuresPerAddress: number;
  /** Failures of one account from addresses it never signed in from, before backoff starts there. */
  freeFailuresPerAccount: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A key's failures are forgotten after this long without a new one. */
  forgetAfterMs: number;
  /** How long an address where the account signed in stays trusted for it. */
  trustAddressMs: number;
  /** Upper bound on tracked keys per kind, so a flood of distinct keys cannot exhaust memory. */
  maxKeys?: number;
  now?: () => number;
}

interface FailureCount {
  failures: number;
  lastFailureAt: number;
}

/** An attempt in progress: counted as a failure unless it is taken back. */
export interface LoginAttempt {
  /** The password (and code) were right: the owner's budget on this address starts again. */
  succeeded(): void;
  /** Not a guess after all (e.g. right password, code still to come): uncount it. */
  refund(): void;
}

export type LoginThrottleDecision = { allowed: true; attempt: LoginAttempt } | { allowed: false; retryAfterSeconds: number };

/** A map with insertion order as recency, evicting the oldest key past `maxKeys`. */
class BoundedMap<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly maxKeys: number) {}
  get(key: string): V | undefined {
    return this.map.get(key);
  }
  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.maxKeys) {
      const oldest = this.map.keys().next().value;
      if (oldest !== undefined) this.map.delete(oldest);
    }
  }
  delete(key: string): void {
    this.map.delete(key);
  }
  deleteWhere(matches: (key: string) => boolean): void {
    for (const key of [...this.map.keys()]) if (matches(key)) this.map.delete(key);
  }
}

/**
 * The throttle key of a client address: IPv4 as is, IPv4-mapped IPv6 as IPv4, other IPv6 by its /64
 * prefix (a single host usually gets a whole /64, and rotating within it must not buy new budgets).
 */
export function addressKey(address: string | null): string {
  if (!address) return '-';
  const ip = address.trim().toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(ip);
  if (mapped) return mapped[1]!;
  if (!ip.includes(':')) return ip;
  const [head = '', tail] = ip.split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** The wait after `failures` failures with `free` free ones: 0, then base · 2^(n − free), capped. */
export function backoffDelayMs(failures: number, free: number, baseMs: number, maxMs: number): number {
  if (failures < free) return 0;
  const exponent = Math.min(failures - free, 40);
  return Math.min(maxMs, baseMs * 2 ** exponent);
}

export class LoginThrottle {
  private readonly pairs: BoundedMap<FailureCount>;
  private readonly addresses: BoundedMap<FailureCount>;
  private readonly accounts: BoundedMap<FailureCount>;
  /** account + address → when the account last signed in there. */
  private readonly trusted: BoundedMap<number>;
  private readonly now: () => number;

  constructor(private readonly options: LoginThrottleOptions) {
    const maxKeys = options.maxKeys ?? 100_000;
    this.pairs = new BoundedMap(maxKeys);
    this.addresses = new BoundedMap(maxKeys);
    this.accounts = new BoundedMap(maxKeys);
    this.trusted = new BoundedMap(maxKeys);
    this.now = options.now ?? Date.now;
  }

  /**
   * Either refuses the attempt with the seconds to wait, or counts it and returns a handle to take
   * it back. `account` is the normalised e-mail; `address` the client IP (null: unknown).
   */
  begin(account: string, address: string | null): LoginThrottleDecision {
    const now = this.now();
    const ip = addressKey(address);
    const pairKey = `${account}\u0000${ip}`;
    const retryAfterSeconds = this.secondsToWait(account, ip, pairKey, now);
    if (retryAfterSeconds > 0) return { allowed: false, retryAfterSeconds };

    this.count(this.pairs, pairKey, now);
    this.count(this.addresses, ip, now);
    this.count(this.accounts, account, now);
    let settled = false;
    const uncount = () => {
      this.uncount(this.addresses, ip);
      this.uncount(this.accounts, account);
    };
    return {
      allowed: true,
      attempt: {
        succeeded: () => {
          if (settled) return;
          settled = true;
          uncount();
          this.pairs.delete(pairKey);
          this.trusted.set(pairKey, this.now());
        },
        refund: () => {
          if (settled) return;
          settled = true;
          uncount();
          this.uncount(this.pairs, pairKey);
        },
      },
    };
  }

  /** Seconds the next attempt of `account` from `address` must wait (0 = now), without counting one. */
  retryAfterSeconds(account: string, address: string | null): number {
    const ip = addressKey(address);
    return this.secondsToWait(account, ip, `${account}\u0000${ip}`, this.now());
  }

  /** Forgets the failures counted against `account` (an administrator cleared it); addresses keep theirs. */
  clearAccount(account: string): void {
    this.accounts.delete(account);
    this.pairs.deleteWhere((key) => key.startsWith(`${account}\u0000`));
  }

  private secondsToWait(account: string, ip: string, pairKey: string, now: number): number {
    const o = this.options;
    let waitMs = Math.max(
      this.waitMs(this.pairs, pairKey, o.freeFailuresPerAccountAddress, now),
      this.waitMs(this.addresses, ip, o.freeFailuresPerAddress, now),
    );
    if (!this.isTrusted(pairKey, now)) waitMs = Math.max(waitMs, this.waitMs(this.accounts, account, o.freeFailuresPerAccount, now));
    return waitMs > 0 ? Math.max(1, Math.ceil(waitMs / 1000)) : 0;
  }

  private isTrusted(pairKey: string, now: number): boolean {
    const since = this.trusted.get(pairKey);
    if (since === undefined) return false;
    if (now - since > this.options.trustAddressMs) {
      this.trusted.delete(pairKey);
      return false;
    }
    return true;
  }

  private current(map: BoundedMap<FailureCount>, key: string, now: number): FailureCount | undefined {
    const entry = map.get(key);
    if (entry && now - entry.lastFailureAt > this.options.forgetAfterMs) {
      map.delete(key);
      return undefined;
    }
    return entry;
  }

  private waitMs(map: BoundedMap<FailureCount>, key: string, free: number, now: number): number {
    const entry = this.current(map, key, now);
    if (!entry) return 0;
    const delay = backoffDelayMs(entry.failures, free, this.options.baseDelayMs, this.options.maxDelayMs);
    return Math.max(0, entry.lastFailureAt + delay - now);
  }

  private count(map: BoundedMap<FailureCount>, key: string, now: number): void {
    const entry = this.current(map, key, now);
    map.set(key, { failures: (entry?.failures ?? 0) + 1, lastFailureAt: now });
  }

  private uncount(map: BoundedMap<FailureCount>, key: string): void {
    const entry = map.get(key);
    if (!entry) return;
    if (entry.failures <= 1) map.delete(key);
    else entry.failures--;
  }
}
