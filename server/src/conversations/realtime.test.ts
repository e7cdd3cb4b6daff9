import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import { startTestServer, type TestServer } from '../testing/server.js';
import { call } from '../testing/accounts.js';
import {
  MAX_MESSAGE_CHARS,
  PATIENT_REALTIME_AUTH_ERRORS,
  type ConversationView,
  type HandoffPacket,
  type MessageView,
  type ReceiptEvent,
  type TypingEvent,
} from '../contracts/conversations.js';
import type { Principal } from '../platform/auth/principal.js';
import { signingKeyFor } from '../platform/auth/tokens.js';
import { listen } from '../platform/events.js';
import { VisitorTokens } from '../platform/auth/visitor-tokens.js';
import { staffPrincipal, until } from '../testing/conversations.js';

let server: TestServer;
const sockets: Socket[] = [];

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await server.context.conversations.idle();
  await server.close();
});

const patientPrincipal = (userId: string, patientId: string): Principal => ({
  kind: 'patient',
  userId,
  email: `${userId}@example.test`,
  role: 'patient',
  patientId,
});

function open(namespace: '/patient' | '/staff', token: unknown, reconnection = false): Socket {
  const socket = connect(`${server.url}${namespace}`, {
    auth: token === undefined ? {} : { token },
    transports: ['websocket'],
    reconnection,
    reconnectionDelay: 50,
    reconnectionDelayMax: 200,
    forceNew: true,
  });
  sockets.push(socket);
  return socket;
}

function outcome(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    socket.once('connect', () => resolve('connected'));
    socket.once('connect_error', (err) => resolve(err.message));
  });
}

async function connected(namespace: '/patient' | '/staff', token: string, reconnection = false): Promise<Socket> {
  const socket = open(namespace, token, reconnection);
  expect(await outcome(socket)).toBe('connected');
  return socket;
}

async function visitorToken(displayName = 'Vera'): Promise<string> {
  const reply = await call<{ token: string }>(server, 'POST', '/api/chat/visitor', { body: { displayName } });
  expect(reply.status).toBe(201);
  return reply.body.token;
}

/** Collects every `message:new` a socket receives. */
function inbox(socket: Socket): MessageView[] {
  const seen: MessageView[] = [];
  socket.on('message:new', (m: MessageView) => seen.push(m));
  return seen;
}

interface StartAck {
  ok: true;
  conversation: ConversationView;
  messages: MessageView[];
}
async function startChat(socket: Socket): Promise<StartAck> {
  const ack = (await socket.emitWithAck('conversation:start', {})) as StartAck;
  expect(ack.ok).toBe(true);
  return ack;
}

const send = (socket: Socket, conversationId: string, body: string, clientMessageId: string = randomUUID(), extra: object = {}) =>
  socket.emitWithAck('message:send', { conversationId, clientMessageId, body, ...extra }) as Promise<
    { ok: true; seq: number; messageId: string; duplicate: boolean } | { ok: false; error: { code: string; message: string } }
  >;

const storedMessages = (conversationId: string) =>
  server.context.database.sqlite
    .prepare('SELECT seq, sender_kind, kind, body, client_message_id FROM conversation_messages WHERE conversation_id = ? ORDER BY seq')
    .all(conversationId) as { seq: number; sender_kind: string; kind: string; body: string; client_message_id: string | null }[];

