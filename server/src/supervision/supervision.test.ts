import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { startTestServer, type TestServer } from '../testing/server.js';
import type { ConversationView, MessageView } from '../contracts/conversations.js';
import type { SupervisorSnapshot } from '../contracts/supervision.js';
import { auditRows, conversationsHarness, emit, pause, say, storedMessages, until, type Desk } from '../testing/conversations.js';
import { createPatient, createUser } from '../testing/accounts.js';
import { io } from 'socket.io-client';

let server: TestServer;
const { desk, visitorChat, accept, closeAll } = conversationsHarness(() => server);

beforeEach(async () => {
  server = await startTestServer({ ROUTING_ALWAYS_OPEN: '1' });
});
afterEach(async () => {
  closeAll();
  await server.context.conversations.idle();
  await server.close();
});

async function supervisorDesk(id = 'sup-sue', role: 'supervisor' | 'admin' = 'supervisor'): Promise<Desk & { snapshots: SupervisorSnapshot[] }> {
  const d = await desk(id, { role, presence: 'busy' });
  const snapshots: SupervisorSnapshot[] = [];
  d.socket.on('supervisor:snapshot', (s: SupervisorSnapshot) => snapshots.push(s));
  return Object.assign(d, { snapshots });
}

const routedLoad = (agentId: string) => server.context.routing.snapshot().agents.find((a) => a.agentId === agentId)?.load;

