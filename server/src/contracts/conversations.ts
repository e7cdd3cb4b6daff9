/**
 * Live conversations (issue 4): the REST bodies and socket.io events shared by the server, the desk
 * and the patient chat widget. Pure zod, no runtime dependencies.
 *
 * Namespaces: `/patient` (patients and anonymous visitors) and `/staff`. Every client → server event
 * is answered with an acknowledgement `{ ok: true, ... } | { ok: false, error: { code, message } }`.
 */
import { z } from 'zod';
import { ROUTING_SKILLS, type AssignmentReason, type OfferEndCause } from './routing.js';
import { DATE_OF_BIRTH_MESSAGES, FORM_LIMITS, dateOfBirthProblem, latestDateOnEarth } from './forms.js';
import { botAttachmentSchema, suggestedActionSchema } from './bot.js';

export const PATIENT_NAMESPACE = '/patient';

/** `api`: the Direct Line–shaped channel API (`/api/bot/conversations`) used by SMS, IVR and other channels. */
export const CONVERSATION_CHANNELS = ['portal', 'widget', 'api'] as const;
export const CONVERSATION_STATES = ['bot', 'queued', 'offered', 'active', 'waiting', 'wrapup', 'closed'] as const;
export const PARTICIPANT_KINDS = ['patient', 'visitor', 'bot', 'agent', 'consultant', 'supervisor'] as const;
/**
 * `note`: internal, staff only. `whisper`: a supervisor to the agents only (staff only, like a note).
 * `attachment`: a file (image or PDF) uploaded over REST; `attachment` on the message describes it.
 */
export const MESSAGE_KINDS = ['text', 'note', 'system', 'card', 'whisper', 'attachment'] as const;
/** Message kinds patients and visitors never receive. */
export const STAFF_ONLY_MESSAGE_KINDS: readonly MessageKind[] = ['note', 'whisper'];
/** Queues the bot can hand off to: the routing skills (routing owns the queue configuration). */
export const HANDOFF_QUEUES = ROUTING_SKILLS;

export type ConversationChannel = (typeof CONVERSATION_CHANNELS)[number];
export type ConversationState = (typeof CONVERSATION_STATES)[number];
export type ParticipantKind = (typeof PARTICIPANT_KINDS)[number];
export type MessageKind = (typeof MESSAGE_KINDS)[number];
export type HandoffQueue = (typeof HANDOFF_QUEUES)[number];

/** The longest message body, in characters. */
export const MAX_MESSAGE_CHARS = 4000;
/** The most messages one `conversation:sync` returns; the client asks again from the last seq. */
export const SYNC_PAGE_SIZE = 500;

const id = z.string().min(1).max(100);

export const handoffPacketSchema = z.object({
  reason: z.string(),
  intent: z.string(),
  collectedAnswers: z.record(z.string(), z.string()),
  triageDisposition: z.string().optional(),
  summary: z.string(),
  language: z.string(),
});
export type HandoffPacket = z.infer<typeof handoffPacketSchema>;

export const conversationSchema = z.object({
  id: z.string(),
  channel: z.enum(CONVERSATION_CHANNELS),
  state: z.enum(CONVERSATION_STATES),
  /** Set for a signed-in patient; null for an anonymous visitor. */
  patientId: z.string().nullable(),
  visitorName: z.string().nullable(),
  queue: z.string().nullable(),
  priority: z.number().int(),
  skills: z.array(z.string()),
  /** Staff only: the bot's handoff packet. */
  handoff: handoffPacketSchema.nullable().optional(),
  lastSeq: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  closedAt: z.string().nullable(),
  /** Staff only: the agent who owns the conversation now (null while with the bot or waiting). */
  agentId: z.string().nullable().optional(),
  /** Staff only: who takes part (left participants excluded). */
  participants: z.array(z.lazy(() => participantSchema)).optional(),
  /** Staff only: the agent's wrap-up, once closed. */
  wrapup: z.lazy(() => wrapupSchema).nullable().optional(),
});
export type ConversationView = z.infer<typeof conversationSchema>;