describe('visitor tokens and the /patient handshake', () => {
  it('issues a visitor token that opens the patient channel, and refuses bad requests with a clear 400', async () => {
    const ok = await call(server, 'POST', '/api/chat/visitor', { body: { displayName: '  Vera  ' } });
    expect(ok.status).toBe(201);
    expect(ok.body).toEqual({ token: expect.any(String), visitorId: expect.stringMatching(/^visitor-/), expiresIn: 7200 });
    expect(ok.headers.get('cache-control')).toBe('no-store');
    expect(await outcome(open('/patient', ok.body.token))).toBe('connected');

    for (const body of [{}, { displayName: '' }, { displayName: 42 }, { displayName: 'x'.repeat(81) }, { displayName: 'Vera', role: 'admin' }]) {
      const bad = await call(server, 'POST', '/api/chat/visitor', { body });
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.body.error.code).toBe('validation_failed');
    }
    const malformed = await call(server, 'POST', '/api/chat/visitor', { raw: '{"displayName":' });
    expect(malformed.status).toBe(400);
  });

  it('refuses a missing, forged or staff token, and a visitor token on the staff channel', async () => {
    expect(await outcome(open('/patient', undefined))).toBe(PATIENT_REALTIME_AUTH_ERRORS.missingToken);
    const token = await visitorToken();
    const [header, payload, signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), sub: 'visitor-someone-else' })).toString('base64url');
    expect(await outcome(open('/patient', `${header}.${forged}.${signature}`))).toBe(PATIENT_REALTIME_AUTH_ERRORS.invalidToken);
    const expired = new VisitorTokens(signingKeyFor(server.context.database.sqlite, server.config.JWT_SECRET), -10);
    expect(await outcome(open('/patient', (await expired.issue('Late')).token))).toBe(PATIENT_REALTIME_AUTH_ERRORS.invalidToken);
    expect(await outcome(open('/patient', await server.tokenFor(staffPrincipal('agent-x'))))).toBe(PATIENT_REALTIME_AUTH_ERRORS.notPatient);
    expect(await outcome(open('/staff', token))).not.toBe('connected');
    expect(await outcome(open('/patient', await server.tokenFor(patientPrincipal('pu-1', 'pat-1'))))).toBe('connected');
  });
});

