/** SQL for custom language models and their versions (`bot_language_models`, `bot_language_model_versions`, migration 023). */
import type SQLite from 'better-sqlite3';
import type { CustomModelDefinition, ModelEvaluation } from '../../contracts/language.js';

export interface StoredModelVersion {
  id: string;
  version: number;
  definition: CustomModelDefinition;
  evaluation: ModelEvaluation | null;
  createdBy: string | null;
  createdAt: string;
}

interface VersionRow {
  model_id: string;
  version: number;
  definition: string;
  evaluation: string | null;
  created_by: string | null;
  created_at: string;
}

function present(row: VersionRow): StoredModelVersion {
  return {
    id: row.model_id,
    version: row.version,
    definition: JSON.parse(row.definition) as CustomModelDefinition,
    evaluation: row.evaluation ? (JSON.parse(row.evaluation) as ModelEvaluation) : null,
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}

export class LanguageModelStore {
  constructor(private readonly sqlite: SQLite.Database) {}

  /** The live (newest) version of every model. */
  current(): StoredModelVersion[] {
    const rows = this.sqlite
      .prepare(
        `SELECT v.* FROM bot_language_models m JOIN bot_language_model_versions v ON v.model_id = m.id AND v.version = m.current_version ORDER BY m.id`,
      )
      .all() as VersionRow[];
    return rows.map(present);
  }

  versions(id: string): Array<{ version: number; createdAt: string; createdBy: string | null }> {
    const rows = this.sqlite.prepare(`SELECT version, created_at, created_by FROM bot_language_model_versions WHERE model_id = ? ORDER BY version DESC`).all(id) as Array<
      Pick<VersionRow, 'version' | 'created_at' | 'created_by'>
    >;
    return rows.map((r) => ({ version: r.version, createdAt: r.created_at, createdBy: r.created_by }));
  }

  currentVersion(id: string): number {
    const row = this.sqlite.prepare(`SELECT current_version FROM bot_language_models WHERE id = ?`).get(id) as { current_version: number } | undefined;
    return row?.current_version ?? 0;
  }

  /** Writes the next version and makes it live, in one transaction; returns it. */
  save(id: string, definition: CustomModelDefinition, evaluation: ModelEvaluation | null, by: string | null, at: string): StoredModelVersion {
    return this.sqlite.transaction(() => {
      const version = this.currentVersion(id) + 1;
      if (version === 1) {
        this.sqlite.prepare(`INSERT INTO bot_language_models (id, kind, current_version, created_at, updated_at) VALUES (?, ?, 1, ?, ?)`).run(id, definition.kind, at, at);
      } else {
        this.sqlite.prepare(`UPDATE bot_language_models SET kind = ?, current_version = ?, updated_at = ? WHERE id = ?`).run(definition.kind, version, at, id);
      }
      this.sqlite
        .prepare(`INSERT INTO bot_language_model_versions (model_id, version, definition, evaluation, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)`)
        .run(id, version, JSON.stringify(definition), evaluation ? JSON.stringify(evaluation) : null, by, at);
      return { id, version, definition, evaluation, createdBy: by, createdAt: at };
    })();
  }
}
