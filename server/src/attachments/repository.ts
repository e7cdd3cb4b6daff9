/**
 * SQL for attachments (table `attachments`, migration 008): the file bytes with their description,
 * unique per uploader and client message id. Portable SQL.
 */
import type SQLite from 'better-sqlite3';
import type { AttachmentTable } from '../platform/db/schema.js';

export type AttachmentRow = AttachmentTable;
/** Everything but the bytes. */
export type AttachmentInfo = Omit<AttachmentRow, 'data'>;

const INFO_COLUMNS = 'id, conversation_id, uploader_id, client_message_id, file_name, content_type, size, sha256, created_at';

export class AttachmentRepository {
  private readonly statements;

  constructor(sqlite: SQLite.Database) {
    this.statements = {
      insert: sqlite.prepare<[string, string, string, string, string, string, number, string, Buffer, string]>(
        `INSERT INTO attachments (id, conversation_id, uploader_id, client_message_id, file_name, content_type, size, sha256, data, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      byClientMessage: sqlite.prepare<[string, string, string], AttachmentInfo>(
        `SELECT ${INFO_COLUMNS} FROM attachments WHERE conversation_id = ? AND uploader_id = ? AND client_message_id = ?`,
      ),
      withData: sqlite.prepare<[string, string], AttachmentRow>('SELECT * FROM attachments WHERE id = ? AND conversation_id = ?'),
    };
  }

  insert(row: AttachmentRow): void {
    this.statements.insert.run(
      row.id,
      row.conversation_id,
      row.uploader_id,
      row.client_message_id,
      row.file_name,
      row.content_type,
      row.size,
      row.sha256,
      row.data,
      row.created_at,
    );
  }

  byClientMessage(conversationId: string, uploaderId: string, clientMessageId: string): AttachmentInfo | undefined {
    return this.statements.byClientMessage.get(conversationId, uploaderId, clientMessageId);
  }

  /** The attachment with its bytes, only if it belongs to that conversation. */
  withData(conversationId: string, attachmentId: string): AttachmentRow | undefined {
    return this.statements.withData.get(attachmentId, conversationId);
  }
}