export const participantSchema = z.object({
  userId: z.string(),
  kind: z.enum(PARTICIPANT_KINDS),
  displayName: z.string().nullable(),
  joinedAt: z.string(),
});
export type ParticipantView = z.infer<typeof participantSchema>;

export const wrapupSchema = z.object({
  disposition: z.string().nullable(),
  notes: z.string().nullable(),
  byUserId: z.string(),
  at: z.string(),
});
export type WrapupView = z.infer<typeof wrapupSchema>;

// --- attachments (uploaded over REST, announced as an `attachment` message) ---

/** Accepted upload types; the server also checks the file's first bytes match the declared type. */
export const ATTACHMENT_CONTENT_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf'] as const;
export type AttachmentContentType = (typeof ATTACHMENT_CONTENT_TYPES)[number];
/** The largest upload, in bytes (10 MiB). */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

export const attachmentSchema = z.object({
  id: z.string(),
  fileName: z.string(),
  contentType: z.enum(ATTACHMENT_CONTENT_TYPES),
  size: z.number().int(),
  /** Relative URL to download it with the same bearer token: `/api/conversations/:id/attachments/:attachmentId`. */
  url: z.string(),
});
export type AttachmentView = z.infer<typeof attachmentSchema>;

/**
 * `POST /api/conversations/:conversationId/attachments?clientMessageId=…&fileName=…` with the raw file
 * as the body and its `Content-Type`; bearer token of a participant (patient, visitor or staff).
 * Answers 201 `{ message }` (the stored `attachment` message; a resend with the same clientMessageId
 * answers 200 with the original). Errors: 413 too large, 415 type not allowed or content not matching.
 */
export const attachmentUploadQuerySchema = z.strictObject({
  clientMessageId: id,
  fileName: z.string().trim().min(1).max(200),
});
export type AttachmentUploadQuery = z.infer<typeof attachmentUploadQuerySchema>;

/**
 * `GET /api/conversations/:conversationId/transcript?format=json|text` — the whole conversation for a
 * participant (patients: without notes and whispers), as JSON `{ conversation, messages }` or as a
 * plain-text download (`Content-Disposition: attachment`). Staff reads are audited.
 */
