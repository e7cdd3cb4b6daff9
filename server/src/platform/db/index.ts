import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './schema.js';
import * as m001 from './migrations/001_fhir_store.js';
import * as m002 from './migrations/002_accounts_and_audit.js';
import * as m003 from './migrations/003_search_covering_indexes.js';
import * as m004 from './migrations/004_account_security.js';
import * as m005 from './migrations/005_conversations.js';
import * as m006 from './migrations/006_message_attachments.js';
import * as m007 from './migrations/007_conversation_ownership.js';
import * as m008 from './migrations/008_attachments_surveys_routing_profiles.js';
import * as m009 from './migrations/009_jobs.js';
import * as m010 from './migrations/010_session_versions.js';
import * as m011 from './migrations/011_conversation_search.js';
import * as m012 from './migrations/012_conversation_prechat.js';
import * as m013 from './migrations/013_clinic_settings.js';
import * as m014 from './migrations/014_personal_quick_replies.js';
import * as m015 from './migrations/015_conversation_identity.js';
import * as m016 from './migrations/016_message_cards.js';
import * as m017 from './migrations/017_slot_holds.js';
import * as m018 from './migrations/018_knowledge.js';
import * as m019 from './migrations/019_agent_scripts.js';
import * as m020 from './migrations/020_bot.js';
import * as m023 from './migrations/023_bot_language_models.js';
import * as m024 from './migrations/024_knowledge_staff_words.js';
import * as m025 from './migrations/025_insight_events.js';
import * as m026 from './migrations/026_sentiment.js';
import * as m027 from './migrations/027_assist.js';

export type { Database, BotScenarioTable, BotScenarioVersionTable } from './schema.js';
export { createGroupCommit, type GroupCommit } from './group-commit.js';
import { startCheckpointer } from './checkpointer.js';

/** Numbered migrations, one file each; never edit one after it has landed. */
const migrations: Record<string, Migration> = {
  '001_fhir_store': m001,
  '002_accounts_and_audit': m002,
  '003_search_covering_indexes': m003,
  '004_account_security': m004,
  '005_conversations': m005,
  '006_message_attachments': m006,
  '007_conversation_ownership': m007,
  '008_attachments_surveys_routing_profiles': m008,
  '009_jobs': m009,
  '010_session_versions': m010,
  '011_conversation_search': m011,
  '012_conversation_prechat': m012,
  '013_clinic_settings': m013,
  '014_personal_quick_replies': m014,
  '015_conversation_identity': m015,
  '016_message_cards': m016,
  '017_slot_holds': m017,
  '018_knowledge': m018,
  '019_agent_scripts': m019,
  '020_bot': m020,
  '023_bot_language_models': m023,
  '024_knowledge_staff_words': m024,
  '025_insight_events': m025,
  '026_sentiment': m026,
  '027_assist': m027,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export interface DatabaseHandle {
  db: Kysely<Database>;
  /** The raw connection, for the few hot paths (bulk seeding) that need prepared statements. */
  sqlite: SQLite.Database;
  path: string;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Skip migrations (only for tools that inspect an existing file). */
  migrate?: boolean;
  /**
   * Where WAL checkpoints run: in a worker thread (default for a file database; see
   * checkpointer.ts) or inside the commit that fills the WAL, on the calling thread.
   */
  checkpoints?: 'worker' | 'inline';
  /** Told when the checkpoint worker fails (the main connection then checkpoints itself). */
  onCheckpointError?: (error: Error) => void;
}

/**
 * Opens (creating if needed) the SQLite database, with WAL, foreign keys and synchronous=FULL:
 * messages and the audit log live here too, and losing an acknowledged write is unacceptable.
 * A file database's WAL is checkpointed in a worker thread, not in the commits of the event loop.
 */
export async function openDatabase(file: string, options: OpenDatabaseOptions = {}): Promise<DatabaseHandle> {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('cache_size = -65536');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  if (options.migrate !== false) await migrate(db);
  const checkpointer = options.checkpoints === 'inline' ? null : startCheckpointer(sqlite, options.onCheckpointError ? { onError: options.onCheckpointError } : {});
  return {
    db,
    sqlite,
    path: file,
    close: async () => {
      await checkpointer?.close();
      await db.destroy();
    },
  };
}

export async function migrate(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const reason = error instanceof Error ? error.message : String(error ?? 'unknown error');
    throw new Error(`Database migration ${failed?.migrationName ?? ''} failed: ${reason}`);
  }
}

/** Runs `work` in one SQLite transaction on the raw connection; rolls back if it throws. */
export function inTransaction<T>(sqlite: SQLite.Database, work: () => T): T {
  return sqlite.transaction(work)();
}
