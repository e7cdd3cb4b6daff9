import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Socket } from 'socket.io-client';
import { startTestServer, type TestServer } from '../testing/server.js';
import { call } from '../testing/accounts.js';
import type { ConversationView, MessageView, QueuePositionEvent } from '../contracts/conversations.js';
import { openDatabase } from '../platform/db/index.js';
import { createLogger } from '../platform/logging.js';
import { loadConfig } from '../platform/config.js';
import { listen } from '../platform/events.js';
import { compose } from '../composition.js';
import { conversationsHarness, pause, say, staffPrincipal, until, type StaffRole } from '../testing/conversations.js';
import { DEFAULT_ROUTING_CONFIG_INPUT, ManualClock } from '../routing/index.js';


let server: TestServer;
const { connected, desk, closeAll } = conversationsHarness(() => server);

// One server per test: every agent here has every skill, so agents of one test must not get another's offers.
beforeEach(async () => {
  server = await startTestServer({ ROUTING_OFFER_TIMEOUT_MS: '1000', ROUTING_ALWAYS_OPEN: '1' });
});
afterEach(async () => {
  closeAll();
  await server.context.conversations.idle();
  await server.close();
});

const agent = (id: string, presence: 'available' | 'away' | 'busy' = 'available', role: StaffRole = 'agent') => desk(id, { presence, role });

interface Patient {
  socket: Socket;
  conversationId: string;
  positions: QueuePositionEvent[];
  messages: MessageView[];
}
/** A visitor starts a chat and asks the bot for a person. */
async function visitorAsksForPerson(text = 'I want to talk to a person'): Promise<Patient> {
  const reply = await call<{ token: string }>(server, 'POST', '/api/chat/visitor', { body: { displayName: 'Vera' } });
  const socket = await connected('/patient', reply.body.token);
  const positions: QueuePositionEvent[] = [];
  const messages: MessageView[] = [];
  socket.on('queue:position', (p: QueuePositionEvent) => positions.push(p));
  socket.on('message:new', (m: MessageView) => messages.push(m));
  const start = (await socket.emitWithAck('conversation:start', {})) as { ok: true; conversation: ConversationView };
  const conversationId = start.conversation.id;
  expect(await say(socket, conversationId, text)).toMatchObject({ ok: true });
  await server.context.conversations.idle();
  return { socket, conversationId, positions, messages };
}