/** An IANA time zone name the runtime knows, e.g. `America/New_York`. */
export const timeZoneSchema = z
  .string()
  .max(64)
  .refine((zone) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone such as America/New_York');

export const transcriptQuerySchema = z.strictObject({
  format: z.enum(['json', 'text']).default('json'),
  /** The reader's time zone for the text format's times (default UTC). */
  tz: timeZoneSchema.optional(),
});

/**
 * A card in a chat (migration 016): an appointment confirmation, an article link or other notice a
 * staff member sends; the widget, the portal and the desk render it. Links are same-site paths only,
 * so a card never sends a patient elsewhere.
 */
export const chatCardSchema = z.strictObject({
  type: z.enum(['appointment', 'article', 'info']),
  title: z.string().trim().min(1).max(200),
  subtitle: z.string().trim().max(300).optional(),
  text: z.string().trim().max(2000).optional(),
  facts: z
    .array(z.strictObject({ label: z.string().trim().min(1).max(60), value: z.string().trim().min(1).max(300) }))
    .max(12)
    .optional(),
  actions: z
    .array(
      z.strictObject({
        label: z.string().trim().min(1).max(60),
        url: z
          .string()
          .max(2000)
          .regex(/^\/(?![/\\])[^\s]*$/, 'A link in a card is a path on this site, starting with one "/".'),
      }),
    )
    .max(4)
    .optional(),
});
export type ChatCard = z.infer<typeof chatCardSchema>;

export const sendCardBodySchema = z.strictObject({
  card: chatCardSchema,
  /** For a retry: the same id sends the card once. */
  clientMessageId: id.optional(),
});
export type SendCardBody = z.infer<typeof sendCardBodySchema>;

/** The words a card stands for: what transcripts, search and notifications show. */
export function cardText(card: ChatCard): string {
  return [card.title, card.subtitle, card.text, ...(card.facts ?? []).map((f) => `${f.label}: ${f.value}`)].filter(Boolean).join('\n');
}

/**
 * What a message carries besides its text (migration 020, column `bot_content`). On a bot message:
 * Adaptive Cards or hero cards (`attachments`, templated already) and `suggestedActions` (a choice
 * prompt's choices: each `value` sent back as the patient's text answers it). On a patient's message:
 * `value`, the inputs of a card they submitted (it answers the pending prompt). `body` always reads
 * on its own, so a renderer that draws none of this still shows the whole conversation.
 */
export const botContentSchema = z.object({
  attachments: z.array(botAttachmentSchema).max(10).optional(),
  suggestedActions: z.array(suggestedActionSchema).max(100).optional(),
  /** `markdown`: the body is Markdown (bold, lists, links). */
  textFormat: z.enum(['markdown', 'plain']).optional(),
  /** The bot waits for an answer to this message. */
  expectingInput: z.boolean().optional(),
  value: z.union([z.string().max(4_000), z.record(z.string(), z.unknown())]).optional(),
});
export type BotContent = z.infer<typeof botContentSchema>;

export const messageSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  seq: z.number().int(),
  clientMessageId: z.string().nullable(),
  sender: z.object({ kind: z.enum(PARTICIPANT_KINDS).or(z.literal('system')), id: z.string() }),
  kind: z.enum(MESSAGE_KINDS),
  body: z.string(),
  createdAt: z.string(),
  /** Set on `attachment` messages. */
  attachment: attachmentSchema.nullable().optional(),
  /** Set on `card` messages. */
  card: chatCardSchema.nullable().optional(),
  /** Cards and suggested actions on a bot message; submitted card inputs on a patient's (see `botContentSchema`). */
  bot: botContentSchema.optional(),
});
export type MessageView = z.infer<typeof messageSchema>;

// --- REST ---

export const visitorTokenRequestSchema = z.strictObject({ displayName: z.string().trim().min(1).max(FORM_LIMITS.name) });
export type VisitorTokenRequest = z.infer<typeof visitorTokenRequestSchema>;
export const visitorTokenResponseSchema = z.object({ token: z.string(), visitorId: z.string(), expiresIn: z.number().int() });
export type VisitorTokenResponse = z.infer<typeof visitorTokenResponseSchema>;

// --- socket events, client → server ---

/** A date of birth as the widget's date input gives it: `YYYY-MM-DD`, a real date, not in the future, not before 1900. */
export const dateOfBirthSchema = z
  .string()
  .max(10)
  .superRefine((value, ctx) => {
    const problem = dateOfBirthProblem(value, latestDateOnEarth(new Date()));
    if (problem) ctx.addIssue({ code: 'custom', message: DATE_OF_BIRTH_MESSAGES[problem] });
  });

/**
 * The pre-chat form's answers (the widget asks before the chat starts; the visitor's name comes
 * with the visitor token). All optional here: the widget decides what is required, and clients
 * without the form (older widgets, test visitors) start without it. Signed-in patients are known:
 * a date of birth from them is refused. Reach staff in the hand-off packet (`PRECHAT_ANSWER_KEYS`).
 */
export const prechatAnswersSchema = z.strictObject({
  /** A configured reason choice, or the visitor's own short words. */
  reason: z.string().trim().min(1).max(FORM_LIMITS.reason).optional(),
  /** More about the reason, in their words. */
  reasonDetail: z.string().trim().min(1).max(FORM_LIMITS.reasonDetail).optional(),
  dateOfBirth: dateOfBirthSchema.optional(),
});
export type PrechatAnswers = z.infer<typeof prechatAnswersSchema>;

/** How the pre-chat answers are labelled in the hand-off packet's `collectedAnswers` (keys with spaces are shown as they are). */
export const PRECHAT_ANSWER_KEYS = {
  reason: 'Reason for contacting us',
  reasonDetail: 'More about the reason',
  dateOfBirth: 'Date of birth (as given, not verified)',
} as const satisfies Record<keyof PrechatAnswers, string>;

