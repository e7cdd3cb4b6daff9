/**
 * Files in a chat. An upload is checked (declared type allowed, first bytes matching it, size,
 * file name made safe), stored with its SHA-256 and announced through the conversation service as an
 * `attachment` message, in one transaction: if the message is refused (not a participant, chat
 * closed), no bytes stay behind. A resend with the same client message id returns the original.
 * Downloads are for the conversation's participants, and for supervisors and admins; every
 * download and every refused one is audited.
 */
import { createHash, randomUUID } from 'node:crypto';
import type SQLite from 'better-sqlite3';
import { MAX_ATTACHMENT_BYTES, type AttachmentContentType, type AttachmentView, type MessageView, type ParticipantView } from '../contracts/conversations.js';
import type { ConversationsApi } from '../conversations/index.js';
import type { Actor } from '../platform/auth/actor.js';
import type { AuditLog } from '../platform/audit/audit.js';
import { inTransaction } from '../platform/db/index.js';
import { AppError, badRequest, conflict, forbidden, notFound, unsupportedMediaType } from '../platform/errors.js';
import { contentMatches, sanitizeFileName } from './files.js';
import { AttachmentRepository, type AttachmentInfo, type AttachmentRow } from './repository.js';

const PATIENT_KINDS: ReadonlySet<string> = new Set(['patient', 'visitor']);
const STAFF_KINDS: ReadonlySet<string> = new Set(['agent', 'consultant', 'supervisor']);
/** Staff roles that may open any conversation's files (as they may watch any conversation). */
const OVERSEEING_ROLES: ReadonlySet<string> = new Set(['supervisor', 'admin']);

export const tooLarge = () =>
  new AppError('payload_too_large', `The file is larger than the ${MAX_ATTACHMENT_BYTES / (1024 * 1024)} MiB limit (${MAX_ATTACHMENT_BYTES} bytes).`);

export function attachmentUrl(conversationId: string, attachmentId: string): string {
  return `/api/conversations/${encodeURIComponent(conversationId)}/attachments/${encodeURIComponent(attachmentId)}`;
}

export function toAttachmentView(row: AttachmentInfo): AttachmentView {
  return {
    id: row.id,
    fileName: row.file_name,
    contentType: row.content_type as AttachmentContentType,
    size: row.size,
    url: attachmentUrl(row.conversation_id, row.id),
  };
}

export interface UploadInput {
  conversationId: string;
  clientMessageId: string;
  fileName: string;
  contentType: AttachmentContentType;
  data: Buffer;
}

export interface RequestFacts {
  ip: string | null;
  requestId: string | null;
}

export class AttachmentService {
  private readonly repo: AttachmentRepository;

  constructor(private readonly deps: { sqlite: SQLite.Database; conversations: ConversationsApi['core']; audit: AuditLog; now?: () => Date }) {
    this.repo = new AttachmentRepository(deps.sqlite);
  }

  /**
   * Checks that can be made before the body is read: the conversation exists (404), the actor takes
   * part and may post files (403), and it is still open (409), unless this is a resend of a stored upload.
   */
  checkCanUpload(actor: Actor, conversationId: string, clientMessageId: string): void {
    const conversation = this.deps.conversations.get(conversationId);
    if (!conversation) throw notFound('Conversation', conversationId);
    const participant = this.participant(conversationId, actor.userId);
    const kinds = actor.kind === 'staff' ? STAFF_KINDS : PATIENT_KINDS;
    if (!participant || !kinds.has(participant.kind)) {
      throw forbidden('You are not a participant in this conversation.');
    }
    if (participant.kind === 'consultant') throw forbidden('A consultant writes internal notes only until added to the conversation.');
    const open = conversation.state !== 'closed' && conversation.state !== 'wrapup';
    if (!open && !this.repo.byClientMessage(conversationId, actor.userId, clientMessageId)) {
      throw conflict(`The conversation is ${conversation.state === 'closed' ? 'closed' : 'in wrap-up'}: no new files.`);
    }
  }

