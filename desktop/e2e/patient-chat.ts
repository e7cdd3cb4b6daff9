/**
 * A real patient for the browser tests: an anonymous visitor on `/patient` (token from
 * `POST /api/chat/visitor`) who starts a chat and asks the greeting bot for a person.
 */
import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type { ConversationView, MessageView } from '@carebridge/server/contracts';
import type { TestServer } from '@carebridge/server/testing/server';
import { call } from '@carebridge/server/testing/accounts';

export interface Visitor {
  socket: Socket;
  conversationId: string;
  messages: MessageView[];
  conversations: ConversationView[];
  send(body: string): Promise<{ ok: boolean; seq?: number }>;
  /** Waits for a message from the desk with this body. */
  received(body: string, timeoutMs?: number): Promise<MessageView>;
}

export async function waitFor<T>(probe: () => T | undefined | null | false, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A visitor who starts a chat and says "I want to talk to a person" (the bot hands off to the general
 * queue), or `firstWords` (e.g. about an appointment: the scheduling queue).
 */
export async function visitorAsksForPerson(server: TestServer, displayName: string, firstWords = 'I want to talk to a person'): Promise<Visitor> {
  const reply = await call<{ token: string }>(server, 'POST', '/api/chat/visitor', { body: { displayName } });
  if (reply.status !== 201 && reply.status !== 200) throw new Error(`visitor token: HTTP ${reply.status}`);
  const socket = io(`${server.url}/patient`, { auth: { token: reply.body.token }, transports: ['websocket'], forceNew: true, reconnectionDelay: 200 });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const messages: MessageView[] = [];
  const conversations: ConversationView[] = [];
  socket.on('message:new', (m: MessageView) => messages.push(m));
  socket.on('conversation:updated', (c: ConversationView) => conversations.push(c));
  const start = (await socket.emitWithAck('conversation:start', {})) as { ok: boolean; conversation: ConversationView };
  if (!start.ok) throw new Error('conversation:start refused');
  const conversationId = start.conversation.id;
  const send = (body: string) => socket.timeout(5000).emitWithAck('message:send', { conversationId, clientMessageId: randomUUID(), body }) as Promise<{ ok: boolean; seq?: number }>;
  const sent = await send(firstWords);
  if (!sent.ok) throw new Error('message:send refused');
  return {
    socket,
    conversationId,
    messages,
    conversations,
    send,
    received: (body, timeoutMs = 5000) => waitFor(() => messages.find((m) => m.body === body), timeoutMs, `the patient to receive “${body}”`),
  };
}
