/**
 * Cards in a chat over the real HTTP server and real sockets: the agent sends a card, the patient's
 * widget and the desk receive it live and on resync, a retry sends it once, and a card cannot link
 * elsewhere, be sent by someone outside the conversation, or go into a chat in wrap-up.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChatCard, MessageView } from '../contracts/conversations.js';
import { call } from '../testing/accounts.js';
import { conversationsHarness, emit, staffPrincipal, until } from '../testing/conversations.js';
import { startTestServer, type TestServer } from '../testing/server.js';

let server: TestServer;
const harness = conversationsHarness(() => server);
beforeAll(async () => {
  server = await startTestServer();
});
afterEach(() => harness.closeAll());
afterAll(async () => server?.close());

const card: ChatCard = {
  type: 'appointment',
  title: 'Your appointment is booked',
  subtitle: 'Family medicine',
  facts: [
    { label: 'When', value: 'Tue 8 Dec, 9:30 AM' },
    { label: 'With', value: 'Dr. Ana Ruiz' },
  ],
  actions: [{ label: 'Add to calendar', url: '/api/scheduling/appointments/abc/ics' }],
};

async function activeChat() {
  const agentId = `agent-${randomUUID()}`;
  const desk = await harness.desk(agentId);
  const chat = await harness.visitorChat();
  await harness.accept(desk, chat.conversationId);
  const token = await server.tokenFor(staffPrincipal(agentId));
  return { desk, chat, token, agentId };
}

const send = (conversationId: string, body: unknown, token: string) => call<{ message: MessageView; error?: { message: string } }>(server, 'POST', `/api/conversations/${conversationId}/cards`, { token, body });

describe('cards in a chat', () => {
  it('reach the patient and the desk live and on resync, once per client message id', async () => {
    const { desk, chat, token } = await activeChat();
    const sent = await send(chat.conversationId, { card, clientMessageId: 'confirm-1' }, token);
    expect(sent.status).toBe(201);
    expect(sent.body.message).toMatchObject({ kind: 'card', card, sender: { kind: 'agent' } });
    // Where cards are not drawn, the card reads as its words.
    expect(sent.body.message.body).toContain('Your appointment is booked');
    expect(sent.body.message.body).toContain('With: Dr. Ana Ruiz');

    const patientGot = await until(() => chat.messages.find((m) => m.kind === 'card'));
    expect(patientGot.card).toEqual(card);
    await until(() => desk.messages.find((m) => m.kind === 'card'));

    const again = await send(chat.conversationId, { card, clientMessageId: 'confirm-1' }, token);
    expect(again.status).toBe(200);
    expect(again.body.message.id).toBe(sent.body.message.id);

    const synced = (await emit(chat.socket, 'conversation:sync', { conversationId: chat.conversationId, afterSeq: 0 })) as unknown as { ok: true; messages: MessageView[] };
    expect(synced.messages.filter((m) => m.kind === 'card')).toHaveLength(1);
    expect(synced.messages.find((m) => m.kind === 'card')?.card).toEqual(card);
  });

  it('refuse links off the site, malformed cards and extra fields, and change nothing', async () => {
    const { chat, token } = await activeChat();
    const bad: unknown[] = [
      { card: { ...card, actions: [{ label: 'Open', url: 'https://elsewhere.example/phish' }] } },
      { card: { ...card, actions: [{ label: 'Open', url: '//elsewhere.example/phish' }] } },
      { card: { ...card, actions: [{ label: 'Open', url: 'javascript:alert(1)' }] } },
      { card: { ...card, actions: [{ label: 'Open', url: '/\\elsewhere.example' }] } },
      { card: { ...card, title: '' } },
      { card: { ...card, type: 'html' } },
      { card: { ...card, script: '<script>' } },
      { card: { ...card, facts: Array.from({ length: 13 }, (_, i) => ({ label: `L${i}`, value: 'v' })) } },
      { card: 'not a card' },
      {},
    ];
    for (const body of bad) {
      const reply = await send(chat.conversationId, body, token);
      expect(reply.status, JSON.stringify(body)).toBe(400);
      expect(reply.body.error?.message).toBeTruthy();
    }
    expect((await send('not-a-uuid', { card }, token)).status).toBe(404);
    expect((await send(randomUUID(), { card }, token)).status).toBe(404);
    const synced = (await emit(chat.socket, 'conversation:sync', { conversationId: chat.conversationId, afterSeq: 0 })) as unknown as { ok: true; messages: MessageView[] };
    expect(synced.messages.some((m) => m.kind === 'card')).toBe(false);
  });

  it('are sent only by the agent or a supervisor in the conversation, and not in wrap-up', async () => {
    const { desk, chat, token } = await activeChat();
    const stranger = await server.tokenFor(staffPrincipal(`agent-${randomUUID()}`));
    expect((await send(chat.conversationId, { card }, stranger)).status).toBe(403);
    const admin = await server.tokenFor(staffPrincipal(`admin-${randomUUID()}`, 'admin'));
    expect((await send(chat.conversationId, { card }, admin)).status).toBe(403);
    expect((await send(chat.conversationId, { card }, '')).status).toBe(401);

    expect(await emit(desk.socket, 'conversation:wrapup', { conversationId: chat.conversationId })).toMatchObject({ ok: true });
    const late = await send(chat.conversationId, { card }, token);
    expect(late.status).toBe(409);
    expect(late.body.error?.message).toMatch(/wrap-up/);
  });
});
