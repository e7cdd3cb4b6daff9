/**
 * The survey link is the patient's alone: the chat line everyone reads names no link, and a patient who
 * comes back (another device, a lost tab) asks for the open survey and gets a fresh link.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import type { ConversationView, MessageView } from '../contracts/conversations.js';
import type { SurveyOffer } from '../contracts/surveys.js';
import { startTestServer, type TestServer } from '../testing/server.js';
import { call, createUser } from '../testing/accounts.js';
import { conversationsHarness, storedMessages, until } from '../testing/conversations.js';
import { SURVEY_SENT_LINE } from './service.js';

let server: TestServer;
const { connected, closeAll } = conversationsHarness(() => server);
let agentId = '';

beforeAll(async () => {
  server = await startTestServer({ PUBLIC_URL: 'https://clinic.example', ROUTING_ALWAYS_OPEN: '1' });
  agentId = (await createUser(server, { role: 'agent', displayName: 'Agent A' })).id;
});
afterAll(async () => {
  closeAll();
  await server.context.conversations.idle();
  await server.close();
});

type Ack = { ok: true; offer: SurveyOffer | null } | { ok: false; error: { code: string } };

async function visitorSocket(): Promise<{ socket: Socket; token: string }> {
  const reply = await call<{ token: string }>(server, 'POST', '/api/chat/visitor', { body: { displayName: 'Vera' } });
  return { socket: await connected('/patient', reply.body.token), token: reply.body.token };
}

/** A visitor's chat that an agent took and wrapped up: the survey is offered. */
async function wrappedUpChat(socket: Socket): Promise<{ id: string; offer: SurveyOffer; messages: MessageView[] }> {
  const offers: SurveyOffer[] = [];
  const messages: MessageView[] = [];
  socket.on('survey:offer', (o: SurveyOffer) => offers.push(o));
  socket.on('message:new', (m: MessageView) => messages.push(m));
  const { conversation } = (await socket.emitWithAck('conversation:start', {})) as { ok: true; conversation: ConversationView };
  server.context.conversations.core.handoff(conversation.id, { reason: 'patient-asked', intent: 'general', language: 'en', collectedAnswers: {}, summary: 'Wants a person' });
  server.context.conversations.core.assignAgent(conversation.id, agentId, 'Agent A');
  server.context.conversations.staff.wrapup({ kind: 'staff', userId: agentId, role: 'agent', displayName: null }, conversation.id);
  const offer = await until(() => offers.find((o) => o.conversationId === conversation.id));
  return { id: conversation.id, offer, messages };
}

describe('survey:pending', () => {
  it('posts a line without the link, and gives the patient who asks again a fresh link that replaces the old one', async () => {
    const first = await visitorSocket();
    const chat = await wrappedUpChat(first.socket);
    await until(() => chat.messages.find((m) => m.body === SURVEY_SENT_LINE));
    expect(storedMessages(server, chat.id).some((m) => m.body.includes(chat.offer.token) || m.body.includes('/survey/'))).toBe(false);

    // The same visitor on a second connection (another tab) asks for it.
    const again = await connected('/patient', first.token);
    const reply = (await again.emitWithAck('survey:pending', { conversationId: chat.id })) as Ack;
    expect(reply).toMatchObject({ ok: true, offer: { conversationId: chat.id, survey: { id: 'chat-follow-up' } } });
    const fresh = reply.ok ? reply.offer! : undefined;
    expect(fresh!.token).not.toBe(chat.offer.token);
    expect(fresh!.url).toBe(`https://clinic.example/survey/${fresh!.token}`);
    // The old link no longer works; the new one does, once.
    expect((await call(server, 'GET', `/api/surveys/by-token/${chat.offer.token}`)).status).toBe(404);
    expect((await call(server, 'POST', `/api/surveys/by-token/${fresh!.token}`, { body: { answers: { csat: 4 } } })).status).toBe(201);
    expect(await again.emitWithAck('survey:pending', { conversationId: chat.id })).toEqual({ ok: true, offer: null });
  });

  it('refuses other people and bad input, and answers null where no survey is open', async () => {
    const owner = await visitorSocket();
    const chat = await wrappedUpChat(owner.socket);
    const stranger = await visitorSocket();
    expect(await stranger.socket.emitWithAck('survey:pending', { conversationId: chat.id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await stranger.socket.emitWithAck('survey:pending', { conversationId: 'no-such-chat' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await stranger.socket.emitWithAck('survey:pending', { conversationId: chat.id, extra: 1 })).toMatchObject({ ok: false, error: { code: 'bad_payload' } });
    expect(await stranger.socket.emitWithAck('survey:pending', 'nonsense')).toMatchObject({ ok: false, error: { code: 'bad_payload' } });
    // The stranger's refused requests did not spoil the owner's link.
    expect((await call(server, 'GET', `/api/surveys/by-token/${chat.offer.token}`)).status).toBe(200);
    // A chat still with the bot has no survey.
    const { conversation } = (await stranger.socket.emitWithAck('conversation:start', {})) as { ok: true; conversation: ConversationView };
    expect(await stranger.socket.emitWithAck('survey:pending', { conversationId: conversation.id })).toEqual({ ok: true, offer: null });
    expect(stranger.socket.connected).toBe(true);
  });
});
