/**
 * The live channel between staff apps and the server (socket.io namespace `/staff`): event names and
 * payload schemas shared by the server and the desktop renderer. Pure zod, no runtime dependencies.
 *
 * Client → server events carry a payload and an acknowledgement callback answered with
 * `{ ok: true, ... } | { ok: false, error }`. Server → client events are broadcast facts.
 */
import { z } from 'zod';

export const STAFF_NAMESPACE = '/staff';

export const PRESENCE_STATES = ['available', 'busy', 'away', 'offline'] as const;
export const presenceStateSchema = z.enum(PRESENCE_STATES);
export type PresenceState = z.infer<typeof presenceStateSchema>;

/** Why the server changed someone's presence (absent when they chose it themselves). */
export const PRESENCE_REASONS = ['missed-offers'] as const;

export const presenceSchema = z.object({
  userId: z.string(),
  state: presenceStateSchema,
  /** ISO timestamp of the last change. */
  since: z.string(),
  /** `missed-offers`: set away by routing after offers expired unanswered; new chats pause, their chats stay theirs. */
  reason: z.enum(PRESENCE_REASONS).optional(),
});
export type Presence = z.infer<typeof presenceSchema>;

export const presenceUpdateSchema = z.strictObject({ state: presenceStateSchema });
export type PresenceUpdate = z.infer<typeof presenceUpdateSchema>;

export const presenceListResponseSchema = z.object({ items: z.array(presenceSchema) });
export type PresenceListResponse = z.infer<typeof presenceListResponseSchema>;

export const realtimeErrorSchema = z.object({
  code: z.enum(['bad_payload', 'too_many_requests', 'forbidden', 'internal']),
  message: z.string(),
});
export type RealtimeError = z.infer<typeof realtimeErrorSchema>;

export type Ack<T> = ({ ok: true } & T) | { ok: false; error: RealtimeError };

/** Client → server: payload schemas. */
export const clientEvents = {
  'presence:set': presenceUpdateSchema,
  'presence:get': z.undefined(),
} as const;
export type ClientEvent = keyof typeof clientEvents;

export interface ClientAcks {
  'presence:set': Ack<{ presence: Presence }>;
  'presence:get': Ack<{ presence: Presence }>;
}

/**
 * Why the server ended a signed-in user's live connections (`session:ended`, on `/staff` and
 * `/patient`): every session of the account ended, so the app signs out and says why.
 */
export const SESSION_END_REASONS = ['signed-out', 'disabled', 'role-changed', 'password-changed', 'revoked'] as const;
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];

export const SESSION_ENDED_MESSAGES: Record<SessionEndReason, string> = {
  'signed-out': 'You signed out, here or in another window. Sign in again to continue.',
  disabled: 'Your account has been disabled. Ask an administrator.',
  'role-changed': 'Your role has changed. Sign in again to continue.',
  'password-changed': 'Your password was changed. Sign in again with the new password.',
  revoked: 'Your session was ended for your security. Sign in again.',
};

/** Sent just before the server disconnects every socket of the account (no reconnect: sign in again). */
export interface SessionEndedEvent {
  reason: SessionEndReason;
  message: string;
}

/**
 * Sent when the access token the socket connected with expires, just before the server disconnects
 * it: refresh the token and connect again.
 */
export interface SessionExpiredEvent {
  message: string;
}

/** Server → client events of both namespaces about the connection's own session. */
export interface SessionServerEvents {
  'session:ended': (event: SessionEndedEvent) => void;
  'session:expired': (event: SessionExpiredEvent) => void;
}

/** Server → client events. */
export interface ServerToClientEvents extends SessionServerEvents {
  'presence:changed': (presence: Presence) => void;
  /** An admin saved clinic settings (dispositions, quick replies, queues, survey): read them again (`ClinicSettingsChangedEvent`). */
  'settings:changed': (event: { section: string; version: number }) => void;
}

/** The reasons a connection is refused, as `connect_error` messages a user can read. */
export const REALTIME_AUTH_ERRORS = {
  missingToken: 'Sign in first: the live connection needs an access token.',
  invalidToken: 'The access token is invalid or has expired: sign in again.',
  notStaff: 'Only staff accounts can use the live staff channel.',
} as const;
