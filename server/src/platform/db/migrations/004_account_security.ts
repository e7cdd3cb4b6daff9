import type { Kysely } from 'kysely';

/**
 * Account security state: the TOTP time step last accepted (a code is refused if its step is not
 * newer, so a code cannot be replayed) and the time of the last successful sign-in.
 * One column per ALTER TABLE, as SQLite requires.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').addColumn('totp_last_step', 'integer').execute();
  await db.schema.alterTable('users').addColumn('last_login_at', 'text').execute();
}
