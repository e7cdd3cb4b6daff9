/**
 * Revocable sessions. Every account has a session version (`users.session_version`); each access
 * token carries the version it was issued at (claim `sv`). When the accounts domain ends an
 * account's sessions (sign-out, disable, role or password change) it bumps the version and
 * publishes `accounts.session-revoked`; from then on every token of an older version is refused.
 *
 * The check runs on every request and every socket event, so it is an in-memory look-up: versions are
 * read from the database once per account and kept here, and a revocation overwrites the entry. A
 * warm path never touches the database. The cache is per process: when several processes serve the
 * same users, the revocation event must reach each of them (the Redis adapter's bus).
 */

/** How an account's current session version is read (the accounts domain's `users` table). */
export type SessionVersionLoader = (userId: string) => number | undefined;

/** What token verification asks: is a token of this version still good for this account? */
export interface SessionCheck {
  isCurrent(userId: string, version: number): boolean;
}

export class SessionVersions implements SessionCheck {
  private readonly versions = new Map<string, number>();

  constructor(
    private readonly load: SessionVersionLoader,
    private readonly maxEntries = 100_000,
  ) {}

  /** The account's current version; undefined when there is no such account (not cached). */
  current(userId: string): number | undefined {
    const cached = this.versions.get(userId);
    if (cached !== undefined) return cached;
    const loaded = this.load(userId);
    if (loaded === undefined) return undefined;
    if (this.versions.size >= this.maxEntries) this.versions.delete(this.versions.keys().next().value!);
    this.versions.set(userId, loaded);
    return loaded;
  }

  isCurrent(userId: string, version: number): boolean {
    return this.current(userId) === version;
  }

  /** The account's sessions were revoked: its version is now `version` (never goes back). */
  revoked(userId: string, version: number): void {
    const known = this.versions.get(userId);
    if (known === undefined || version > known) this.versions.set(userId, version);
  }
}
