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

/** `2025-03-04 10:06:07 EST` in the reader's zone (`… UTC` by default). */
function stamper(timeZone: string): (iso: string) => string {
  if (timeZone === 'UTC') return (iso) => `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  });
  return (iso) => {
    const part: Record<string, string> = {};
    for (const p of format.formatToParts(new Date(iso))) part[p.type] = p.value;
    return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}:${part.second} ${part.timeZoneName}`;
  };
}

function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export interface TranscriptTextOptions {
  /** IANA zone for the times; `UTC` by default. */
  timeZone?: string;
  /** A participant's display name (those who left the chat included). */
  nameOf?(userId: string): string | undefined;
}

/** The transcript as plain text, one message per entry, from the viewer's point of view: names, times in their zone. */
export function transcriptText(transcript: Transcript, viewerId: string, options: TranscriptTextOptions = {}): string {
  const { conversation, messages } = transcript;
  const timeZone = options.timeZone ?? 'UTC';
  const stamp = stamper(timeZone);
  const participantNames = new Map((conversation.participants ?? []).map((p) => [p.userId, p.displayName]));
  const label = (message: MessageView): string => {
    const { kind, id } = message.sender;
    if (id === viewerId && kind !== 'system') return 'You';
    if (kind === 'visitor' || kind === 'patient') return participantNames.get(id) ?? options.nameOf?.(id) ?? conversation.visitorName ?? SENDER_LABELS[kind];
    if (kind === 'system' || kind === 'bot') return SENDER_LABELS[kind];
    const name = participantNames.get(id) ?? options.nameOf?.(id);
    return name ? `${name} (${SENDER_LABELS[kind].toLowerCase()})` : SENDER_LABELS[kind];
  };
  const lines = [
    'Carebridge chat transcript',
    `Conversation: ${conversation.id}`,
    `Started: ${stamp(conversation.createdAt)}`,
    ...(conversation.closedAt ? [`Ended: ${stamp(conversation.closedAt)}`] : []),
    `Times: ${timeZone}`,
    '',
  ];
  for (const message of messages) {
    const who = label(message);
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
