/**
 * The few reads the assignment glue needs: staff roles and names, conversations waiting for a person,
 * and conversations agents still had when the server stopped.
 */
import type SQLite from 'better-sqlite3';
import type { ConversationRow } from '../conversations/repository.js';

type OwnedConversationRow = ConversationRow & { agent_id: string };

export class AssignmentRepository {
  private readonly statements: {
    role: SQLite.Statement<[string], { role: string }>;
    waiting: SQLite.Statement<[], { id: string }>;
    owned: SQLite.Statement<[], OwnedConversationRow>;
  };

  constructor(private readonly sqlite: SQLite.Database) {
    this.statements = {
      role: sqlite.prepare('SELECT role FROM users WHERE id = ?'),
      waiting: sqlite.prepare("SELECT id FROM conversations WHERE state IN ('queued', 'offered') ORDER BY COALESCE(queued_at, updated_at), id"),
      owned: sqlite.prepare("SELECT * FROM conversations WHERE state IN ('active', 'waiting', 'wrapup') AND agent_id IS NOT NULL ORDER BY updated_at, id"),
    };
  }

  /** Conversations an agent still has (active, waiting or in wrap-up). */
  ownedConversations(): OwnedConversationRow[] {
    return this.statements.owned.all();
  }

  /** Enabled accounts with one of the roles, for the colleagues list. */
  routedAccounts(roles: readonly string[]): { id: string; display_name: string; role: string }[] {
    if (roles.length === 0) return [];
    return this.sqlite
      .prepare<string[], { id: string; display_name: string; role: string }>(
        `SELECT id, display_name, role FROM users WHERE disabled = 0 AND role IN (${roles.map(() => '?').join(', ')}) ORDER BY display_name, id`,
      )
      .all(...roles);
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
