/**
 * The bot's tables (migration 020), in Kysely: scenarios and versions, string tables, each
 * conversation's checkpointed engine state, user- and global-scope variables. Portable SQL.
 */
import type SQLite from 'better-sqlite3';
import type { Kysely, Transaction } from 'kysely';
import type { BotScenarioTable, BotScenarioVersionTable, Database, GroupCommit } from '../platform/db/index.js';

export type ScenarioRow = BotScenarioTable;
export type ScenarioVersionRow = BotScenarioVersionTable;
type Db = Kysely<Database> | Transaction<Database>;

/** What one turn writes: the engine state, and the user and global variables when they changed. */
export interface Checkpoint {
  conversationId: string;
  state: string;
  user?: { key: string; vars: string };
  globals?: { set: Record<string, string>; deleted: string[] };
  at: string;
}

/**
 * The per-turn checkpoint on the chat's hot path: prepared statements in the server's group commit
 * (one fsync per event-loop turn, off the loop), like the messages of the same turn. SQLite upserts.
 */
export class CheckpointWriter {
  private readonly statements;

  constructor(
    sqlite: SQLite.Database,
    private readonly commits: GroupCommit,
  ) {
    this.statements = {
      session: sqlite.prepare<[string, string, string]>(
        `INSERT INTO bot_sessions (conversation_id, state, turns, updated_at) VALUES (?, ?, 1, ?)
         ON CONFLICT (conversation_id) DO UPDATE SET state = excluded.state, turns = bot_sessions.turns + 1, updated_at = excluded.updated_at`,
      ),
      user: sqlite.prepare<[string, string, string]>(
        'INSERT INTO bot_user_vars (user_key, vars, updated_at) VALUES (?, ?, ?) ON CONFLICT (user_key) DO UPDATE SET vars = excluded.vars, updated_at = excluded.updated_at',
      ),
      global: sqlite.prepare<[string, string, string]>(
        'INSERT INTO bot_globals (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
      ),
      deleteGlobal: sqlite.prepare<[string]>('DELETE FROM bot_globals WHERE key = ?'),
    };
  }

  save(checkpoint: Checkpoint): Promise<void> {
    return this.commits.run(() => {
      this.statements.session.run(checkpoint.conversationId, checkpoint.state, checkpoint.at);
      if (checkpoint.user) this.statements.user.run(checkpoint.user.key, checkpoint.user.vars, checkpoint.at);
      for (const [key, value] of Object.entries(checkpoint.globals?.set ?? {})) this.statements.global.run(key, value, checkpoint.at);
      for (const key of checkpoint.globals?.deleted ?? []) this.statements.deleteGlobal.run(key);
    });
  }
}

export class BotStore {
  constructor(readonly db: Kysely<Database>) {}

