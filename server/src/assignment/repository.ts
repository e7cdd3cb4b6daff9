/** The few reads the assignment glue needs: staff roles, and conversations waiting for a person. */
import type SQLite from 'better-sqlite3';

export class AssignmentRepository {
  private readonly statements: { role: SQLite.Statement<[string], { role: string }>; waiting: SQLite.Statement<[], { id: string }> };

  constructor(sqlite: SQLite.Database) {
    this.statements = {
      role: sqlite.prepare('SELECT role FROM users WHERE id = ?'),
      waiting: sqlite.prepare("SELECT id FROM conversations WHERE state IN ('queued', 'offered') ORDER BY updated_at, id"),
    };
  }

  /** The account's role, or undefined for an unknown user. */
  roleOf(userId: string): string | undefined {
    return this.statements.role.get(userId)?.role;
  }

  /** Conversations waiting for a person, longest-waiting first. */
  waitingConversationIds(): string[] {
    return this.statements.waiting.all().map((r) => r.id);
  }
}
