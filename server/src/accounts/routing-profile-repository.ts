/** SQL for agents' routing profiles (table `agent_routing_profiles`, migration 008). */
import type SQLite from 'better-sqlite3';
import type { AgentRoutingProfileTable } from '../platform/db/schema.js';

export type RoutingProfileRow = AgentRoutingProfileTable;

export class RoutingProfileRepository {
  private readonly statements;

  constructor(sqlite: SQLite.Database) {
    this.statements = {
      get: sqlite.prepare<[string], RoutingProfileRow>('SELECT * FROM agent_routing_profiles WHERE user_id = ?'),
      upsert: sqlite.prepare<[string, string, number, string, string | null]>(
        `INSERT INTO agent_routing_profiles (user_id, skills, capacity, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (user_id) DO UPDATE SET skills = excluded.skills, capacity = excluded.capacity,
           updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      ),
      account: sqlite.prepare<[string], { role: string; disabled: number }>('SELECT role, disabled FROM users WHERE id = ?'),
      insertIfMissing: sqlite.prepare<[string, string, number, string]>(
        `INSERT INTO agent_routing_profiles (user_id, skills, capacity, updated_at, updated_by) VALUES (?, ?, ?, ?, NULL)
         ON CONFLICT (user_id) DO NOTHING`,
      ),
    };
  }

  /** The account's role, to check who may have a profile (and who may change one). */
  account(userId: string): { role: string; disabled: boolean } | undefined {
    const row = this.statements.account.get(userId);
    return row ? { role: row.role, disabled: row.disabled === 1 } : undefined;
  }

  get(userId: string): RoutingProfileRow | undefined {
    return this.statements.get.get(userId);
  }

  upsert(userId: string, skills: readonly string[], capacity: number, at: string, by: string | null): void {
    this.statements.upsert.run(userId, JSON.stringify(skills), capacity, at, by);
  }

  /** True when a row was written (there was none). */
  insertIfMissing(userId: string, skills: readonly string[], capacity: number, at: string): boolean {
    return this.statements.insertIfMissing.run(userId, JSON.stringify(skills), capacity, at).changes === 1;
  }
}
