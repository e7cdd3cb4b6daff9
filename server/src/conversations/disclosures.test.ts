/**
 * Chat content reaching staff is audited: one `phi.read` row per staff member, conversation and
 * purpose (offer, accept, join, sync, inbox, reconnect, monitor, transfer), never one per message;
 * socket-originated rows carry the client's address and a request id of their own; refused reads are
 * rows too. Real server, real sockets, routing making real offers.
 */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationView, MessageView } from '../contracts/conversations.js';
import type { Principal } from '../platform/auth/principal.js';
import { startTestServer, type TestServer } from '../testing/server.js';
import { conversationsHarness, emit, say, until, type Desk } from '../testing/conversations.js';

let server: TestServer;
beforeAll(async () => {
  // Desks of earlier tests go offline as soon as they disconnect, so routing offers only to this test's desks.
  server = await startTestServer({ PRESENCE_GRACE_MS: '0' });
});
afterAll(async () => {
  await server.close();
});

const harness = conversationsHarness(() => server);
/** Chats of this test, ended after it so routing offers the next test's chat, not requeued old ones. */
const started: { userId: string; patientId: string; id: string }[] = [];
afterEach(() => {
  for (const { userId, patientId, id } of started.splice(0)) {
    server.context.conversations.core.endConversation({ kind: 'patient', userId, patientId, displayName: null }, id);
  }
  harness.closeAll();
});

const patientPrincipal = (userId: string, patientId: string): Principal => ({ kind: 'patient', userId, email: `${userId}@example.test`, role: 'patient', patientId });

interface Row {
  seq: number;
  actor_id: string;
  actor_role: string | null;
  outcome: string;
  patient_id: string | null;
  reason: string | null;
  ip: string | null;
  request_id: string | null;
  purpose: string;
}

/** The conversation's `phi.read` rows, after the batch in flight (if any) has committed. */
async function reads(conversationId: string): Promise<Row[]> {
  await new Promise((resolve) => setImmediate(resolve));
  const rows = server.context.database.sqlite
    .prepare(
      "SELECT seq, actor_id, actor_role, outcome, patient_id, reason, ip, request_id, details FROM audit_log WHERE action = 'phi.read' AND resource_type = 'Conversation' AND resource_id = ? ORDER BY seq",
    )
    .all(conversationId) as (Omit<Row, 'purpose'> & { details: string })[];
  return rows.map(({ details, ...row }) => ({ ...row, purpose: (JSON.parse(details) as { purpose: string }).purpose }));
}
/** Polls an asynchronous probe until it returns something (the harness's `until` takes a synchronous one). */
async function eventually<T>(probe: () => Promise<T | undefined | false>, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}
const purposesOf = (rows: Row[], actorId: string) => rows.filter((r) => r.actor_id === actorId && r.outcome === 'success').map((r) => r.purpose);

/** A signed-in patient asks the bot for a person; routing offers the chat to whoever is available. */
async function patientChat(userId: string, patientId: string): Promise<{ socket: Socket; id: string; saw: MessageView[] }> {
  const socket = await harness.connected('/patient', await server.tokenFor(patientPrincipal(userId, patientId)));
  const saw: MessageView[] = [];
  socket.on('message:new', (m: MessageView) => saw.push(m));
  const start = (await socket.emitWithAck('conversation:start', {})) as { ok: true; conversation: ConversationView };
  const id = start.conversation.id;
  started.push({ userId, patientId, id });
  expect(await say(socket, id, 'My chest hurts when I climb stairs, can I talk to a person')).toMatchObject({ ok: true });
  await server.context.conversations.idle();
  return { socket, id, saw };
}