describe('messaging', () => {
  it('starts a chat owned by the greeting bot, persists each message before acknowledging it, and dedupes resends', async () => {
    const patient = await connected('/patient', await visitorToken('Vera'));
    const received = inbox(patient);
    const start = await startChat(patient);
    expect(start.conversation).toMatchObject({ state: 'bot', channel: 'portal', patientId: null, visitorName: 'Vera', lastSeq: 1 });
    expect(start.conversation).not.toHaveProperty('handoff');
    expect(start.messages).toEqual([expect.objectContaining({ seq: 1, sender: { kind: 'bot', id: 'bot:greeting' }, body: expect.stringMatching(/^Hi Vera/) })]);
    const id = start.conversation.id;

    const clientMessageId = randomUUID();
    const ack = await send(patient, id, '5', clientMessageId);
    expect(ack).toEqual({ ok: true, seq: 2, messageId: expect.any(String), duplicate: false });
    // Persisted by the time the ack arrives.
    expect(storedMessages(id).find((m) => m.seq === 2)).toMatchObject({ sender_kind: 'visitor', body: '5', client_message_id: clientMessageId });

    const bill = await until(() => received.find((m) => m.sender.kind === 'bot' && m.body.includes('billing or insurance question')));
    expect(bill.seq).toBe(3);

    const again = await send(patient, id, '5', clientMessageId);
    expect(again).toEqual({ ok: true, seq: 2, messageId: ack.ok ? ack.messageId : '', duplicate: true });
    await server.context.conversations.idle();
    expect(storedMessages(id).map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it('refuses unknown conversations, other people’s conversations, oversized and malformed messages: nothing stored, connection healthy', async () => {
    const owner = await connected('/patient', await visitorToken('Owner'));
    const { conversation } = await startChat(owner);
    const intruder = await connected('/patient', await visitorToken('Intruder'));
    const before = storedMessages(conversation.id).length;

    const cases: [unknown, string][] = [
      [{ conversationId: randomUUID(), clientMessageId: 'a', body: 'hi' }, 'not_found'],
      [{ conversationId: conversation.id, clientMessageId: 'b', body: 'x'.repeat(MAX_MESSAGE_CHARS + 1) }, 'bad_payload'],
      [{ conversationId: conversation.id, clientMessageId: 'c', body: '   ' }, 'bad_payload'],
      [{ conversationId: conversation.id, clientMessageId: 'd', body: 42 }, 'bad_payload'],
      [{ conversationId: conversation.id, clientMessageId: 'e', body: 'hi', kind: 'note' }, 'bad_payload'],
      [{ conversationId: conversation.id, body: 'hi' }, 'bad_payload'],
      [{ conversationId: conversation.id, clientMessageId: 'x'.repeat(101), body: 'hi' }, 'bad_payload'],
      ['not an object', 'bad_payload'],
      [undefined, 'bad_payload'],
    ];
    for (const [payload, code] of cases) {
      const reply = (await owner.emitWithAck('message:send', payload)) as { ok: boolean; error?: { code: string } };
      expect(reply, JSON.stringify(payload)?.slice(0, 80)).toMatchObject({ ok: false, error: { code } });
    }
    expect(await send(intruder, conversation.id, 'let me in')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await intruder.emitWithAck('conversation:sync', { conversationId: conversation.id, afterSeq: 0 })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await owner.emitWithAck('conversation:sync', { conversationId: 'x', afterSeq: -1 })).toMatchObject({ ok: false, error: { code: 'bad_payload' } });
    expect(await owner.emitWithAck('receipt', { conversationId: conversation.id, seq: 999, kind: 'read' })).toMatchObject({ ok: false, error: { code: 'bad_payload' } });
    await server.context.conversations.idle();
    expect(storedMessages(conversation.id)).toHaveLength(before);

    // Still connected and working; injection-shaped text is stored and returned verbatim.
    expect(owner.connected && intruder.connected).toBe(true);
    const sneaky = `'); DROP TABLE conversation_messages; -- <script>alert(1)</script>`;
    const ok = await send(owner, conversation.id, sneaky);
    expect(ok.ok).toBe(true);
    expect(storedMessages(conversation.id).some((m) => m.body === sneaky)).toBe(true);
  });

  it('answers an event flood with too_many_requests and stores only what it accepted', async () => {
    const patient = await connected('/patient', await visitorToken('Flood'));
    const { conversation } = await startChat(patient);
    const replies = await Promise.all(Array.from({ length: 110 }, (_, i) => send(patient, conversation.id, `flood ${i}`)));
    const accepted = replies.filter((r) => r.ok).length;
    expect(accepted).toBe(99); // 100 events per window, one spent on conversation:start
    expect(replies.filter((r) => !r.ok && r.error.code === 'too_many_requests')).toHaveLength(110 - accepted);
    await server.context.conversations.idle();
    expect(storedMessages(conversation.id).filter((m) => m.sender_kind === 'visitor')).toHaveLength(accepted);
    expect(patient.connected).toBe(true);
    // The budget is the visitor token's, not the socket's: another socket (or a reconnect) buys nothing more.
    const other = await connected('/patient', (patient.auth as { token: string }).token);
    expect(await other.emitWithAck('conversation:sync', { conversationId: conversation.id, afterSeq: 0 })).toMatchObject({ ok: false, error: { code: 'too_many_requests' } });
    // Another visitor is not held back.
    const stranger = await connected('/patient', await visitorToken('Stranger'));
    expect((await startChat(stranger)).ok).toBe(true);
  });

  it('counts chat starts per visitor token across sockets: a flood from five sockets creates twenty chats, not hundreds', async () => {
    const token = await visitorToken('Starter');
    const sockets = await Promise.all(Array.from({ length: 5 }, () => connected('/patient', token)));
    const replies = (await Promise.all(
      Array.from({ length: 60 }, (_, i) => sockets[i % 5]!.emitWithAck('conversation:start', { channel: 'widget' })),
    )) as Array<{ ok: boolean; error?: { code: string; message: string } }>;
    expect(replies.filter((r) => r.ok)).toHaveLength(20);
    const refused = replies.filter((r) => !r.ok);
    expect(refused).toHaveLength(40);
    for (const r of refused) expect(r.error).toMatchObject({ code: 'too_many_requests', message: expect.stringContaining('Too many new chats') });
    await server.context.conversations.idle();
    const stored = server.context.database.sqlite.prepare("SELECT COUNT(*) AS n FROM conversations WHERE visitor_name = 'Starter'").get() as { n: number };
    expect(stored.n).toBe(20);
    // Reconnecting does not reset the count.
    const again = await connected('/patient', token);
    expect(await again.emitWithAck('conversation:start', { channel: 'widget' })).toMatchObject({ ok: false, error: { code: 'too_many_requests' } });
    expect(sockets.every((s) => s.connected)).toBe(true);
  });
});

describe('bot handoff, agents, notes, receipts and audit', () => {
  it('hands off to a queue with a packet, mutes the bot for the agent, keeps notes from the patient, and audits the agent’s read', async () => {
    const queued: { conversation: ConversationView; packet: HandoffPacket }[] = [];
    const stop = server.context.bus.register(listen('conversation.queued', 'test', (e) => queued.push(e)));
    const patient = await connected('/patient', await server.tokenFor(patientPrincipal('pu-hand', 'pat-hand')));
    const patientSaw = inbox(patient);
    const { conversation } = await startChat(patient);
    const id = conversation.id;
    expect(conversation.patientId).toBe('pat-hand');

    await send(patient, id, 'I have a question about my bill');
    await send(patient, id, 'talk to a person');
    await until(() => queued.find((q) => q.conversation.id === id));
    stop();
    const event = queued.find((q) => q.conversation.id === id)!;
    expect(event.conversation).toMatchObject({ state: 'queued', queue: 'billing', skills: ['billing'], priority: 2 });
    expect(event.packet).toMatchObject({ reason: 'patient-asked', intent: 'billing', language: 'en', collectedAnswers: { firstMessage: 'I have a question about my bill' } });
    await until(() => patientSaw.find((m) => m.kind === 'system' && m.body.includes('Waiting for a person')));

    // An agent not (yet) in the conversation cannot open it.
    const agent = await connected('/staff', await server.tokenFor(staffPrincipal('agent-sam')));
    const agentSaw = inbox(agent);
    expect(await agent.emitWithAck('conversation:join-room', { conversationId: id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    // Routing assigns the agent: the agent's open desk joins the room at once.
    server.context.conversations.core.assignAgent(id, 'agent-sam', 'Sam');
    await until(() => agentSaw.find((m) => m.kind === 'system' && m.body === 'Sam joined the chat.'));
    expect(server.context.conversations.core.isBotMuted(id)).toBe(true);

    const joined = (await agent.emitWithAck('conversation:join-room', { conversationId: id })) as { ok: true; conversation: ConversationView };
    expect(joined.conversation).toMatchObject({ state: 'active', handoff: { intent: 'billing' } });
    const audit = server.context.database.sqlite
      .prepare("SELECT actor_id, patient_id FROM audit_log WHERE action = 'phi.read' AND resource_type = 'Conversation' AND resource_id = ?")
      .all(id);
    expect(audit).toContainEqual({ actor_id: 'agent-sam', patient_id: 'pat-hand' });

    // Text reaches the patient; an internal note does not.
    const text = await send(agent, id, 'Hi, this is Sam from billing.');
    const note = await send(agent, id, 'Patient asked twice about the same invoice', randomUUID(), { kind: 'note' });
    expect(text.ok && note.ok).toBe(true);
    await until(() => patientSaw.find((m) => m.body === 'Hi, this is Sam from billing.'));
    const patientSync = (await patient.emitWithAck('conversation:sync', { conversationId: id, afterSeq: 0 })) as { messages: MessageView[] };
    expect(patientSync.messages.some((m) => m.kind === 'note')).toBe(false);
    expect(patientSaw.some((m) => m.kind === 'note')).toBe(false);
    const staffSync = (await agent.emitWithAck('conversation:sync', { conversationId: id, afterSeq: 0 })) as { messages: MessageView[] };
    expect(staffSync.messages.filter((m) => m.kind === 'note').map((m) => m.body)).toEqual(['Patient asked twice about the same invoice']);
    const seqs = staffSync.messages.map((m) => m.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));

    // The muted bot stays silent while the agent is active.
    await send(patient, id, '2');
    await server.context.conversations.idle();
    expect(storedMessages(id).at(-1)).toMatchObject({ sender_kind: 'patient', body: '2' });

    // Typing and receipts are relayed; receipts are kept as the highest seq.
    const typing = new Promise<TypingEvent>((resolve) => agent.once('typing', resolve));
    expect(await patient.emitWithAck('typing', { conversationId: id, typing: true })).toEqual({ ok: true });
    expect(await typing).toEqual({ conversationId: id, sender: { kind: 'patient', id: 'pu-hand' }, typing: true });
    const receipt = new Promise<ReceiptEvent>((resolve) => agent.once('receipt', resolve));
    const lastSeq = storedMessages(id).at(-1)!.seq;
    expect(await patient.emitWithAck('receipt', { conversationId: id, seq: lastSeq, kind: 'read' })).toEqual({ ok: true });
    expect(await receipt).toEqual({ conversationId: id, userId: 'pu-hand', kind: 'read', seq: lastSeq });
    await patient.emitWithAck('receipt', { conversationId: id, seq: 1, kind: 'delivered' });
    expect(server.context.conversations.core.receipts(id)).toContainEqual({ userId: 'pu-hand', deliveredSeq: lastSeq, readSeq: lastSeq });

    // Handed back, the bot answers again; then the patient ends the chat and can write no more.
    server.context.conversations.staff.handBackToBot(id, 'agent-sam');
    expect(server.context.conversations.core.isBotMuted(id)).toBe(false);
    await send(patient, id, '4');
    await until(() => patientSaw.find((m) => m.sender.kind === 'bot' && m.body.includes('refill')));
    const ended = (await patient.emitWithAck('conversation:end', { conversationId: id })) as { ok: true; conversation: ConversationView };
    expect(ended.conversation).toMatchObject({ state: 'closed', closedAt: expect.any(String) });
    expect(await send(patient, id, 'one more thing')).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });

  it('routes Spanish speakers to the Spanish queue', async () => {
    const patient = await connected('/patient', await visitorToken('Lucía'));
    const { conversation } = await startChat(patient);
    const saw = inbox(patient);
    await send(patient, conversation.id, 'Hola, quiero hablar con una persona por favor');
    await until(() => saw.find((m) => m.body.startsWith('Le comunico')));
    await server.context.conversations.idle();
    expect(server.context.conversations.core.get(conversation.id)).toMatchObject({ state: 'queued', queue: 'spanish' });
  });
});

describe('staff side: bad input', () => {
  it('refuses agents outside the conversation, bad kinds and writing into a closed chat, storing nothing', async () => {
    const patient = await connected('/patient', await visitorToken('Staffcheck'));
    const { conversation } = await startChat(patient);
    const id = conversation.id;
    await send(patient, id, 'agent');
    await until(() => server.context.conversations.core.get(id)?.state === 'queued');
    server.context.conversations.core.assignAgent(id, 'agent-in', 'In');
    expect(() => server.context.conversations.core.assignAgent(id, 'agent-second')).toThrow(/cannot be assigned/);
    const inside = await connected('/staff', await server.tokenFor(staffPrincipal('agent-in')));
    const outside = await connected('/staff', await server.tokenFor(staffPrincipal('agent-out')));
    const before = storedMessages(id).length;

    expect(await send(outside, id, 'hello')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await send(outside, id, 'hello', randomUUID(), { kind: 'note' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await outside.emitWithAck('conversation:sync', { conversationId: id, afterSeq: 0 })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await send(inside, id, 'hello', randomUUID(), { kind: 'system' })).toMatchObject({ ok: false, error: { code: 'bad_payload' } });
    expect(await send(inside, id, 'hello', randomUUID(), { sender: 'bot' })).toMatchObject({ ok: false, error: { code: 'bad_payload' } });
    expect(await inside.emitWithAck('conversation:join-room', { conversationId: randomUUID() })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(storedMessages(id)).toHaveLength(before);

    expect(await patient.emitWithAck('conversation:end', { conversationId: id })).toMatchObject({ ok: true });
    expect(await send(inside, id, 'too late')).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(inside.connected && outside.connected).toBe(true);
    // Only the system line saying the patient ended the chat (a survey invitation may follow it); not the refused text.
    expect(storedMessages(id)[before]).toMatchObject({ sender_kind: 'system', body: 'The patient ended the chat.' });
    expect(storedMessages(id).some((m) => m.body === 'too late')).toBe(false);
  });
});

describe('resync', () => {
  it('a client that was away gets exactly what it missed, in order', async () => {
    const patient = await connected('/patient', await visitorToken('Away'));
    const { conversation } = await startChat(patient);
    const id = conversation.id;
    await send(patient, id, 'talk to a person');
    await until(() => server.context.conversations.core.get(id)?.state === 'queued');
    server.context.conversations.core.assignAgent(id, 'agent-away', 'Ana');
    const agent = await connected('/staff', await server.tokenFor(staffPrincipal('agent-away')));
    await agent.emitWithAck('conversation:join-room', { conversationId: id });
    const seen = (await patient.emitWithAck('conversation:sync', { conversationId: id, afterSeq: 0 })) as { messages: MessageView[] };
    const lastSeen = seen.messages.at(-1)!.seq;

    patient.disconnect();
    for (const body of ['one', 'two', 'three']) expect((await send(agent, id, body)).ok).toBe(true);
    const back = await connected('/patient', (patient.auth as { token: string }).token);
    const missed = (await back.emitWithAck('conversation:sync', { conversationId: id, afterSeq: lastSeen })) as { messages: MessageView[]; hasMore: boolean };
    expect(missed.messages.map((m) => [m.seq, m.body])).toEqual([
      [lastSeen + 1, 'one'],
      [lastSeen + 2, 'two'],
      [lastSeen + 3, 'three'],
    ]);
    expect(missed.hasMore).toBe(false);
    // Back in the room without asking: live messages arrive again.
    const live = inbox(back);
    await send(agent, id, 'four');
    await until(() => live.find((m) => m.body === 'four'));
  });

  it('loses and duplicates nothing across a server restart', async () => {
    const token = await visitorToken('Restart');
    const patient = await connected('/patient', token, true);
    const { conversation } = await startChat(patient);
    const id = conversation.id;
    const acked = new Map<string, number>();
    for (let i = 0; i < 5; i++) {
      const clientMessageId = randomUUID();
      const ack = await send(patient, id, `before ${i}`, clientMessageId);
      if (ack.ok) acked.set(clientMessageId, ack.seq);
    }
    const reconnected = new Promise<void>((resolve) => patient.io.once('reconnect', () => resolve()));
    await server.restart();
    await reconnected;

    // A client unsure whether its last send landed resends it: same seq, no duplicate.
    const [lastId, lastSeq] = [...acked.entries()].at(-1)!;
    expect(await send(patient, id, 'before 4', lastId)).toMatchObject({ ok: true, seq: lastSeq, duplicate: true });
    const after = await send(patient, id, 'after restart');
    expect(after.ok).toBe(true);
    await server.context.conversations.idle();

    const sync = (await patient.emitWithAck('conversation:sync', { conversationId: id, afterSeq: 0 })) as { messages: MessageView[] };
    const seqs = sync.messages.map((m) => m.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    for (const [clientMessageId, seq] of acked) {
      expect(sync.messages.filter((m) => m.clientMessageId === clientMessageId).map((m) => m.seq)).toEqual([seq]);
    }
    expect(sync.messages.filter((m) => m.body === 'after restart')).toHaveLength(1);
  });
});
