/**
 * Helpers for tests of live conversations with real socket.io clients against `startTestServer()`:
 * staff desks that collect what they receive, a visitor who asks the bot for a person, and waiting.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import type { TestServer } from './server.js';
import { call } from './accounts.js';
import type {
  ConversationAssignedEvent,
  ConversationRemovedEvent,
  ConversationView,
  MessageView,
  OfferEvent,
  OfferWithdrawnEvent,
} from '../contracts/conversations.js';
import type { Principal } from '../platform/auth/principal.js';

export type StaffRole = Extract<Principal, { kind: 'staff' }>['role'];

export const staffPrincipal = (userId: string, role: StaffRole = 'agent'): Principal => ({
  kind: 'staff',
  userId,
  email: `${userId}@example.test`,
  role,
  practitionerId: null,
});

export interface Desk {
  id: string;
  socket: Socket;
  offers: OfferEvent[];
  withdrawn: OfferWithdrawnEvent[];
  messages: MessageView[];
  assigned: ConversationAssignedEvent[];
  removed: ConversationRemovedEvent[];
  updates: ConversationView[];
}

export interface Chat {
  socket: Socket;
  conversationId: string;
  messages: MessageView[];
  updates: ConversationView[];
}

export type Ack = { ok: true } & Record<string, unknown>;
export type Reply = Ack | { ok: false; error: { code: string; message: string } };

export function conversationsHarness(getServer: () => TestServer) {
  const sockets: Socket[] = [];

  async function connected(namespace: '/patient' | '/staff', token: string): Promise<Socket> {
    const socket = connect(`${getServer().url}${namespace}`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return socket;
  }

  /** A staff member's desk: connected, presence set, collecting what it receives. */
  async function desk(id: string, options: { role?: StaffRole; presence?: 'available' | 'busy' | 'away' } = {}): Promise<Desk> {
    const socket = await connected('/staff', await getServer().tokenFor(staffPrincipal(id, options.role ?? 'agent')));
    const d: Desk = { id, socket, offers: [], withdrawn: [], messages: [], assigned: [], removed: [], updates: [] };
    socket.on('offer:new', (o: OfferEvent) => d.offers.push(o));
    socket.on('offer:withdrawn', (w: OfferWithdrawnEvent) => d.withdrawn.push(w));
    socket.on('message:new', (m: MessageView) => d.messages.push(m));
    socket.on('conversation:assigned', (e: ConversationAssignedEvent) => d.assigned.push(e));
    socket.on('conversation:removed', (e: ConversationRemovedEvent) => d.removed.push(e));
    socket.on('conversation:updated', (c: ConversationView) => d.updates.push(c));
    expect(await socket.emitWithAck('presence:set', { state: options.presence ?? 'available' })).toMatchObject({ ok: true });
    return d;
  }

  /** A visitor starts a chat (with `start`'s extra `conversation:start` fields, e.g. `prechat`) and asks the bot for a person (queued for routing). */
  async function visitorChat(name = 'Vera', text = 'I want to talk to a person', start: object = {}): Promise<Chat> {
    const server = getServer();
    const reply = await call<{ token: string }>(server, 'POST', '/api/chat/visitor', { body: { displayName: name } });
    const socket = await connected('/patient', reply.body.token);
    const messages: MessageView[] = [];
    const updates: ConversationView[] = [];
    socket.on('message:new', (m: MessageView) => messages.push(m));
    socket.on('conversation:updated', (c: ConversationView) => updates.push(c));
    const started = (await socket.emitWithAck('conversation:start', start)) as { ok: true; conversation: ConversationView; messages: MessageView[] };
    expect(started).toMatchObject({ ok: true });
    messages.push(...started.messages);
    const conversationId = started.conversation.id;
    expect(await say(socket, conversationId, text)).toMatchObject({ ok: true });
    await server.context.conversations.idle();
    return { socket, conversationId, messages, updates };
  }

  /** Routing offers the chat to this desk and it accepts. */
  async function accept(d: Desk, conversationId: string): Promise<ConversationView> {
    const offer = await until(() => d.offers.find((o) => o.conversationId === conversationId));
    const ack = (await d.socket.emitWithAck('offer:accept', { offerId: offer.offerId })) as { ok: true; conversation: ConversationView };
    expect(ack).toMatchObject({ ok: true, conversation: { id: conversationId, state: 'active', agentId: d.id } });
    return ack.conversation;
  }

  function closeAll(): void {
    for (const s of sockets) s.disconnect();
    sockets.length = 0;
  }

  return { connected, desk, visitorChat, accept, closeAll };
}

export const say = (socket: Socket, conversationId: string, body: string, extra: object = {}) =>
  socket.emitWithAck('message:send', { conversationId, clientMessageId: randomUUID(), body, ...extra }) as Promise<Reply>;

export const emit = (socket: Socket, event: string, payload?: unknown) => socket.emitWithAck(event, payload) as Promise<Reply>;

export async function until<T>(probe: () => T | undefined | false, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function storedMessages(server: TestServer, conversationId: string) {
  return server.context.database.sqlite
    .prepare('SELECT seq, sender_kind, sender_id, kind, body FROM conversation_messages WHERE conversation_id = ? ORDER BY seq')
    .all(conversationId) as { seq: number; sender_kind: string; sender_id: string; kind: string; body: string }[];
}

export function auditRows(server: TestServer, conversationId: string) {
  return server.context.database.sqlite
    .prepare("SELECT actor_id, actor_role, action, patient_id, details FROM audit_log WHERE resource_type = 'Conversation' AND resource_id = ? ORDER BY seq")
    .all(conversationId) as { actor_id: string; actor_role: string; action: string; patient_id: string | null; details: string | null }[];
}
