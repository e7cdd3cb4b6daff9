/**
 * The one socket.io client of the renderer (one socket, streamed into the RTK Query
 * cache). Only the realtime middleware opens and closes it; API slices subscribe to its events in
 * `onCacheEntryAdded`. Components never touch it.
 */
import { io, type Socket } from 'socket.io-client';
import {
  REALTIME_AUTH_ERRORS,
  STAFF_NAMESPACE,
  type AssistServerEvents,
  type SentimentServerEvents,
  type ClientAcks,
  type ConversationAcks,
  type ConversationServerEvents,
  type ServerToClientEvents,
  type SessionEndedEvent,
  type StaffConversationEvent,
  type SupervisorAcks,
  type SupervisorServerEvents,
} from '@carebridge/server/contracts';

/** Every `/staff` event the desk sends, with its acknowledgement: presence, conversations, supervision. */
export type LiveAcks = ClientAcks & Pick<ConversationAcks, StaffConversationEvent> & SupervisorAcks;
export type LiveEvent = keyof LiveAcks;
/** Every `/staff` event the server pushes. */
export type LiveServerEvents = ServerToClientEvents & ConversationServerEvents & SupervisorServerEvents & AssistServerEvents & SentimentServerEvents;

export type SocketStatus = 'connecting' | 'connected' | 'reconnecting' | 'offline';

export interface SocketCallbacks {
  /** The current access token (read at every connection attempt, so refreshed tokens are used). */
  token(): string | null;
  onStatus(status: SocketStatus, detail?: string): void;
  /** The token was refused: refresh it, then call `reconnectLiveSocket()`. */
  onAuthRejected(): void;
  onConnected(): void;
  /**
   * The server ended every session of the account (signed out elsewhere, disabled, role or password
   * changed) and disconnected: sign out, showing `message`.
   */
  onSessionEnded(message: string): void;
  /** The access token expired and the server disconnected: refresh it, then call `reconnectLiveSocket()`. */
  onSessionExpired(): void;
}

type ServerEvent = keyof LiveServerEvents;
type Listener<E extends ServerEvent> = Parameters<LiveServerEvents[E]>[0];

let socket: Socket | null = null;
type AnyListener = (payload: unknown) => void;
const subscribers = new Map<ServerEvent, Set<AnyListener>>();
const relay = (listeners: Set<AnyListener>) => (payload: unknown) => {
  for (const l of listeners) l(payload);
};

export function openLiveSocket(serverUrl: string, callbacks: SocketCallbacks): void {
  closeLiveSocket();
  callbacks.onStatus('connecting');
  const created = io(`${serverUrl}${STAFF_NAMESPACE}`, {
    auth: (cb) => cb({ token: callbacks.token() ?? '' }),
    reconnectionDelay: 500,
    reconnectionDelayMax: 3000,
    timeout: 8000,
    transports: ['websocket', 'polling'],
  });
  socket = created;
  created.on('connect', () => {
    callbacks.onStatus('connected');
    callbacks.onConnected();
  });
  // The server says the token expired, then closes the socket (and socket.io does not reconnect
  // after a server disconnect): once closed, the session refreshes the token and reconnects.
  let expired = false;
  created.on('session:expired', () => {
    expired = true;
  });
  created.on('disconnect', (reason) => {
    if (reason === 'io client disconnect') return;
    callbacks.onStatus('reconnecting', 'The connection to the server was lost. Reconnecting…');
    if (expired && reason === 'io server disconnect') {
      expired = false;
      callbacks.onSessionExpired();
    }
  });
  created.on('connect_error', (err) => {
    if (created.active) {
      callbacks.onStatus('reconnecting', 'Cannot reach the server. Retrying…');
      return;
    }
    // The server refused the handshake (middleware error): socket.io does not retry by itself.
    if (err.message === REALTIME_AUTH_ERRORS.invalidToken) callbacks.onAuthRejected();
    else callbacks.onStatus('offline', err.message);
  });
  created.on('session:ended', (event: SessionEndedEvent) => callbacks.onSessionEnded(event.message));
  for (const [event, listeners] of subscribers) created.on(event, relay(listeners));
}

export function reconnectLiveSocket(): void {
  if (socket && !socket.connected) socket.connect();
}

export function closeLiveSocket(): void {
  socket?.removeAllListeners();
  socket?.disconnect();
  socket = null;
}

export function isLiveSocketConnected(): boolean {
  return socket?.connected ?? false;
}

/** Sends an event and waits for its acknowledgement; fails fast when not connected. */
export async function sendLive<E extends LiveEvent>(event: E, payload?: unknown, timeoutMs = 5000): Promise<LiveAcks[E]> {
  if (!socket?.connected) return { ok: false, error: { code: 'internal', message: 'Not connected to the server.' } } as LiveAcks[E];
  const args: unknown[] = payload === undefined ? [] : [payload];
  return (await socket.timeout(timeoutMs).emitWithAck(event, ...args)) as LiveAcks[E];
}

/** Listens to a server event on the current and every future socket. */
export function subscribeLive<E extends ServerEvent>(event: E, listener: (payload: Listener<E>) => void): () => void {
  let listeners = subscribers.get(event);
  if (!listeners) {
    subscribers.set(event, (listeners = new Set()));
    socket?.on(event as string, relay(listeners));
  }
  listeners.add(listener as AnyListener);
  return () => listeners!.delete(listener as AnyListener);
}
