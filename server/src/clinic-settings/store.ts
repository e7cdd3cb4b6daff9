/**
 * SQL for clinic settings: one row per section once an admin has saved it (`clinic_settings`).
 * Synchronous (better-sqlite3) so the composition root can read what is in force before it builds
 * the modules that use it, and so a save is one compare-and-set inside the caller's transaction.
 */
import type SQLite from 'better-sqlite3';
import type { ClinicSettingSection } from '../contracts/clinic-settings.js';

export interface StoredSetting {
  section: ClinicSettingSection;
  /** The JSON text as saved (validated by the section's schema before it was written). */
  value: string;
  version: number;
  updatedAt: string;
  updatedBy: string | null;
}

interface Row {
  section: string;
  value: string;
  version: number;
  updated_at: string;
  updated_by: string | null;
}

export class ClinicSettingsStore {
  private readonly selectOne: SQLite.Statement<[string], Row>;
  private readonly insert: SQLite.Statement<[string, string, string, string]>;
  private readonly update: SQLite.Statement<[string, string, string, string, number]>;

  constructor(private readonly sqlite: SQLite.Database) {
    this.selectOne = sqlite.prepare('SELECT section, value, version, updated_at, updated_by FROM clinic_settings WHERE section = ?');
    // Version 1 is the first save; version 0 means "the file or built-in default, never saved".
    this.insert = sqlite.prepare(
      'INSERT INTO clinic_settings (section, value, version, updated_at, updated_by) VALUES (?, ?, 1, ?, ?) ON CONFLICT(section) DO NOTHING',
    );
    this.update = sqlite.prepare(
      'UPDATE clinic_settings SET value = ?, version = version + 1, updated_at = ?, updated_by = ? WHERE section = ? AND version = ?',
    );
  }

  get(section: ClinicSettingSection): StoredSetting | undefined {
    const row = this.selectOne.get(section);
    return row === undefined
      ? undefined
      : { section, value: row.value, version: row.version, updatedAt: row.updated_at, updatedBy: row.updated_by };
  }

  /**
   * Saves `value` if the stored version is still `expected` (0: nothing saved yet). Returns the new
   * row, or undefined when someone else saved first.
   */
  compareAndSet(section: ClinicSettingSection, expected: number, value: string, at: string, by: string): StoredSetting | undefined {
    const changes =
      expected === 0 ? this.insert.run(section, value, at, by).changes : this.update.run(value, at, by, section, expected).changes;
    return changes === 1 ? this.get(section) : undefined;
  }
}