describe('disclosures of a chat to staff', () => {
  it('one row per staff member and purpose — offer, accept, join, sync, inbox, monitor — however many messages follow', async () => {
    const ann = await harness.desk('agent-ann');
    const chat = await patientChat('pu-disc', 'pat-disc');
    const offer = await until(() => ann.offers.find((o) => o.conversationId === chat.id));
    // The offer itself shows the patient's words.
    expect(JSON.stringify(offer.packet)).toContain('chest hurts');
    await eventually(async () => purposesOf(await reads(chat.id), 'agent-ann').includes('conversation.offer'));

    await harness.accept(ann, chat.id);
    for (let i = 0; i < 2; i++) expect(await emit(ann.socket, 'conversation:join-room', { conversationId: chat.id })).toMatchObject({ ok: true });
    for (let i = 0; i < 3; i++) expect(await emit(ann.socket, 'conversation:sync', { conversationId: chat.id, afterSeq: 0 })).toMatchObject({ ok: true });
    for (let i = 0; i < 2; i++) expect(await emit(ann.socket, 'inbox:list', {})).toMatchObject({ ok: true });

    const sue = await harness.desk('sup-sue', { role: 'supervisor', presence: 'busy' });
    for (let i = 0; i < 2; i++) expect(await emit(sue.socket, 'supervisor:monitor', { conversationId: chat.id })).toMatchObject({ ok: true });

    const before = await reads(chat.id);
    // Twenty messages both ways reach Ann's and Sue's desks live: not one more row.
    for (let i = 0; i < 10; i++) {
      expect(await say(chat.socket, chat.id, `patient line ${i}`)).toMatchObject({ ok: true });
      expect(await say(ann.socket, chat.id, `agent line ${i}`)).toMatchObject({ ok: true });
    }
    await until(() => sue.messages.filter((m) => m.body.startsWith('patient line')).length === 10);
    await until(() => ann.messages.filter((m) => m.body.startsWith('patient line')).length === 10);
    const after = await reads(chat.id);
    expect(after).toEqual(before);

    expect(purposesOf(after, 'agent-ann')).toEqual(['conversation.offer', 'conversation.accept', 'conversation.join', 'conversation.sync', 'inbox.list']);
    expect(purposesOf(after, 'sup-sue')).toEqual(['conversation.monitor']);
    expect(after.every((r) => r.patient_id === 'pat-disc')).toBe(true);
    expect(after.find((r) => r.purpose === 'conversation.offer')).toMatchObject({ actor_role: 'agent', reason: 'chat offer' });
    expect(after.find((r) => r.purpose === 'conversation.monitor')).toMatchObject({ actor_role: 'supervisor', reason: 'supervision' });

    // The patient can read all of it in their access log.
    const log = server.context.database.sqlite.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE patient_id = 'pat-disc' AND action = 'phi.read'").get() as { n: number };
    expect(log.n).toBe(after.length);
  });

  it('socket-originated rows carry the client address and a request id of their own; a server push carries none', async () => {
    const ann = await harness.desk('agent-ann');
    const chat = await patientChat('pu-origin', 'pat-origin');
    await harness.accept(ann, chat.id);
    await emit(ann.socket, 'conversation:join-room', { conversationId: chat.id });
    await emit(ann.socket, 'conversation:sync', { conversationId: chat.id, afterSeq: 0 });
    const rows = await reads(chat.id);
    const fromSocket = rows.filter((r) => r.purpose !== 'conversation.offer');
    expect(fromSocket.map((r) => r.purpose)).toEqual(['conversation.accept', 'conversation.join', 'conversation.sync']);
    for (const row of fromSocket) {
      expect(row.ip).toBe('127.0.0.1');
      expect(row.request_id).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(new Set(fromSocket.map((r) => r.request_id)).size).toBe(fromSocket.length);
    // Routing's offer is the server's own decision, pushed to the desk: no client request behind it.
    expect(rows.find((r) => r.purpose === 'conversation.offer')).toMatchObject({ ip: null, request_id: null });
  });

  it('the address a loopback proxy forwards is the one recorded', async () => {
    const ann = await harness.desk('agent-ann');
    const chat = await patientChat('pu-proxy', 'pat-proxy');
    await harness.accept(ann, chat.id);
    const { io } = await import('socket.io-client');
    const proxied = io(`${server.url}/staff`, {
      auth: { token: await server.tokenFor({ kind: 'staff', userId: 'agent-ann', email: 'agent-ann@example.test', role: 'agent', practitionerId: null }) },
      transports: ['websocket'],
      extraHeaders: { 'X-Forwarded-For': '203.0.113.7, 127.0.0.1' },
      reconnection: false,
      forceNew: true,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        proxied.once('connect', () => resolve());
        proxied.once('connect_error', reject);
      });
      expect(await emit(proxied, 'conversation:join-room', { conversationId: chat.id })).toMatchObject({ ok: true });
      expect((await reads(chat.id)).find((r) => r.purpose === 'conversation.join')).toMatchObject({ ip: '203.0.113.7' });
    } finally {
      proxied.disconnect();
    }
  });

  it('a reconnecting desk gets its conversations’ live messages again: recorded once, with its address', async () => {
    const ann = await harness.desk('agent-ann');
    const chat = await patientChat('pu-recon', 'pat-recon');
    await harness.accept(ann, chat.id);
    const token = await server.tokenFor({ kind: 'staff', userId: 'agent-ann', email: 'agent-ann@example.test', role: 'agent', practitionerId: null });
    for (let i = 0; i < 2; i++) {
      const again = await harness.connected('/staff', token);
      const saw: MessageView[] = [];
      again.on('message:new', (m: MessageView) => saw.push(m));
      const body = `after reconnect ${i} ${randomUUID()}`;
      await say(chat.socket, chat.id, body);
      await until(() => saw.find((m) => m.body === body));
    }
    const reconnects = (await reads(chat.id)).filter((r) => r.purpose === 'conversation.reconnect');
    expect(reconnects).toHaveLength(1);
    expect(reconnects[0]).toMatchObject({ actor_id: 'agent-ann', ip: '127.0.0.1', request_id: expect.any(String) });
  });

  it('transfers and consults are disclosures to who receives the chat; coming back after leaving is recorded again', async () => {
    const ada = await harness.desk('agent-ada');
    const chat = await patientChat('pu-move', 'pat-move');
    await harness.accept(ada, chat.id);
    const bob: Desk = await harness.desk('agent-bob', { presence: 'busy' });
    await harness.desk('agent-cy', { presence: 'busy' });
    const transfer = (from: Desk, agentId: string) => emit(from.socket, 'conversation:transfer', { conversationId: chat.id, target: { kind: 'agent', agentId } });
    expect(await emit(ada.socket, 'conversation:consult', { conversationId: chat.id, agentId: 'agent-cy' })).toMatchObject({ ok: true });
    expect(await transfer(ada, 'agent-bob')).toMatchObject({ ok: true });
    expect(await transfer(bob, 'agent-ada')).toMatchObject({ ok: true });
    expect(await transfer(ada, 'agent-bob')).toMatchObject({ ok: true });
    const rows = await eventually(async () => {
      const all = await reads(chat.id);
      return purposesOf(all, 'agent-bob').length === 2 ? all : undefined;
    });
    expect(purposesOf(rows, 'agent-cy')).toEqual(['conversation.consult']);
    expect(purposesOf(rows, 'agent-bob')).toEqual(['conversation.transfer', 'conversation.transfer']);
    expect(purposesOf(rows, 'agent-ada')).toEqual(['conversation.offer', 'conversation.accept', 'conversation.transfer']);
    expect(rows.find((r) => r.actor_id === 'agent-cy')).toMatchObject({ patient_id: 'pat-move', reason: 'conversation participant' });
  });
});

