import type { Kysely } from 'kysely';

/**
 * Revocable sessions: every account has a session version, copied into each access token and each
 * refresh token it is issued. Signing out, disabling the account, changing its role or its password
 * bumps the version, and every token of an older version is refused at once (the check is an
 * in-memory look-up, see platform/auth/sessions.ts). One column per ALTER TABLE, as SQLite requires.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').addColumn('session_version', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('refresh_tokens').addColumn('session_version', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}