export const conversationStartSchema = z.strictObject({ channel: z.enum(CONVERSATION_CHANNELS).optional(), prechat: prechatAnswersSchema.optional() });
export const messageSendSchema = z.strictObject({
  conversationId: id,
  /** Generated by the client (a UUID); a resend with the same id returns the original seq. */
  clientMessageId: id,
  body: z.string().trim().min(1).max(MAX_MESSAGE_CHARS),
  /**
   * Patients only: a bot card's submitted inputs (or a suggested action's value), which answer the
   * bot's pending prompt; `body` is what the transcript shows for it. Stored as the message's `bot.value`.
   */
  value: z.union([z.string().max(MAX_MESSAGE_CHARS), z.record(z.string().max(100), z.unknown())]).optional(),
});
export const staffMessageSendSchema = messageSendSchema.extend({ kind: z.enum(['text', 'note']).optional() });
export const conversationSyncSchema = z.strictObject({ conversationId: id, afterSeq: z.number().int().min(0) });
export const typingSchema = z.strictObject({ conversationId: id, typing: z.boolean() });
export const receiptSchema = z.strictObject({ conversationId: id, seq: z.number().int().min(1), kind: z.enum(['delivered', 'read']) });
export const conversationRefSchema = z.strictObject({ conversationId: id });
/** An agent answers an `offer:new`. */
export const offerRefSchema = z.strictObject({ offerId: id });

export const patientConversationEvents = {
  'conversation:start': conversationStartSchema,
  'message:send': messageSendSchema,
  'conversation:sync': conversationSyncSchema,
  typing: typingSchema,
  receipt: receiptSchema,
  'conversation:end': conversationRefSchema,
} as const;
export type PatientConversationEvent = keyof typeof patientConversationEvents;

const noteSchema = z.string().trim().max(1000).optional();
/** Transfer to one agent (they get it at once, with the note) or back into a queue. */
export const transferSchema = z.strictObject({
  conversationId: id,
  target: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('agent'), agentId: id }),
    z.strictObject({ kind: z.literal('queue'), queueId: z.string().min(1).max(64) }),
  ]),
  note: noteSchema,
});
/** Invite another agent as a consultant: they read and write internal notes only, until added. */
export const consultSchema = z.strictObject({ conversationId: id, agentId: id, note: noteSchema });
/** The owning agent adds a consultant to the conversation: the consultant may now write to the patient. */
export const consultAddSchema = z.strictObject({ conversationId: id, agentId: id });
/** The agent ends the chat for the patient: the conversation goes to wrap-up (survey sent). */
export const wrapupStartSchema = conversationRefSchema;
/** Closes after wrap-up (or directly): disposition required when the server's settings say so. */
export const closeSchema = z.strictObject({
  conversationId: id,
  disposition: z.string().min(1).max(64).optional(),
  notes: z.string().trim().max(4000).optional(),
});

export const staffConversationEvents = {
  'conversation:join-room': conversationRefSchema,
  'message:send': staffMessageSendSchema,
  'conversation:sync': conversationSyncSchema,
  typing: typingSchema,
  receipt: receiptSchema,
  'offer:accept': offerRefSchema,
  'offer:decline': offerRefSchema,
  /** The agent's open conversations and pending offers (sent again after every reconnect). */
  'inbox:list': z.strictObject({}),
  'conversation:transfer': transferSchema,
  'conversation:consult': consultSchema,
  'conversation:consult-add': consultAddSchema,
  /** A consultant leaves. */
  'conversation:leave': conversationRefSchema,
  'conversation:wrapup': wrapupStartSchema,
  'conversation:close': closeSchema,
  'conversation:hand-back': conversationRefSchema,
} as const;
export type StaffConversationEvent = keyof typeof staffConversationEvents;

