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

export const presenceSchema = z.object({
  userId: z.string(),
  state: presenceStateSchema,
  /** ISO timestamp of the last change. */
  since: z.string(),
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

/** Server → client events. */
export interface ServerToClientEvents {
  'presence:changed': (presence: Presence) => void;
}

/** The reasons a connection is refused, as `connect_error` messages a user can read. */
export const REALTIME_AUTH_ERRORS = {
  missingToken: 'Sign in first: the live connection needs an access token.',
  invalidToken: 'The access token is invalid or has expired: sign in again.',
  notStaff: 'Only staff accounts can use the live staff channel.',
} as const;