describe('who may supervise', () => {
  it('refuses every supervisor event to an agent, with the socket staying up', async () => {
    const ann = await desk('agent-ann');
    const chat = await visitorChat('Ava');
    await accept(ann, chat.conversationId);
    const id = chat.conversationId;
    const before = storedMessages(server, id).length;
    const events: [string, unknown][] = [
      ['supervisor:subscribe', {}],
      ['supervisor:unsubscribe', {}],
      ['supervisor:monitor', { conversationId: id }],
      ['supervisor:stop-monitor', { conversationId: id }],
      ['supervisor:whisper', { conversationId: id, clientMessageId: randomUUID(), body: 'psst' }],
      ['supervisor:join', { conversationId: id }],
      ['supervisor:reassign', { conversationId: id, agentId: 'agent-ann' }],
      ['supervisor:force-close', { conversationId: id, reason: 'because' }],
    ];
    for (const [event, payload] of events) {
      expect(await emit(ann.socket, event, payload), event).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    expect(storedMessages(server, id)).toHaveLength(before);
    expect(server.context.conversations.core.get(id)?.state).toBe('active');
    expect(ann.socket.connected).toBe(true);
  });
});

describe('the live picture', () => {
  it('acks a snapshot on subscribe, then pushes coalesced snapshots as chats queue and agents take them, with routing’s reason', async () => {
    const sue = await supervisorDesk();
    const first = (await emit(sue.socket, 'supervisor:subscribe', {})) as { ok: true; snapshot: SupervisorSnapshot };
    expect(first.snapshot.conversations).toEqual([]);
    expect(first.snapshot.queues.map((q) => q.id)).toEqual(expect.arrayContaining(['general', 'billing', 'nurse-line']));

    const chat = await visitorChat('Bea');
    const waiting = await until(() => sue.snapshots.find((s) => s.conversations.some((c) => c.id === chat.conversationId)), 2500);
    expect(waiting.conversations.find((c) => c.id === chat.conversationId)).toMatchObject({ state: 'queued', queue: 'general', agentId: null, waitingSince: expect.any(String), visitorName: 'Bea' });
    expect(waiting.queues.find((q) => q.id === 'general')).toMatchObject({ waiting: 1, offered: 0, open: true, oldestWaitMs: expect.any(Number), estimatedWaitMs: null });

    const ann = await desk('agent-ann');
    await accept(ann, chat.conversationId);
    const active = await until(() => sue.snapshots.find((s) => s.conversations.some((c) => c.id === chat.conversationId && c.state === 'active')), 2500);
    expect(active.conversations.find((c) => c.id === chat.conversationId)).toMatchObject({
      agentId: 'agent-ann',
      agentName: 'agent-ann', // no account here: the id stands in for the name
      waitingSince: null,
      reason: { decidingRule: 'only-candidate', chosen: { agentId: 'agent-ann' }, eligibleCount: 1 },
    });
    expect(active.agents).toContainEqual(expect.objectContaining({ userId: 'agent-ann', presence: 'available', load: 1, capacity: 4, conversationIds: [chat.conversationId] }));
    expect(active.queues.find((q) => q.id === 'general')).toMatchObject({ waiting: 0, offered: 0, agentsAvailable: 1 });

    // Coalesced: a burst of changes gives at most about one snapshot a second; nothing changed, nothing sent.
    const count = sue.snapshots.length;
    await Promise.all([visitorChat('C1'), visitorChat('C2'), visitorChat('C3')]);
    await pause(1300);
    expect(sue.snapshots.length - count).toBeGreaterThanOrEqual(1);
    expect(sue.snapshots.length - count).toBeLessThanOrEqual(3);
    const settled = sue.snapshots.length;
    await pause(1200);
    expect(sue.snapshots.length).toBe(settled);

    expect(await emit(sue.socket, 'supervisor:unsubscribe', {})).toEqual({ ok: true });
    await visitorChat('After');
    await pause(1200);
    expect(sue.snapshots.length).toBe(settled);
  });
});

describe('acting on a conversation', () => {
  it('monitors silently, whispers to staff only, joins, reassigns and force-closes — each audited', async () => {
    const ann = await desk('agent-ann');
    const chat = await visitorChat('Cal');
    await accept(ann, chat.conversationId);
    const id = chat.conversationId;
    expect((await say(ann.socket, id, 'Checked the chart', { kind: 'note' })).ok).toBe(true);
    const sue = await supervisorDesk();
    const patientSawBefore = chat.messages.length;
    const storedBefore = storedMessages(server, id).length;

    // Monitor: the whole transcript with notes; nobody in the chat is told; live messages reach the supervisor.
    const monitor = (await emit(sue.socket, 'supervisor:monitor', { conversationId: id })) as { ok: true; conversation: ConversationView; messages: MessageView[] };
    expect(monitor.conversation).toMatchObject({ id, state: 'active', agentId: 'agent-ann' });
    expect(monitor.messages.map((m) => m.body)).toEqual(expect.arrayContaining(['I want to talk to a person', 'Checked the chart']));
    expect(storedMessages(server, id)).toHaveLength(storedBefore);
    expect((await say(chat.socket, id, 'Is it serious?')).ok).toBe(true);
    await until(() => sue.messages.find((m) => m.body === 'Is it serious?'));
    const subscribed = (await emit(sue.socket, 'supervisor:subscribe', {})) as { ok: true; snapshot: SupervisorSnapshot };
    expect(subscribed.snapshot.conversations.find((c) => c.id === id)?.supervisors).toEqual(['sup-sue']);

    // Whisper: the agent reads it, the patient never does (live or on resync).
    const whisper = await emit(sue.socket, 'supervisor:whisper', { conversationId: id, clientMessageId: 'w-1', body: 'Offer the nurse line' });
    expect(whisper).toMatchObject({ ok: true, duplicate: false });
    expect(await emit(sue.socket, 'supervisor:whisper', { conversationId: id, clientMessageId: 'w-1', body: 'Offer the nurse line' })).toMatchObject({ ok: true, duplicate: true });
    expect(await until(() => ann.messages.find((m) => m.kind === 'whisper'))).toMatchObject({ body: 'Offer the nurse line', sender: { kind: 'supervisor', id: 'sup-sue' } });
    const resync = (await emit(chat.socket, 'conversation:sync', { conversationId: id, afterSeq: 0 })) as { ok: true; messages: MessageView[] };
    expect(resync.messages.some((m) => m.kind === 'whisper' || m.kind === 'note')).toBe(false);
    expect(storedMessages(server, id).filter((m) => m.kind === 'whisper')).toHaveLength(1);

    // Join: the patient reads that a supervisor joined, and the supervisor can write to them.
    const joined = await emit(sue.socket, 'supervisor:join', { conversationId: id });
    expect(joined).toMatchObject({ ok: true, conversation: { participants: expect.arrayContaining([expect.objectContaining({ userId: 'sup-sue', kind: 'supervisor' })]) } });
    await until(() => chat.messages.find((m) => m.kind === 'system' && m.body === 'A supervisor joined the chat.'));
    expect((await say(sue.socket, id, 'Hello, I am the supervisor.')).ok).toBe(true);
    await until(() => chat.messages.find((m) => m.body === 'Hello, I am the supervisor.'));
    expect(await emit(sue.socket, 'supervisor:join', { conversationId: id })).toMatchObject({ ok: false, error: { code: 'conflict' } });

    // Reassign: to Bob, who has it at once; Ann is told and freed.
    const bob = await desk('agent-bob', { presence: 'busy' });
    const reassigned = await emit(sue.socket, 'supervisor:reassign', { conversationId: id, agentId: 'agent-bob' });
    expect(reassigned).toMatchObject({ ok: true, conversation: { agentId: 'agent-bob', state: 'active' } });
    expect(await until(() => bob.assigned[0])).toMatchObject({ cause: 'reassign', fromUserId: 'sup-sue', conversation: { id } });
    expect(await until(() => ann.removed[0])).toEqual({ conversationId: id, cause: 'reassigned' });
    expect([routedLoad('agent-ann'), routedLoad('agent-bob')]).toEqual([0, 1]);

    // Force close: closed for everyone, Bob told and freed, the patient reads why it ended.
    const closed = await emit(sue.socket, 'supervisor:force-close', { conversationId: id, reason: 'Duplicate of another chat' });
    expect(closed).toMatchObject({ ok: true, conversation: { state: 'closed' } });
    expect(await until(() => bob.removed[0])).toEqual({ conversationId: id, cause: 'force-closed' });
    expect(routedLoad('agent-bob')).toBe(0);
    await until(() => chat.messages.find((m) => m.kind === 'system' && m.body === 'A supervisor closed this chat.'));
    expect(chat.messages.slice(patientSawBefore).some((m) => m.kind === 'whisper' || m.kind === 'note')).toBe(false);
    expect(await emit(sue.socket, 'supervisor:force-close', { conversationId: id, reason: 'again' })).toMatchObject({ ok: false, error: { code: 'conflict' } });

    const audit = auditRows(server, id).filter((r) => r.actor_id === 'sup-sue');
    expect(audit.map((r) => r.action)).toEqual(
      expect.arrayContaining(['phi.read', 'conversation.whisper', 'conversation.supervisor-join', 'conversation.reassign', 'conversation.force-close']),
    );
    expect(audit.every((r) => r.actor_role === 'supervisor')).toBe(true);
    expect(audit.filter((r) => r.action === 'phi.read').map((r) => JSON.parse(r.details!))).toEqual([{ purpose: 'conversation.monitor' }, { purpose: 'conversation.supervisor-join' }]);
  });

  it('rescues queued chats: assigns one waiting in line, and one being offered to someone else, to a chosen agent', async () => {
    const sue = await supervisorDesk();
    // Nobody available: the chat waits in line.
    const waiting = await visitorChat('Gus');
    await until(() => (server.context.conversations.core.get(waiting.conversationId)?.state === 'queued' ? true : undefined));
    const ann = await desk('agent-ann', { presence: 'busy' });
    const assigned = await emit(sue.socket, 'supervisor:reassign', { conversationId: waiting.conversationId, agentId: 'agent-ann' });
    expect(assigned).toMatchObject({ ok: true, conversation: { state: 'active', agentId: 'agent-ann' } });
    await until(() => waiting.messages.find((m) => m.kind === 'system' && m.body.includes('You are now chatting with')));
    await until(() => ann.assigned.find((a) => a.conversation.id === waiting.conversationId));
    expect(server.context.routing.conversation(waiting.conversationId)).toMatchObject({ state: 'assigned', agentId: 'agent-ann' });
    expect(routedLoad('agent-ann')).toBe(1);
    // She has it for real: the patient reads her, the bot stays quiet.
    expect((await say(ann.socket, waiting.conversationId, 'Hi Gus, Ann here.')).ok).toBe(true);
    const hello = await until(() => waiting.messages.find((m) => m.body === 'Hi Gus, Ann here.'));
    expect((await say(waiting.socket, waiting.conversationId, 'thanks')).ok).toBe(true);
    await until(() => ann.messages.find((m) => m.body === 'thanks'));
    await server.context.conversations.idle();
    expect(waiting.messages.filter((m) => m.sender.kind === 'bot' && m.seq > hello.seq)).toEqual([]);

    // Offered to Bob (available) but the supervisor gives it to Ann: Bob's offer is withdrawn, and he is free again.
    const bob = await desk('agent-bob');
    const offeredChat = await visitorChat('Hal');
    const offer = await until(() => bob.offers.find((o) => o.conversationId === offeredChat.conversationId));
    expect(await emit(sue.socket, 'supervisor:reassign', { conversationId: offeredChat.conversationId, agentId: 'agent-ann' })).toMatchObject({ ok: true, conversation: { agentId: 'agent-ann' } });
    await until(() => bob.withdrawn.find((w) => w.offerId === offer.offerId && w.cause === 'reassigned'));
    expect(routedLoad('agent-bob')).toBe(0);
    expect(routedLoad('agent-ann')).toBe(2);
    expect(await emit(bob.socket, 'offer:accept', { offerId: offer.offerId })).toMatchObject({ ok: false });
    for (const id of [waiting.conversationId, offeredChat.conversationId]) {
      expect(auditRows(server, id).filter((r) => r.action === 'conversation.reassign')).toMatchObject([{ actor_id: 'sup-sue' }]);
    }
  });

  it('joins a queued chat, writes to the patient, and leaves it; joins an active one and leaves it too', async () => {
    const sue = await supervisorDesk();
    const queued = await visitorChat('Ivy');
    await until(() => (server.context.conversations.core.get(queued.conversationId)?.state === 'queued' ? true : undefined));
    expect(await emit(sue.socket, 'supervisor:join', { conversationId: queued.conversationId })).toMatchObject({ ok: true });
    await until(() => queued.messages.find((m) => m.body === 'A supervisor joined the chat.'));
    expect((await say(sue.socket, queued.conversationId, 'Someone will be with you in a minute.')).ok).toBe(true);
    await until(() => queued.messages.find((m) => m.body === 'Someone will be with you in a minute.'));
    expect(await emit(sue.socket, 'conversation:leave', { conversationId: queued.conversationId })).toMatchObject({ ok: true });
    await until(() => queued.messages.find((m) => m.body === 'The supervisor left the chat.'));
    // Out of the room: what the patient says next no longer reaches her desk.
    expect((await say(queued.socket, queued.conversationId, 'ok, waiting')).ok).toBe(true);
    await server.context.conversations.idle();
    await pause(100);
    expect(sue.messages.some((m) => m.body === 'ok, waiting')).toBe(false);
    // Still in line for an agent.
    expect(server.context.conversations.core.get(queued.conversationId)?.state).toBe('queued');
    expect(server.context.routing.conversation(queued.conversationId)).toMatchObject({ state: 'waiting' });

    const ann = await desk('agent-ann');
    const active = await visitorChat('Jay');
    await accept(ann, active.conversationId);
    expect(await emit(sue.socket, 'supervisor:join', { conversationId: active.conversationId })).toMatchObject({ ok: true });
    expect(await emit(sue.socket, 'conversation:leave', { conversationId: active.conversationId })).toMatchObject({ ok: true });
    await until(() => active.messages.find((m) => m.body === 'The supervisor left the chat.'));
    expect(server.context.conversations.core.get(active.conversationId)).toMatchObject({ state: 'active', agent_id: 'agent-ann' });
  });

  it('a signed-in patient is named (and verified) to the bot, the agent and the supervisor, never an id', async () => {
    const record = createPatient(server, `P${randomUUID().slice(0, 8)}`);
    const user = await createUser(server, { role: 'patient', patientId: record.id!, displayName: 'Ada Lovelace' });
    const token = await server.tokenFor({ kind: 'patient', userId: user.id, email: user.email, role: 'patient', patientId: record.id! });
    const socket = io(`${server.url}/patient`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    try {
      await new Promise<void>((resolve, reject) => (socket.once('connect', () => resolve()), socket.once('connect_error', reject)));
      const start = (await socket.emitWithAck('conversation:start', { channel: 'portal' })) as { ok: true; conversation: ConversationView; messages: MessageView[] };
      expect(start.messages[0]?.body).toContain('Ada Lovelace');
      const id = start.conversation.id;
      const ann = await desk('agent-ann');
      expect((await say(socket, id, 'I want to talk to a person')).ok).toBe(true);
      const offer = await until(() => ann.offers.find((o) => o.conversationId === id));
      const accepted = (await ann.socket.emitWithAck('offer:accept', { offerId: offer.offerId })) as { ok: true; conversation: ConversationView };
      expect(accepted.conversation.participants?.find((p) => p.kind === 'patient')?.displayName).toBe('Ada Lovelace');
      const sue = await supervisorDesk();
      const snapshot = ((await emit(sue.socket, 'supervisor:subscribe', {})) as unknown as { snapshot: SupervisorSnapshot }).snapshot;
      expect(snapshot.conversations.find((c) => c.id === id)).toMatchObject({ patientName: 'Ada Lovelace', verified: true, patientId: record.id });
      const visitor = await visitorChat('Walk-in Wes');
      const again = ((await emit(sue.socket, 'supervisor:subscribe', {})) as unknown as { snapshot: SupervisorSnapshot }).snapshot;
      expect(again.conversations.find((c) => c.id === visitor.conversationId)).toMatchObject({ patientName: 'Walk-in Wes', verified: false });
    } finally {
      socket.disconnect();
    }
  });

  it('answers bad supervisor requests with the right code and stores nothing', async () => {
    const ann = await desk('agent-ann');
    const chat = await visitorChat('Dee');
    await accept(ann, chat.conversationId);
    const id = chat.conversationId;
    const admin = await supervisorDesk('admin-ada', 'admin');
    await desk('agent-gone', { presence: 'away' });
    const before = storedMessages(server, id).length;
    const cases: [string, unknown, string][] = [
      ['supervisor:monitor', { conversationId: randomUUID() }, 'not_found'],
      ['supervisor:monitor', { conversationId: '' }, 'bad_payload'],
      ['supervisor:stop-monitor', { conversationId: id }, 'not_found'],
      ['supervisor:whisper', { conversationId: randomUUID(), clientMessageId: 'x', body: 'hi' }, 'not_found'],
      ['supervisor:whisper', { conversationId: id, clientMessageId: 'x', body: '   ' }, 'bad_payload'],
      ['supervisor:whisper', { conversationId: id, clientMessageId: 'x', body: 'x'.repeat(4001) }, 'bad_payload'],
      ['supervisor:join', { conversationId: randomUUID() }, 'not_found'],
      ['supervisor:reassign', { conversationId: id, agentId: 'nobody' }, 'not_found'],
      ['supervisor:reassign', { conversationId: id, agentId: 'agent-ann' }, 'conflict'],
      ['supervisor:reassign', { conversationId: randomUUID(), agentId: 'agent-gone' }, 'not_found'],
      ['supervisor:force-close', { conversationId: id }, 'bad_payload'],
      ['supervisor:force-close', { conversationId: id, reason: '' }, 'bad_payload'],
      ['supervisor:subscribe', { all: true }, 'bad_payload'],
      ['supervisor:subscribe', 'yes', 'bad_payload'],
    ];
    for (const [event, payload, code] of cases) {
      expect(await emit(admin.socket, event, payload), `${event} ${JSON.stringify(payload).slice(0, 60)}`).toMatchObject({ ok: false, error: { code } });
    }
    expect(storedMessages(server, id)).toHaveLength(before);
    expect(server.context.conversations.core.get(id)).toMatchObject({ state: 'active', agent_id: 'agent-ann' });
    expect(admin.socket.connected).toBe(true);
    // An admin may supervise; reassigning to an away agent works (they are signed in).
    expect(await emit(admin.socket, 'supervisor:reassign', { conversationId: id, agentId: 'agent-gone' })).toMatchObject({ ok: true, conversation: { agentId: 'agent-gone' } });
  });
});