describe('routing a handed-off chat to an agent', () => {
  it('offers the chat with the handoff packet and a reason; on accept the agent and the patient talk and the bot is muted', async () => {
    const sam = await agent('agent-sam');
    const patient = await visitorAsksForPerson();

    const offer = await until(() => sam.offers[0]);
    expect(offer).toMatchObject({
      conversationId: patient.conversationId,
      queue: 'general',
      priority: 2,
      packet: { reason: 'patient-asked', intent: 'general', language: 'en' },
      reason: { conversationId: patient.conversationId, decidingRule: 'only-candidate', chosen: { agentId: 'agent-sam', load: 0 }, eligibleCount: 1 },
    });
    expect(Date.parse(offer.expiresAt)).toBeGreaterThan(Date.now());

    const ack = (await sam.socket.emitWithAck('offer:accept', { offerId: offer.offerId })) as { ok: true; conversation: ConversationView; packet: unknown };
    expect(ack).toMatchObject({ ok: true, conversation: { id: patient.conversationId, state: 'active' }, packet: { reason: 'patient-asked' } });
    expect(server.context.conversations.core.isBotMuted(patient.conversationId)).toBe(true);
    expect(server.context.routing.snapshot().agents).toContainEqual(expect.objectContaining({ agentId: 'agent-sam', conversations: 1, offers: 0 }));

    // The agent's socket joined the room on accept: the patient's next message reaches it, and the reply reaches the patient.
    // "1" would make an active bot answer with the appointments text.
    const acceptedAtSeq = ack.conversation.lastSeq;
    expect(await say(patient.socket, patient.conversationId, '1')).toMatchObject({ ok: true });
    await until(() => sam.messages.find((m) => m.body === '1'));
    expect(await say(sam.socket, patient.conversationId, 'Yes, how can I help?')).toMatchObject({ ok: true });
    await until(() => patient.messages.find((m) => m.body === 'Yes, how can I help?'));
    await server.context.conversations.idle();
    expect(patient.messages.filter((m) => m.sender.kind === 'bot' && m.seq > acceptedAtSeq)).toEqual([]);

    // Accepting twice is refused; closing frees the agent's capacity.
    expect(await sam.socket.emitWithAck('offer:accept', { offerId: offer.offerId })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await patient.socket.emitWithAck('conversation:end', { conversationId: patient.conversationId })).toMatchObject({ ok: true });
    expect(server.context.routing.snapshot().agents).toContainEqual(expect.objectContaining({ agentId: 'agent-sam', conversations: 0 }));
  });

  it('tells a waiting patient their place in line, then offers the chat once an agent becomes available over REST', async () => {
    const ana = await agent('agent-ana', 'away');
    const patient = await visitorAsksForPerson();
    expect(await until(() => patient.positions[0])).toEqual({ conversationId: patient.conversationId, position: 1, estimatedWaitMs: expect.any(Number) });
    await pause(100);
    expect(ana.offers).toEqual([]);

    const token = await server.tokenFor(staffPrincipal('agent-ana'));
    const put = await call(server, 'PUT', '/api/presence/me', { body: { state: 'available' }, token });
    expect(put.status).toBe(200);
    expect(await until(() => ana.offers[0])).toMatchObject({ conversationId: patient.conversationId });
  });

  it('gives an away agent nothing and routes to the available one; supervisors are not routed to', async () => {
    const away = await agent('agent-away', 'away');
    const boss = await agent('boss', 'available', 'supervisor');
    const bea = await agent('agent-bea');
    const patient = await visitorAsksForPerson();
    const offer = await until(() => bea.offers[0]);
    expect(offer.conversationId).toBe(patient.conversationId);
    expect(offer.reason.excludedCounts).toEqual({ presence: 1 });
    await pause(100);
    expect(away.offers).toEqual([]);
    expect(boss.offers).toEqual([]);
  });

  it('re-offers a declined chat to the next agent', async () => {
    const one = await agent('agent-one');
    const two = await agent('agent-two');
    const patient = await visitorAsksForPerson();
    const first = await until(() => one.offers[0] ?? two.offers[0]);
    const [decliner, other] = one.offers[0] ? [one, two] : [two, one];

    expect(await decliner.socket.emitWithAck('offer:decline', { offerId: first.offerId })).toEqual({ ok: true });
    expect(await until(() => decliner.withdrawn[0])).toEqual({ offerId: first.offerId, conversationId: patient.conversationId, cause: 'declined' });
    const second = await until(() => other.offers[0]);
    expect(second).toMatchObject({ conversationId: patient.conversationId, reason: { excludedCounts: { declined: 1 } } });
    expect(await decliner.socket.emitWithAck('offer:accept', { offerId: first.offerId })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await other.socket.emitWithAck('offer:accept', { offerId: second.offerId })).toMatchObject({ ok: true, conversation: { state: 'active' } });
  });

  it('re-offers a chat nobody answered once the offer times out', async () => {
    const one = await agent('agent-slow');
    const patient = await visitorAsksForPerson();
    const first = await until(() => one.offers[0]);
    const two = await agent('agent-fast');
    const expired = await until(() => one.withdrawn[0], 3000);
    expect(expired).toEqual({ offerId: first.offerId, conversationId: patient.conversationId, cause: 'expired' });
    const second = await until(() => two.offers[0]);
    expect(second.reason.excludedCounts).toEqual({ 'timed-out': 1 });
    expect(await one.socket.emitWithAck('offer:accept', { offerId: first.offerId })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('withdraws the offer when the patient leaves before anyone accepts', async () => {
    const sam = await agent('agent-sam');
    const patient = await visitorAsksForPerson();
    const offer = await until(() => sam.offers[0]);
    expect(await patient.socket.emitWithAck('conversation:end', { conversationId: patient.conversationId })).toMatchObject({ ok: true });
    expect(await until(() => sam.withdrawn[0])).toEqual({ offerId: offer.offerId, conversationId: patient.conversationId, cause: 'conversation-ended' });
    expect(await sam.socket.emitWithAck('offer:accept', { offerId: offer.offerId })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('answers bad offer payloads and other agents’ offers with error acks, keeping the offer and the connection', async () => {
    const sam = await agent('agent-sam');
    const eve = await agent('agent-eve', 'busy');
    const patient = await visitorAsksForPerson();
    const offer = await until(() => sam.offers[0]);

    for (const event of ['offer:accept', 'offer:decline']) {
      for (const payload of [undefined, {}, { offerId: 42 }, { offerId: '' }, { offerId: 'x'.repeat(101) }, { offerId: offer.offerId, extra: true }, 'offer']) {
        expect(await sam.socket.emitWithAck(event, payload), `${event} ${JSON.stringify(payload)}`).toMatchObject({ ok: false, error: { code: 'bad_payload' } });
      }
      expect(await sam.socket.emitWithAck(event, { offerId: "' OR 1=1 --" })).toMatchObject({ ok: false, error: { code: 'not_found' } });
      expect(await eve.socket.emitWithAck(event, { offerId: offer.offerId })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    expect(sam.withdrawn).toEqual([]);
    expect(await sam.socket.emitWithAck('offer:accept', { offerId: offer.offerId })).toMatchObject({ ok: true, conversation: { id: patient.conversationId } });
    expect(sam.socket.connected && eve.socket.connected).toBe(true);
  });
});

describe('out of hours and restart', () => {
  it('stores the queue’s closed message in the chat instead of queueing, and re-queues waiting chats at start', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-assignment-'));
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: `sqlite:${path.join(dir, 'test.db')}`, JWT_SECRET: 'test-secret-that-is-at-least-32-characters-long' });
    const database = await openDatabase(config.databasePath);
    try {
      const logger = createLogger('silent');
      const clock = new ManualClock();
      const closed = { timeZone: 'UTC', weekly: {} };
      const closedQueues = { ...DEFAULT_ROUTING_CONFIG_INPUT, queues: DEFAULT_ROUTING_CONFIG_INPUT.queues.map((q) => ({ ...q, businessHours: closed, outOfHoursMessage: `${q.name} is closed.` })) };
      const first = compose({ config, logger, database }, { routing: { config: closedQueues, clock, scheduler: clock } });
      // The start hooks load what the bot answers with (its scenarios, the sandbox).
      await first.start();
      const { conversations, routing: engine } = first;
      const delivered: MessageView[] = [];
      first.bus.register(listen('conversation.message', 'test', ({ message }) => delivered.push(message)));

      const actor = { kind: 'visitor' as const, userId: 'visitor-1', displayName: 'Vera' };
      const { conversation } = await conversations.bot.start(actor);
      conversations.core.sendMessage(actor, { conversationId: conversation.id, clientMessageId: 'c1', body: 'talk to a person' });
      await conversations.idle();

      const stored = conversations.core.sync(actor, conversation.id, 0).messages;
      expect(stored.at(-1)).toMatchObject({ kind: 'system', body: 'General questions is closed.' });
      expect(delivered.at(-1)).toEqual(stored.at(-1));
      expect(engine.conversation(conversation.id)).toBeUndefined();
      await first.close();

      // After a restart (always open now), the conversation still waiting for a person is back in line.
      const openQueues = { ...DEFAULT_ROUTING_CONFIG_INPUT, queues: DEFAULT_ROUTING_CONFIG_INPUT.queues.map((q) => ({ ...q, businessHours: null })) };
      const restarted = compose({ config, logger, database }, { routing: { config: openQueues, clock, scheduler: clock } });
      const reopened = restarted.routing;
      expect(restarted.assignment.restore()).toBe(1);
      expect(reopened.conversation(conversation.id)).toMatchObject({ queueId: 'general', state: 'waiting' });
      restarted.conversations.core.endConversation(actor, conversation.id);
      expect(reopened.conversation(conversation.id)).toBeUndefined();
      expect(restarted.assignment.restore()).toBe(0);
      await restarted.close();
    } finally {
      await database.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
