/**
 * A participant's download of a whole conversation: every message they may see, paged through the
 * conversation service's `sync` (which checks membership, audits a refusal and leaves notes and
 * whispers out for patients), as JSON or as readable text. Every export is an audit row, whoever
 * asks: staff, or the patient or visitor reading their own chat.
 */
import type { ConversationView, MessageView } from '../contracts/conversations.js';
import { toConversationView, type ConversationsApi } from '../conversations/index.js';
import type { Actor } from '../platform/auth/actor.js';
import type { AuditLog } from '../platform/audit/audit.js';

export interface Transcript {
  conversation: ConversationView;
  messages: MessageView[];
}

export function readTranscript(
  deps: { conversations: ConversationsApi['core']; audit: AuditLog },
  actor: Actor,
  conversationId: string,
  facts: { ip: string | null; requestId: string | null },
): Transcript {
  const messages: MessageView[] = [];
  let afterSeq = 0;
  for (;;) {
    // `sync` checks membership and audits a refusal; the export is recorded below, every time.
    const page = deps.conversations.sync(actor, conversationId, afterSeq, { origin: facts, purpose: 'conversation.transcript', recordRead: false });
    messages.push(...page.messages);
    const last = page.messages.at(-1);
    if (!page.hasMore || !last) {
      deps.audit.record({
        actorId: actor.userId,
        actorRole: actor.kind === 'staff' ? actor.role : actor.kind,
        action: 'phi.read',
        resourceType: 'Conversation',
        resourceId: conversationId,
        patientId: page.conversation.patient_id,
        reason: actor.kind === 'staff' ? 'conversation participant' : 'own conversation',
        ip: facts.ip,
        requestId: facts.requestId,
        details: { purpose: 'conversation.transcript', messages: messages.length },
      });
      return { conversation: toConversationView(page.conversation, actor.kind === 'staff' ? 'staff' : 'patient'), messages };
    }
    afterSeq = last.seq;
  }
}

const SENDER_LABELS: Record<MessageView['sender']['kind'], string> = {
  patient: 'Patient',
  visitor: 'Visitor',
  bot: 'Assistant',
  agent: 'Agent',
  consultant: 'Consultant',
  supervisor: 'Supervisor',
  system: 'System',
};

/** `2025-03-04 15:06:07 UTC` */
function stamp(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function label(message: MessageView, viewerId: string, visitorName: string | null): string {
  if (message.sender.id === viewerId && message.sender.kind !== 'system') return 'You';
  if (message.sender.kind === 'visitor' && visitorName) return visitorName;
  return SENDER_LABELS[message.sender.kind];
}

/** The transcript as plain text, one message per entry, times in UTC, from the viewer's point of view. */
export function transcriptText(transcript: Transcript, viewerId: string): string {
  const { conversation, messages } = transcript;
  const lines = [
    'Carebridge chat transcript',
    `Conversation: ${conversation.id}`,
    `Started: ${stamp(conversation.createdAt)}`,
    ...(conversation.closedAt ? [`Ended: ${stamp(conversation.closedAt)}`] : []),
    '',
  ];
  for (const message of messages) {
    const who = label(message, viewerId, conversation.visitorName);
    const tag = message.kind === 'note' ? ' (internal note)' : message.kind === 'whisper' ? ' (whisper to the agent)' : '';
    const body =
      message.kind === 'attachment' && message.attachment
        ? `[attachment: ${message.attachment.fileName}, ${message.attachment.contentType}, ${sizeText(message.attachment.size)}]`
        : message.body;
    // Continuation lines are indented so every entry starts with its time.
    lines.push(`[${stamp(message.createdAt)}] ${who}${tag}: ${body.replace(/\r?\n/g, '\n    ')}`);
  }
  return `${lines.join('\n')}\n`;
}

export function transcriptFileName(conversation: ConversationView): string {
  return `carebridge-chat-${conversation.createdAt.slice(0, 10)}.txt`;
}