/** `script_incomplete`: wrap-up or close refused while required agent-script steps are left (a conflict). */
export const CONVERSATION_ERROR_CODES = ['bad_payload', 'too_many_requests', 'forbidden', 'not_found', 'conflict', 'script_incomplete', 'internal'] as const;
export type ConversationErrorCode = (typeof CONVERSATION_ERROR_CODES)[number];
export interface ConversationError {
  code: ConversationErrorCode;
  message: string;
}
export type ConversationAck<T> = ({ ok: true } & T) | { ok: false; error: ConversationError };

export interface ConversationAcks {
  'conversation:start': ConversationAck<{ conversation: ConversationView; messages: MessageView[] }>;
  'conversation:join-room': ConversationAck<{ conversation: ConversationView }>;
  'message:send': ConversationAck<{ seq: number; messageId: string; duplicate: boolean }>;
  'conversation:sync': ConversationAck<{ conversation: ConversationView; messages: MessageView[]; hasMore: boolean }>;
  typing: ConversationAck<Record<never, never>>;
  receipt: ConversationAck<Record<never, never>>;
  'conversation:end': ConversationAck<{ conversation: ConversationView }>;
  /** The conversation is the agent's: the desk opens it (the agent's sockets are already in its room). */
  'offer:accept': ConversationAck<{ conversation: ConversationView; packet: HandoffPacket | null }>;
  'offer:decline': ConversationAck<Record<never, never>>;
  'inbox:list': ConversationAck<{ conversations: ConversationView[]; offers: OfferEvent[] }>;
  'conversation:transfer': ConversationAck<{ conversation: ConversationView }>;
  'conversation:consult': ConversationAck<{ conversation: ConversationView }>;
  'conversation:consult-add': ConversationAck<{ conversation: ConversationView }>;
  'conversation:leave': ConversationAck<Record<never, never>>;
  'conversation:wrapup': ConversationAck<{ conversation: ConversationView }>;
  'conversation:close': ConversationAck<{ conversation: ConversationView }>;
  'conversation:hand-back': ConversationAck<{ conversation: ConversationView }>;
}

// --- socket events, server → client ---

export interface TypingEvent {
  conversationId: string;
  sender: { kind: ParticipantKind; id: string };
  typing: boolean;
}
export interface ReceiptEvent {
  conversationId: string;
  userId: string;
  kind: 'delivered' | 'read';
  seq: number;
}
/** To one agent (`/staff`): a conversation is offered; answer with `offer:accept` or `offer:decline` before `expiresAt`. */
export interface OfferEvent {
  offerId: string;
  conversationId: string;
  queue: string;
  priority: number;
  /** The bot's handoff packet: why the patient wants a person and what the bot collected. */
  packet: HandoffPacket | null;
  /** ISO time after which the offer goes to the next agent. */
  expiresAt: string;
  /** Why routing chose this agent. */
  reason: AssignmentReason;
}
/** To one agent (`/staff`): an offer is gone, because it expired or was declined or the chat ended meanwhile. */
export interface OfferWithdrawnEvent {
  offerId: string;
  conversationId: string;
  cause: 'expired' | OfferEndCause;
}
/** To the patient (`/patient`): their place in line; `estimatedWaitMs` null when no agent is signed in. */
export interface QueuePositionEvent {
  conversationId: string;
  position: number;
  estimatedWaitMs: number | null;
}
/**
 * To one staff member (`/staff`): a conversation became theirs without an offer (a transfer to them,
 * a supervisor's reassignment), or they were invited to consult. Their sockets are already in its room.
 */
export interface ConversationAssignedEvent {
  conversation: ConversationView;
  packet: HandoffPacket | null;
  cause: 'transfer' | 'reassign' | 'consult';
  fromUserId: string;
  note: string | null;
}
/** To one staff member (`/staff`): the conversation left their inbox (transferred away, reassigned, force-closed). */
export interface ConversationRemovedEvent {
  conversationId: string;
  cause: 'transferred' | 'reassigned' | 'force-closed' | 'requeued';
}
/** To one staff member (`/staff`): a colleague's note or whisper names them (`@Display Name`). */
export interface MentionEvent {
  conversationId: string;
  messageId: string;
  seq: number;
  fromUserId: string;
  /** The start of the note (up to 200 characters). */
  excerpt: string;
}
export interface ConversationServerEvents {
  'note:mention': (event: MentionEvent) => void;
  'conversation:assigned': (event: ConversationAssignedEvent) => void;
  'conversation:removed': (event: ConversationRemovedEvent) => void;
  'message:new': (message: MessageView) => void;
  'conversation:updated': (conversation: ConversationView) => void;
  typing: (event: TypingEvent) => void;
  receipt: (event: ReceiptEvent) => void;
  'offer:new': (offer: OfferEvent) => void;
  'offer:withdrawn': (event: OfferWithdrawnEvent) => void;
  'queue:position': (event: QueuePositionEvent) => void;
}