describe('refused reads of a chat', () => {
  it('are audited against the patient whose chat it is: a staff member not in it, a non-supervisor monitoring, another patient', async () => {
    const ava = await harness.desk('agent-ava');
    const chat = await patientChat('pu-victim', 'pat-victim');
    await harness.accept(ava, chat.id);

    const eve = await harness.desk('agent-eve', { presence: 'busy' });
    expect(await emit(eve.socket, 'conversation:join-room', { conversationId: chat.id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await emit(eve.socket, 'conversation:sync', { conversationId: chat.id, afterSeq: 0 })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await emit(eve.socket, 'supervisor:monitor', { conversationId: chat.id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const mallory = await harness.connected('/patient', await server.tokenFor(patientPrincipal('pu-mallory', 'pat-mallory')));
    expect(await emit(mallory, 'conversation:sync', { conversationId: chat.id, afterSeq: 0 })).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    const denied = (await reads(chat.id)).filter((r) => r.outcome === 'denied');
    expect(denied.map((r) => [r.actor_id, r.actor_role, r.purpose])).toEqual([
      ['agent-eve', 'agent', 'conversation.join'],
      ['agent-eve', 'agent', 'conversation.sync'],
      ['agent-eve', 'agent', 'conversation.monitor'],
      ['pu-mallory', 'patient', 'conversation.sync'],
    ]);
    for (const row of denied) expect(row).toMatchObject({ patient_id: 'pat-victim', ip: '127.0.0.1', request_id: expect.any(String), reason: expect.stringMatching(/not a participant|Only supervisors/) });
    // Nothing was disclosed to them.
    expect(eve.messages).toEqual([]);
  });
});
