/**
 * The agent scripts' tables (migration 019): scripts, their versions and conversations' runs.
 * Synchronous prepared statements on the better-sqlite3 connection, in SQL PostgreSQL runs too: the
 * close guard is asked inside the conversations core's synchronous close command, and the start-up
 * import runs before the server listens.
 */
import type SQLite from 'better-sqlite3';
import type { AgentScriptRunTable, AgentScriptTable, AgentScriptVersionTable } from '../platform/db/schema.js';

export type ScriptRow = AgentScriptTable;
export type VersionRow = AgentScriptVersionTable;
export type RunRow = Omit<AgentScriptRunTable, 'answers' | 'completed'> & { answers: string; completed: string };

export class AgentScriptRepository {
  private readonly statements;

  constructor(private readonly sqlite: SQLite.Database) {
    const p = <P extends unknown[], R = unknown>(sql: string) => sqlite.prepare<P, R>(sql);
    this.statements = {
      scripts: p<[], ScriptRow>('SELECT * FROM agent_scripts ORDER BY id'),
      script: p<[string], ScriptRow>('SELECT * FROM agent_scripts WHERE id = ?'),
      insertScript: p<[string, string | null, string | null, string, string]>('INSERT INTO agent_scripts (id, file, file_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?)'),
      touchScript: p<[string, string]>('UPDATE agent_scripts SET updated_at = ? WHERE id = ?'),
      setFile: p<[string, string, string, string]>('UPDATE agent_scripts SET file = ?, file_hash = ?, updated_at = ? WHERE id = ?'),
      versions: p<[string], VersionRow>('SELECT * FROM agent_script_versions WHERE script_id = ? ORDER BY version DESC'),
      version: p<[string, number], VersionRow>('SELECT * FROM agent_script_versions WHERE script_id = ? AND version = ?'),
      withStatus: p<[string, string], VersionRow>('SELECT * FROM agent_script_versions WHERE script_id = ? AND status = ? ORDER BY version DESC LIMIT 1'),
      allWithStatus: p<[string], VersionRow>('SELECT * FROM agent_script_versions WHERE status = ? ORDER BY script_id'),
      lastVersion: p<[string], { v: number | null }>('SELECT MAX(version) AS v FROM agent_script_versions WHERE script_id = ?'),
      insertVersion: p<[string, number, string, string, number | null, string, string, string | null, string, string | null]>(
        `INSERT INTO agent_script_versions (script_id, version, status, origin, restored_from, source, definition, created_by, created_at, published_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      updateDraft: p<[string, string, string | null, string, string, number]>(
        "UPDATE agent_script_versions SET source = ?, definition = ?, created_by = ?, created_at = ? WHERE script_id = ? AND version = ? AND status = 'draft'",
      ),
      retirePublished: p<[string]>("UPDATE agent_script_versions SET status = 'retired' WHERE script_id = ? AND status = 'published'"),
      publishVersion: p<[string, string, number]>("UPDATE agent_script_versions SET status = 'published', published_at = ? WHERE script_id = ? AND version = ?"),
      run: p<[string], RunRow>('SELECT * FROM agent_script_runs WHERE conversation_id = ?'),
      upsertRun: p<[string, string, number, string, string | null, string, string, string, string, string]>(
        `INSERT INTO agent_script_runs (conversation_id, script_id, version, chosen_by, chosen_by_user, reason, answers, completed, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (conversation_id) DO UPDATE SET script_id = excluded.script_id, version = excluded.version, chosen_by = excluded.chosen_by,
           chosen_by_user = excluded.chosen_by_user, reason = excluded.reason, answers = excluded.answers, completed = excluded.completed, updated_at = excluded.updated_at`,
      ),
      saveProgress: p<[string, string, string, string, number]>('UPDATE agent_script_runs SET answers = ?, completed = ?, updated_at = ? WHERE conversation_id = ? AND version = ?'),
    };
  }

  transaction<T>(work: () => T): T {
    return this.sqlite.transaction(work).immediate();
  }

  scripts(): ScriptRow[] {
    return this.statements.scripts.all();
  }
  script(id: string): ScriptRow | undefined {
    return this.statements.script.get(id);
  }
  insertScript(row: ScriptRow): void {
    this.statements.insertScript.run(row.id, row.file, row.file_hash, row.created_at, row.updated_at);
  }
  touchScript(id: string, at: string): void {
    this.statements.touchScript.run(at, id);
  }
  setFile(id: string, file: string, hash: string, at: string): void {
    this.statements.setFile.run(file, hash, at, id);
  }
  versions(scriptId: string): VersionRow[] {
    return this.statements.versions.all(scriptId);
  }
  version(scriptId: string, version: number): VersionRow | undefined {
    return this.statements.version.get(scriptId, version);
  }
  published(scriptId: string): VersionRow | undefined {
    return this.statements.withStatus.get(scriptId, 'published');
  }
  draft(scriptId: string): VersionRow | undefined {
    return this.statements.withStatus.get(scriptId, 'draft');
  }
  allPublished(): VersionRow[] {
    return this.statements.allWithStatus.all('published');
  }
  nextVersion(scriptId: string): number {
    return (this.statements.lastVersion.get(scriptId)?.v ?? 0) + 1;
  }
  insertVersion(row: VersionRow): void {
    this.statements.insertVersion.run(row.script_id, row.version, row.status, row.origin, row.restored_from, row.source, row.definition, row.created_by, row.created_at, row.published_at);
  }
  updateDraft(scriptId: string, version: number, source: string, definition: string, by: string | null, at: string): void {
    this.statements.updateDraft.run(source, definition, by, at, scriptId, version);
  }
  /** The version in force is `version` from now on; the previous one is retired. */
  publish(scriptId: string, version: number, at: string): void {
    this.statements.retirePublished.run(scriptId);
    this.statements.publishVersion.run(at, scriptId, version);
  }
  run(conversationId: string): RunRow | undefined {
    return this.statements.run.get(conversationId);
  }
  saveRun(row: RunRow): void {
    this.statements.upsertRun.run(row.conversation_id, row.script_id, row.version, row.chosen_by, row.chosen_by_user, row.reason, row.answers, row.completed, row.created_at, row.updated_at);
  }
  /** False when the run moved to another version meanwhile. */
  saveProgress(conversationId: string, version: number, answers: string, completed: string, at: string): boolean {
    return this.statements.saveProgress.run(answers, completed, at, conversationId, version).changes === 1;
  }
}