/** Why a `/patient` connection is refused. */
export const PATIENT_REALTIME_AUTH_ERRORS = {
  missingToken: 'Start a chat first: the live connection needs a patient or visitor token.',
  invalidToken: 'The chat token is invalid or has expired: start again.',
  notPatient: 'Only patients and chat visitors can use the patient channel.',
} as const;

// --- desk settings and colleagues (REST, staff) ---

export const dispositionSchema = z.strictObject({
  code: z.string().min(1).max(64).regex(/^[a-z0-9-]+$/, 'lower-case letters, digits and - only'),
  label: z.string().min(1).max(100),
});
export type Disposition = z.infer<typeof dispositionSchema>;

export const quickReplySchema = z.strictObject({
  /** Typed after `/q ` in the composer, e.g. `hours`. */
  shortcut: z.string().min(1).max(32).regex(/^[a-z0-9-]+$/, 'lower-case letters, digits and - only'),
  title: z.string().min(1).max(100),
  body: z.string().min(1).max(MAX_MESSAGE_CHARS),
});
export type QuickReply = z.infer<typeof quickReplySchema>;

/** `GET`/`PUT /api/me/quick-replies` (agents, supervisors): a staff member's own quick replies, each shortcut once. */
export const personalQuickRepliesSchema = z
  .strictObject({ quickReplies: z.array(quickReplySchema).max(100) })
  .superRefine((body, ctx) => {
    const seen = new Set<string>();
    for (const [i, reply] of body.quickReplies.entries()) {
      if (seen.has(reply.shortcut)) ctx.addIssue({ code: 'custom', path: ['quickReplies', i, 'shortcut'], message: `shortcut "${reply.shortcut}" is used twice` });
      seen.add(reply.shortcut);
    }
  });
export type PersonalQuickReplies = z.infer<typeof personalQuickRepliesSchema>;

/** The conversation settings a clinic configures (file named by `CONVERSATIONS_CONFIG`, else defaults). */
export const conversationSettingsSchema = z.strictObject({
  dispositions: z.array(dispositionSchema).max(100),
  /** When true, `conversation:close` without a disposition is refused. */
  requireDisposition: z.boolean(),
  quickReplies: z.array(quickReplySchema).max(500),
  /** Most conversations an agent's inbox shows at once (tabs). */
  maxSessions: z.number().int().min(1).max(10),
});
export type ConversationSettings = z.infer<typeof conversationSettingsSchema>;

/** `GET /api/conversations/settings` (staff). */
export const conversationSettingsResponseSchema = conversationSettingsSchema.extend({
  queues: z.array(z.object({ id: z.string(), name: z.string() })),
});
export type ConversationSettingsResponse = z.infer<typeof conversationSettingsResponseSchema>;

/** `GET /api/conversations/agents` (staff): colleagues to transfer to or consult. */
export const agentSummarySchema = z.object({
  userId: z.string(),
  displayName: z.string(),
  role: z.string(),
  presence: z.enum(['available', 'busy', 'away', 'offline']),
  load: z.number().int(),
  capacity: z.number().int(),
  skills: z.array(z.string()),
});
export type AgentSummary = z.infer<typeof agentSummarySchema>;
export const agentListResponseSchema = z.object({ items: z.array(agentSummarySchema) });
export type AgentListResponse = z.infer<typeof agentListResponseSchema>;
