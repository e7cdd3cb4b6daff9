/**
 * SQL for accounts and refresh tokens. Writes use the synchronous raw connection so a service can
 * group several of them in one `inTransaction`; list queries are built with Kysely.
 */
import type SQLite from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../platform/db/index.js';
import type { UserTable, RefreshTokenTable } from '../platform/db/schema.js';

export type UserRow = UserTable;
export type RefreshTokenRow = RefreshTokenTable;

export interface NewUser {
  id: string;
  email: string;
  passwordHash: string;
  role: string;
  displayName: string;
  patientId: string | null;
  practitionerId: string | null;
  now: string;
}

/** Columns an account update may change. */
export type UserChanges = Partial<
  Pick<
    UserRow,
    | 'role'
    | 'display_name'
    | 'password_hash'
    | 'practitioner_id'
    | 'totp_secret'
    | 'totp_enabled'
    | 'totp_last_step'
    | 'failed_logins'
    | 'locked_until'
    | 'disabled'
    | 'last_login_at'
  >
>;

const UPDATABLE = new Set<keyof UserChanges>([
  'role',
  'display_name',
  'password_hash',
  'practitioner_id',
  'totp_secret',
  'totp_enabled',
  'totp_last_step',
  'failed_logins',
  'locked_until',
  'disabled',
  'last_login_at',
]);

export interface UserListFilter {
  role?: string;
  q?: string;
  /** Exclusive lower bound on e-mail (keyset pagination). */
  afterEmail?: string;
  limit: number;
}

export class AccountRepository {
  private readonly stmts;

  constructor(
    private readonly sqlite: SQLite.Database,
    private readonly db: Kysely<Database>,
  ) {
    const s = (sql: string) => sqlite.prepare(sql);
    this.stmts = {
      byId: s('SELECT * FROM users WHERE id = ?'),
      byEmail: s('SELECT * FROM users WHERE email = ?'),
      insert: s(
        `INSERT INTO users (id, email, password_hash, role, display_name, patient_id, practitioner_id,
           totp_enabled, failed_logins, disabled, created_at, updated_at)
         VALUES (@id, @email, @passwordHash, @role, @displayName, @patientId, @practitionerId, 0, 0, 0, @now, @now)
         ON CONFLICT (email) DO NOTHING`,
      ),
      insertRefresh: s('INSERT INTO refresh_tokens (token_hash, user_id, expires_at, created_at, session_version) VALUES (?, ?, ?, ?, ?)'),
      sessionVersion: s('SELECT session_version FROM users WHERE id = ?'),
      bumpSessionVersion: s('UPDATE users SET session_version = session_version + 1, updated_at = ? WHERE id = ? RETURNING session_version'),
      refreshByHash: s('SELECT * FROM refresh_tokens WHERE token_hash = ?'),
      revokeRefresh: s('UPDATE refresh_tokens SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL'),
      revokeAllRefresh: s('UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL'),
      deleteExpiredRefresh: s('DELETE FROM refresh_tokens WHERE user_id = ? AND expires_at < ?'),
      incrementFailures: s('UPDATE users SET failed_logins = failed_logins + 1, updated_at = ? WHERE id = ?'),
      claimTotpStep: s(
        'UPDATE users SET totp_last_step = ? WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)',
      ),
    };
  }

  findById(id: string): UserRow | undefined {
    return this.stmts.byId.get(id) as UserRow | undefined;
  }

  /** Enabled accounts with one of the roles, by display name. */
  enabledWithRoles(roles: readonly string[]): { id: string; display_name: string; role: string }[] {
    if (roles.length === 0) return [];
    return this.sqlite
      .prepare<string[], { id: string; display_name: string; role: string }>(
        `SELECT id, display_name, role FROM users WHERE disabled = 0 AND role IN (${roles.map(() => '?').join(', ')}) ORDER BY display_name, id`,
      )
      .all(...roles);
  }

  findByEmail(email: string): UserRow | undefined {
    return this.stmts.byEmail.get(email) as UserRow | undefined;
  }

  /** Inserts the account unless the e-mail is taken; returns whether it was inserted. */
  insert(user: NewUser): boolean {
    return this.stmts.insert.run(user).changes === 1;
  }

  update(id: string, changes: UserChanges, now: string): void {
    const columns = Object.keys(changes).filter((c): c is keyof UserChanges => UPDATABLE.has(c as keyof UserChanges));
    if (columns.length === 0) return;
    const assignments = [...columns.map((c) => `${c} = @${c}`), 'updated_at = @updated_at'].join(', ');
    this.sqlite.prepare(`UPDATE users SET ${assignments} WHERE id = @id`).run({ ...changes, updated_at: now, id });
  }

  /**
   * Counts one failed sign-in (shown to administrators; a successful sign-in or an admin's unlock
   * clears it). It locks nothing: throttling is the login throttle's job.
   */
  countFailedLogin(id: string, now: string): void {
    this.stmts.incrementFailures.run(now, id);
  }

  /** Records `step` as the last TOTP step used, unless it is not newer (a replay): then false. */
  claimTotpStep(id: string, step: number): boolean {
    return this.stmts.claimTotpStep.run(step, id, step).changes === 1;
  }

  async list(filter: UserListFilter): Promise<UserRow[]> {
    let query = this.db.selectFrom('users').selectAll().orderBy('email').limit(filter.limit);
    if (filter.role) query = query.where('role', '=', filter.role);
    if (filter.afterEmail) query = query.where('email', '>', filter.afterEmail);
    if (filter.q) {
      // LIKE patterns with the wildcards in the search text escaped; lower() on both sides so
      // PostgreSQL (case-sensitive LIKE) behaves like SQLite.
      const escaped = filter.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
      query = query.where(
        sql<boolean>`(email LIKE ${`${escaped}%`} ESCAPE '\\' OR lower(display_name) LIKE ${`%${escaped}%`} ESCAPE '\\')`,
      );
    }
    return (await query.execute()) as UserRow[];
  }

  insertRefreshToken(tokenHash: string, userId: string, expiresAt: string, now: string, sessionVersion: number): void {
    this.stmts.insertRefresh.run(tokenHash, userId, expiresAt, now, sessionVersion);
  }

  /** The account's session version, or undefined when there is no such account. */
  sessionVersionOf(id: string): number | undefined {
    return (this.stmts.sessionVersion.get(id) as { session_version: number } | undefined)?.session_version;
  }

  /** Moves the account to its next session version (older tokens stop working); returns it. */
  bumpSessionVersion(id: string, now: string): number | undefined {
    return (this.stmts.bumpSessionVersion.get(now, id) as { session_version: number } | undefined)?.session_version;
  }

  findRefreshToken(tokenHash: string): RefreshTokenRow | undefined {
    return this.stmts.refreshByHash.get(tokenHash) as RefreshTokenRow | undefined;
  }

  /** Revokes one token; returns false when it was already revoked (or unknown). */
  revokeRefreshToken(tokenHash: string, now: string): boolean {
    return this.stmts.revokeRefresh.run(now, tokenHash).changes === 1;
  }

  revokeAllRefreshTokens(userId: string, now: string): number {
    return this.stmts.revokeAllRefresh.run(now, userId).changes;
  }

  deleteExpiredRefreshTokens(userId: string, now: string): void {
    this.stmts.deleteExpiredRefresh.run(userId, now);
  }
}