  /** Stores the file and its message; `duplicate` when this client message id was already stored. */
  upload(actor: Actor, input: UploadInput): { message: MessageView; duplicate: boolean } {
    if (input.data.length === 0) throw badRequest('The file is empty.');
    if (input.data.length > MAX_ATTACHMENT_BYTES) throw tooLarge();
    if (!contentMatches(input.contentType, input.data)) {
      throw unsupportedMediaType(`The file's content is not ${input.contentType}: accepted are PNG, JPEG, GIF, WEBP images and PDF.`);
    }
    const fileName = sanitizeFileName(input.fileName);
    if (fileName.length === 0) throw badRequest('The file name has no usable characters.');
    return inTransaction(this.deps.sqlite, () => {
      const existing = this.repo.byClientMessage(input.conversationId, actor.userId, input.clientMessageId);
      if (existing) {
        const replay = this.deps.conversations.sendMessage(actor, {
          conversationId: input.conversationId,
          clientMessageId: input.clientMessageId,
          body: existing.file_name,
          kind: 'attachment',
          attachment: toAttachmentView(existing),
        });
        return { message: replay.message, duplicate: true };
      }
      const row: AttachmentRow = {
        id: randomUUID(),
        conversation_id: input.conversationId,
        uploader_id: actor.userId,
        client_message_id: input.clientMessageId,
        file_name: fileName,
        content_type: input.contentType,
        size: input.data.length,
        sha256: createHash('sha256').update(input.data).digest('hex'),
        data: input.data,
        created_at: (this.deps.now?.() ?? new Date()).toISOString(),
      };
      this.repo.insert(row);
      const sent = this.deps.conversations.sendMessage(actor, {
        conversationId: input.conversationId,
        clientMessageId: input.clientMessageId,
        body: fileName,
        kind: 'attachment',
        attachment: toAttachmentView(row),
      });
      // The id was used for another (text) message: throwing rolls the stored bytes back.
      if (sent.duplicate) throw conflict('This clientMessageId was already used for another message: send the file with a new one.');
      return sent;
    });
  }

  /**
   * The file, for a participant (patients and visitors: their own conversation; staff: taking part
   * now) or a supervisor/admin. Every download is audited, the patient's own included; so is a refusal.
   */
  download(actor: Actor, conversationId: string, attachmentId: string, facts: RequestFacts): AttachmentRow {
    const conversation = this.deps.conversations.get(conversationId);
    if (!conversation) throw notFound('Conversation', conversationId);
    const participant = this.participant(conversationId, actor.userId);
    const allowed =
      actor.kind === 'staff'
        ? (participant !== undefined && STAFF_KINDS.has(participant.kind)) || OVERSEEING_ROLES.has(actor.role)
        : participant !== undefined && PATIENT_KINDS.has(participant.kind);
    const entry = (outcome: 'success' | 'denied', reason: string, details: Record<string, unknown>) => ({
      actorId: actor.userId,
      actorRole: actor.kind === 'staff' ? actor.role : actor.kind,
      action: 'phi.read',
      outcome,
      resourceType: 'Attachment',
      resourceId: attachmentId,
      patientId: conversation.patient_id,
      reason,
      ip: facts.ip,
      requestId: facts.requestId,
      details: { conversationId, ...details },
    });
    if (!allowed) {
      const refusal = forbidden('You are not a participant in this conversation.');
      this.deps.audit.record(entry('denied', refusal.message, {}));
      throw refusal;
    }
    const row = this.repo.withData(conversationId, attachmentId);
    if (!row) throw notFound('Attachment', attachmentId);
    const reason = actor.kind !== 'staff' ? 'own conversation' : participant ? 'conversation participant' : 'conversation oversight';
    this.deps.audit.record(entry('success', reason, { fileName: row.file_name, contentType: row.content_type }));
    return row;
  }

  /** The user's current part in the conversation (those who left have none). */
  private participant(conversationId: string, userId: string): ParticipantView | undefined {
    return this.deps.conversations.participantsOf(conversationId).find((p) => p.userId === userId);
  }
}