  transaction<T>(work: (store: BotStore) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) => work(new BotStore(trx as unknown as Kysely<Database>)));
  }

  private get q(): Db {
    return this.db;
  }

  // --- scenarios ---

  scenarios(): Promise<ScenarioRow[]> {
    return this.q.selectFrom('bot_scenarios').selectAll().orderBy('name').execute();
  }

  scenario(id: string): Promise<ScenarioRow | undefined> {
    return this.q.selectFrom('bot_scenarios').selectAll().where('id', '=', id).executeTakeFirst();
  }

  scenarioByTrigger(trigger: string): Promise<ScenarioRow | undefined> {
    return this.q.selectFrom('bot_scenarios').selectAll().where('trigger', '=', trigger).executeTakeFirst();
  }

  async insertScenario(row: ScenarioRow): Promise<void> {
    await this.q.insertInto('bot_scenarios').values(row).execute();
  }

  async updateScenario(id: string, fields: Partial<Omit<ScenarioRow, 'id' | 'created_at'>>): Promise<void> {
    await this.q.updateTable('bot_scenarios').set(fields).where('id', '=', id).execute();
  }

  versions(scenarioId: string): Promise<ScenarioVersionRow[]> {
    return this.q.selectFrom('bot_scenario_versions').selectAll().where('scenario_id', '=', scenarioId).orderBy('version', 'desc').execute();
  }

  version(scenarioId: string, version: number): Promise<ScenarioVersionRow | undefined> {
    return this.q.selectFrom('bot_scenario_versions').selectAll().where('scenario_id', '=', scenarioId).where('version', '=', version).executeTakeFirst();
  }

  /** Every published version (one per scenario). */
  publishedVersions(): Promise<(ScenarioVersionRow & { trigger: string; name: string; active: number })[]> {
    return this.q
      .selectFrom('bot_scenario_versions as v')
      .innerJoin('bot_scenarios as s', 's.id', 'v.scenario_id')
      .selectAll('v')
      .select(['s.trigger', 's.name', 's.active'])
      .where('v.status', '=', 'published')
      .execute();
  }

  async insertVersion(row: ScenarioVersionRow): Promise<void> {
    await this.q.insertInto('bot_scenario_versions').values(row).execute();
  }

  async setVersionStatus(scenarioId: string, version: number, status: string, publishedAt?: string): Promise<void> {
    await this.q
      .updateTable('bot_scenario_versions')
      .set({ status, ...(publishedAt ? { published_at: publishedAt } : {}) })
      .where('scenario_id', '=', scenarioId)
      .where('version', '=', version)
      .execute();
  }

  /** Retires whatever is published (before another version is). */
  async retirePublished(scenarioId: string): Promise<void> {
    await this.q.updateTable('bot_scenario_versions').set({ status: 'retired' }).where('scenario_id', '=', scenarioId).where('status', '=', 'published').execute();
  }

  // --- strings ---

  strings(): Promise<{ locale: string; key: string; value: string }[]> {
    return this.q.selectFrom('bot_strings').select(['locale', 'key', 'value']).execute();
  }

  async upsertStrings(locale: string, entries: Record<string, string>, at: string): Promise<void> {
    const rows = Object.entries(entries).map(([key, value]) => ({ locale, key, value, updated_at: at }));
    for (let i = 0; i < rows.length; i += 200) {
      await this.q
        .insertInto('bot_strings')
        .values(rows.slice(i, i + 200))
        .onConflict((oc) => oc.columns(['locale', 'key']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value'), updated_at: eb.ref('excluded.updated_at') })))
        .execute();
    }
  }

  // --- conversation state ---

  async session(conversationId: string): Promise<string | undefined> {
    const row = await this.q.selectFrom('bot_sessions').select('state').where('conversation_id', '=', conversationId).executeTakeFirst();
    return row?.state;
  }

  async saveSession(conversationId: string, state: string, at: string): Promise<void> {
    await this.q
      .insertInto('bot_sessions')
      .values({ conversation_id: conversationId, state, turns: 1, updated_at: at })
      .onConflict((oc) => oc.column('conversation_id').doUpdateSet((eb) => ({ state: eb.ref('excluded.state'), turns: eb('bot_sessions.turns', '+', 1), updated_at: eb.ref('excluded.updated_at') })))
      .execute();
  }

  async userVars(userKey: string): Promise<string | undefined> {
    const row = await this.q.selectFrom('bot_user_vars').select('vars').where('user_key', '=', userKey).executeTakeFirst();
    return row?.vars;
  }

  async saveUserVars(userKey: string, vars: string, at: string): Promise<void> {
    await this.q
      .insertInto('bot_user_vars')
      .values({ user_key: userKey, vars, updated_at: at })
      .onConflict((oc) => oc.column('user_key').doUpdateSet((eb) => ({ vars: eb.ref('excluded.vars'), updated_at: eb.ref('excluded.updated_at') })))
      .execute();
  }

  async deleteUserVars(userKey: string): Promise<void> {
    await this.q.deleteFrom('bot_user_vars').where('user_key', '=', userKey).execute();
  }

  globals(): Promise<{ key: string; value: string }[]> {
    return this.q.selectFrom('bot_globals').select(['key', 'value']).execute();
  }

  async saveGlobals(values: Record<string, string>, at: string): Promise<void> {
    for (const [key, value] of Object.entries(values)) {
      await this.q
        .insertInto('bot_globals')
        .values({ key, value, updated_at: at })
        .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ value: eb.ref('excluded.value'), updated_at: eb.ref('excluded.updated_at') })))
        .execute();
    }
  }

  async deleteGlobals(keys: string[]): Promise<void> {
    if (keys.length > 0) await this.q.deleteFrom('bot_globals').where('key', 'in', keys).execute();
  }
}
