import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import { MAX_ATTACHMENT_BYTES, type ConversationView, type MessageView } from '../contracts/conversations.js';
import { startTestServer, type TestServer } from '../testing/server.js';
import { call, createPatient } from '../testing/accounts.js';
import type { Actor } from '../platform/auth/actor.js';
import { conversationsHarness, staffPrincipal, until } from '../testing/conversations.js';

let server: TestServer;
const { connected, closeAll } = conversationsHarness(() => server);

let patientId: string;
let patientToken: string;
let otherPatientToken: string;
const agentId = `agent-${randomUUID()}`;
let agentToken: string;
let otherAgentToken: string;
let supervisorToken: string;
let agentSocket: Socket;

beforeAll(async () => {
  server = await startTestServer();
  patientId = createPatient(server, 'T-FILES-1').id!;
  const otherPatientId = createPatient(server, 'T-FILES-2').id!;
  [patientToken, otherPatientToken, agentToken, otherAgentToken, supervisorToken] = await Promise.all([
    server.tokenFor({ kind: 'patient', userId: `patient-user-${randomUUID()}`, email: 'p1@example.test', role: 'patient', patientId }),
    server.tokenFor({ kind: 'patient', userId: `patient-user-${randomUUID()}`, email: 'p2@example.test', role: 'patient', patientId: otherPatientId }),
    server.tokenFor(staffPrincipal(agentId)),
    server.tokenFor(staffPrincipal(`agent-${randomUUID()}`)),
    server.tokenFor(staffPrincipal(`supervisor-${randomUUID()}`, 'supervisor')),
  ]);
  agentSocket = await connected('/staff', agentToken);
});
afterAll(async () => {
  closeAll();
  await server.context.conversations.idle();
  await server.close();
});

function inbox(socket: Socket): MessageView[] {
  const seen: MessageView[] = [];
  socket.on('message:new', (m: MessageView) => seen.push(m));
  return seen;
}

/** A chat the patient (or visitor) holding `token` started and our agent accepted. */
async function activeChat(token = patientToken): Promise<{ id: string; socket: Socket }> {
  const socket = await connected('/patient', token);
  const ack = (await socket.emitWithAck('conversation:start', {})) as { ok: true; conversation: ConversationView };
  const id = ack.conversation.id;
  server.context.conversations.core.handoff(id, { reason: 'patient-asked', intent: 'billing', language: 'en', collectedAnswers: {}, summary: 'Needs help' });
  server.context.conversations.core.assignAgent(id, agentId, 'Agent A');
  return { id, socket };
}

// Smallest real files of each accepted type (headers are what the server checks).
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('rest of a png image')]);
const PDF = Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n', 'latin1');
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]);
const GIF = Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1');
const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x1a, 0, 0, 0]), Buffer.from('WEBPVP8 ')]);

async function upload(
  conversationId: string,
  data: Buffer,
  options: { token?: string; contentType?: string; fileName?: string; clientMessageId?: string; query?: string } = {},
) {
  const query =
    options.query ?? new URLSearchParams({ clientMessageId: options.clientMessageId ?? randomUUID(), fileName: options.fileName ?? 'scan.png' }).toString();
  const headers: Record<string, string> = {};
  if (options.token !== '') headers.authorization = `Bearer ${options.token ?? patientToken}`;
  if (options.contentType !== '') headers['content-type'] = options.contentType ?? 'image/png';
  const res = await fetch(`${server.url}/api/conversations/${encodeURIComponent(conversationId)}/attachments?${query}`, { method: 'POST', headers, body: data });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as { message: MessageView; error: { code: string; message: string } } };
}

async function download(url: string, token: string) {
  const res = await fetch(`${server.url}${url}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

const storedFiles = (conversationId: string) =>
  (server.context.database.sqlite.prepare('SELECT COUNT(*) AS n FROM attachments WHERE conversation_id = ?').get(conversationId) as { n: number }).n;
const storedMessages = (conversationId: string) =>
  (server.context.database.sqlite.prepare('SELECT COUNT(*) AS n FROM conversation_messages WHERE conversation_id = ?').get(conversationId) as { n: number })
    .n;
const attachmentAudits = (attachmentId: string) =>
  server.context.database.sqlite
    .prepare("SELECT actor_id, actor_role, outcome, patient_id, reason, ip, request_id FROM audit_log WHERE action = 'phi.read' AND resource_type = 'Attachment' AND resource_id = ? ORDER BY seq")
    .all(attachmentId) as { actor_id: string; actor_role: string; outcome: string; patient_id: string | null; reason: string; ip: string | null; request_id: string | null }[];

describe('uploading a file into a chat', () => {
  it('stores it, delivers the attachment message live to both sides, and answers a resend with the original', async () => {
    const chat = await activeChat();
    const patientSeen = inbox(chat.socket);
    const agentSeen = inbox(agentSocket);
    const clientMessageId = randomUUID();
    const res = await upload(chat.id, PNG, { clientMessageId, fileName: 'rash photo.png' });
    expect(res.status).toBe(201);
    const { message } = res.body;
    expect(message).toMatchObject({ conversationId: chat.id, kind: 'attachment', body: 'rash photo.png', clientMessageId, sender: { kind: 'patient' } });
    expect(message.attachment).toEqual({
      id: expect.any(String),
      fileName: 'rash photo.png',
      contentType: 'image/png',
      size: PNG.length,
      url: `/api/conversations/${chat.id}/attachments/${message.attachment!.id}`,
    });
    expect(await until(() => agentSeen.find((m) => m.id === message.id))).toMatchObject({ attachment: message.attachment });
    expect(await until(() => patientSeen.find((m) => m.id === message.id))).toMatchObject({ kind: 'attachment' });
    const row = server.context.database.sqlite.prepare('SELECT sha256, size FROM attachments WHERE id = ?').get(message.attachment!.id);
    expect(row).toEqual({ sha256: createHash('sha256').update(PNG).digest('hex'), size: PNG.length });

    const resend = await upload(chat.id, PNG, { clientMessageId, fileName: 'rash photo.png' });
    expect(resend.status).toBe(200);
    expect(resend.body.message).toEqual(message);
    expect(storedFiles(chat.id)).toBe(1);
    await new Promise((r) => setTimeout(r, 30));
    expect(agentSeen.filter((m) => m.id === message.id)).toHaveLength(1);
  });

  it('accepts each allowed type and lets the agent (and a visitor) upload too', async () => {
    const chat = await activeChat();
    for (const [data, contentType] of [
      [PDF, 'application/pdf'],
      [JPEG, 'image/jpeg'],
      [GIF, 'image/gif'],
      [WEBP, 'image/webp'],
      [PNG, 'IMAGE/PNG; charset=binary'],
    ] as const) {
      const res = await upload(chat.id, data, { contentType, fileName: 'file' });
      expect(res.status, contentType).toBe(201);
    }
    const fromAgent = await upload(chat.id, PDF, { token: agentToken, contentType: 'application/pdf', fileName: 'Billing statement.pdf' });
    expect(fromAgent.status).toBe(201);
    expect(fromAgent.body.message.sender).toEqual({ kind: 'agent', id: agentId });

    const visitor = await call<{ token: string }>(server, 'POST', '/api/chat/visitor', { body: { displayName: 'Vera' } });
    const visitorChat = await activeChat(visitor.body.token);
    const fromVisitor = await upload(visitorChat.id, JPEG, { token: visitor.body.token, contentType: 'image/jpeg', fileName: 'card.jpg' });
    expect(fromVisitor.status).toBe(201);
    expect(fromVisitor.body.message.sender.kind).toBe('visitor');
    const back = await download(fromVisitor.body.message.attachment!.url, visitor.body.token);
    expect(back.status).toBe(200);
    expect(back.bytes.equals(JPEG)).toBe(true);
  });

  it('makes file names safe: no path, no control or direction characters', async () => {
    const chat = await activeChat();
    for (const [given, stored] of [
      ['../../etc/passwd.png', 'passwd.png'],
      ['C:\\Users\\me\\scan.png', 'scan.png'],
      ['evil\u0000name\r\n.png', 'evilname .png'],
      ['  many   spaces\t.png ', 'many spaces .png'],
      ['invoice\u202Egnp.exe', 'invoicegnp.exe'],
      ['...hidden.png', 'hidden.png'],
      ['<script>alert(1)</script>.png', 'script>.png'],
    ] as const) {
      const res = await upload(chat.id, PNG, { fileName: given });
      expect(res.status, given).toBe(201);
      expect(res.body.message.attachment!.fileName, given).toBe(stored);
    }
  });
});

describe('bad uploads: a clear 4xx and nothing stored', () => {
  it('refuses a file over the limit with 413', async () => {
    const chat = await activeChat();
    const before = storedMessages(chat.id);
    const big = Buffer.alloc(MAX_ATTACHMENT_BYTES + 1, 0);
    PNG.copy(big);
    const res = await upload(chat.id, big);
    expect(res.status).toBe(413);
    expect(res.body.error).toEqual({ code: 'payload_too_large', message: expect.stringContaining('10 MiB') });
    expect(storedFiles(chat.id)).toBe(0);
    expect(storedMessages(chat.id)).toBe(before);
    // A file of exactly the limit is fine.
    expect((await upload(chat.id, big.subarray(0, MAX_ATTACHMENT_BYTES))).status).toBe(201);
  });

  it('refuses disallowed types and content that does not match the declared type with 415', async () => {
    const chat = await activeChat();
    const before = storedMessages(chat.id);
    for (const [data, contentType] of [
      [Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'image/svg+xml'],
      [Buffer.from('<html><script>alert(1)</script></html>'), 'text/html'],
      [Buffer.from('MZ\x90\x00', 'latin1'), 'application/octet-stream'],
      [PNG, 'application/json'],
      [PNG, ''],
      [Buffer.from('<html>not a pdf</html>'), 'application/pdf'],
      [PDF, 'image/png'],
      [PNG, 'image/jpeg'],
      [Buffer.from('RIFF\x00\x00\x00\x00WAVEfmt ', 'latin1'), 'image/webp'],
    ] as const) {
      const res = await upload(chat.id, data, { contentType });
      expect(res.status, `${contentType}: ${res.body?.error?.message}`).toBe(415);
      expect(res.body.error.code).toBe('unsupported_media_type');
    }
    expect(storedFiles(chat.id)).toBe(0);
    expect(storedMessages(chat.id)).toBe(before);
  });

  it('refuses someone who is not a participant (403), an unknown conversation (404), and a missing or forged token (401)', async () => {
    const chat = await activeChat();
    const before = storedMessages(chat.id);
    const stranger = await upload(chat.id, PNG, { token: otherPatientToken });
    expect(stranger.status).toBe(403);
    expect(stranger.body.error.message).toMatch(/not a participant/);
    expect((await upload(chat.id, PNG, { token: otherAgentToken })).status).toBe(403);
    // A supervisor may read any chat's files but posts only after joining it.
    expect((await upload(chat.id, PNG, { token: supervisorToken })).status).toBe(403);
    expect((await upload(randomUUID(), PNG)).status).toBe(404);
    expect((await upload(chat.id, PNG, { token: '' })).status).toBe(401);
    expect((await upload(chat.id, PNG, { token: `${patientToken.slice(0, -4)}AAAA` })).status).toBe(401);
    expect((await upload(chat.id, PNG, { token: 'not-a-jwt' })).status).toBe(401);
    expect(storedFiles(chat.id)).toBe(0);
    expect(storedMessages(chat.id)).toBe(before);
  });

  it('refuses bad queries, empty files, unusable names, closed chats and reused message ids (400/409)', async () => {
    const chat = await activeChat();
    const text = (await chat.socket.emitWithAck('message:send', { conversationId: chat.id, clientMessageId: 'used-for-text', body: 'hello' })) as { ok: boolean };
    expect(text.ok).toBe(true);
    const before = storedMessages(chat.id);
    for (const query of ['fileName=a.png', `clientMessageId=${randomUUID()}`, `clientMessageId=${randomUUID()}&fileName=a.png&extra=1`, `clientMessageId=&fileName=a.png`, `clientMessageId=${'x'.repeat(101)}&fileName=a.png`, `clientMessageId[a]=1&fileName=a.png`]) {
      const res = await upload(chat.id, PNG, { query });
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    expect((await upload(chat.id, Buffer.alloc(0))).status).toBe(400);
    expect((await upload(chat.id, PNG, { fileName: '/\u0000/\u202E' })).status).toBe(400);
    const reused = await upload(chat.id, PNG, { clientMessageId: 'used-for-text' });
    expect(reused.status).toBe(409);
    expect(storedFiles(chat.id)).toBe(0);
    expect(storedMessages(chat.id)).toBe(before);

    await chat.socket.emitWithAck('conversation:end', { conversationId: chat.id });
    const afterClose = storedMessages(chat.id);
    const closed = await upload(chat.id, PNG);
    expect(closed.status).toBe(409);
    expect(closed.body.error.message).toMatch(/closed/);
    expect(storedFiles(chat.id)).toBe(0);
    expect(storedMessages(chat.id)).toBe(afterClose);
    // The connection that refused nothing is still usable.
    expect(chat.socket.connected).toBe(true);
  });
});

describe('downloading a file', () => {
  it('serves it to participants as a download with safe headers; supervisors too, audited; others get 403/404', async () => {
    const chat = await activeChat();
    const { message } = (await upload(chat.id, PDF, { contentType: 'application/pdf', fileName: 'Résumé "final".pdf' })).body;
    const url = message.attachment!.url;

    const asAgent = await download(url, agentToken);
    expect(asAgent.status).toBe(200);
    expect(asAgent.bytes.equals(PDF)).toBe(true);
    expect(asAgent.headers.get('content-type')).toBe('application/pdf');
    expect(asAgent.headers.get('content-disposition')).toBe(`attachment; filename="R_sum_ _final_.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22.pdf`);
    expect(asAgent.headers.get('x-content-type-options')).toBe('nosniff');
    expect(asAgent.headers.get('content-security-policy')).toBe('sandbox');
    expect(asAgent.headers.get('cache-control')).toBe('private, no-store');

    const asPatient = await download(url, patientToken);
    expect(asPatient.status).toBe(200);
    expect(asPatient.bytes.equals(PDF)).toBe(true);

    const asSupervisor = await download(url, supervisorToken);
    expect(asSupervisor.status).toBe(200);
    // Every download is audited, the patient's own included.
    expect(attachmentAudits(message.attachment!.id).map(({ actor_role, outcome, patient_id, reason }) => ({ actor_role, outcome, patient_id, reason }))).toEqual([
      { actor_role: 'agent', outcome: 'success', patient_id: patientId, reason: 'conversation participant' },
      { actor_role: 'patient', outcome: 'success', patient_id: patientId, reason: 'own conversation' },
      { actor_role: 'supervisor', outcome: 'success', patient_id: patientId, reason: 'conversation oversight' },
    ]);

    expect((await download(url, otherPatientToken)).status).toBe(403);
    expect((await download(url, otherAgentToken)).status).toBe(403);
    // Refused reads are audited too, against the patient whose file it is, with the address and request id.
    const refused = attachmentAudits(message.attachment!.id).filter((r) => r.outcome === 'denied');
    expect(refused.map((r) => r.actor_role)).toEqual(['patient', 'agent']);
    expect(refused.every((r) => r.patient_id === patientId && r.ip === '127.0.0.1' && typeof r.request_id === 'string')).toBe(true);
    expect(refused[0]!.actor_id).not.toBe(refused[1]!.actor_id);
    expect((await fetch(`${server.url}${url}`)).status).toBe(401);
    expect((await download(`/api/conversations/${chat.id}/attachments/${randomUUID()}`, agentToken)).status).toBe(404);
    expect((await download(`/api/conversations/${randomUUID()}/attachments/${message.attachment!.id}`, supervisorToken)).status).toBe(404);
    // A file of one chat is not reachable through another chat the caller is in.
    const other = await activeChat();
    expect((await download(`/api/conversations/${other.id}/attachments/${message.attachment!.id}`, agentToken)).status).toBe(404);
  });
});

describe('transcripts', () => {
  it("gives the patient their view (no notes) as JSON and as a readable text download, and staff everything, audited", async () => {
    const chat = await activeChat();
    await chat.socket.emitWithAck('message:send', { conversationId: chat.id, clientMessageId: randomUUID(), body: 'My bill looks wrong\nsecond line' });
    await agentSocket.emitWithAck('message:send', { conversationId: chat.id, clientMessageId: randomUUID(), body: 'Internal: check account', kind: 'note' });
    await agentSocket.emitWithAck('message:send', { conversationId: chat.id, clientMessageId: randomUUID(), body: 'Let me look at that.' });
    await upload(chat.id, PDF, { contentType: 'application/pdf', fileName: 'bill.pdf' });
    await server.context.conversations.idle();

    const json = await call(server, 'GET', `/api/conversations/${chat.id}/transcript`, { token: patientToken });
    expect(json.status).toBe(200);
    const kinds = (json.body.messages as MessageView[]).map((m) => m.kind);
    expect(kinds).not.toContain('note');
    expect(kinds).toContain('attachment');
    expect(json.body.conversation).toMatchObject({ id: chat.id, patientId });
    expect(json.body.conversation).not.toHaveProperty('handoff');

    const text = await fetch(`${server.url}/api/conversations/${chat.id}/transcript?format=text`, { headers: { authorization: `Bearer ${patientToken}` } });
    expect(text.status).toBe(200);
    expect(text.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const day = (json.body.conversation as ConversationView).createdAt.slice(0, 10);
    expect(text.headers.get('content-disposition')).toBe(`attachment; filename="carebridge-chat-${day}.txt"`);
    const body = await text.text();
    expect(body).toMatch(/^Carebridge chat transcript\n/);
    expect(body).toMatch(/\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\] Assistant: /);
    expect(body).toContain('] You: My bill looks wrong\n    second line\n');
    // Staff appear by name, with their part in the chat.
    expect(body).toContain('] Agent A (agent): Let me look at that.\n');
    expect(body).toContain('\nTimes: UTC\n');
    expect(body).toContain('] System: Agent A joined the chat.');
    expect(body).toMatch(/\] You: \[attachment: bill\.pdf, application\/pdf, \d+ B\]/);
    expect(body).not.toContain('Internal: check account');

    const staffView = await call(server, 'GET', `/api/conversations/${chat.id}/transcript?format=json`, { token: agentToken });
    expect(staffView.status).toBe(200);
    expect((staffView.body.messages as MessageView[]).some((m) => m.kind === 'note' && m.body === 'Internal: check account')).toBe(true);
    const staffText = await (await fetch(`${server.url}/api/conversations/${chat.id}/transcript?format=text`, { headers: { authorization: `Bearer ${agentToken}` } })).text();
    expect(staffText).toContain('] You (internal note): Internal: check account');
    expect(staffText).toMatch(/\] patient-user-[\w-]+: My bill looks wrong/);
    // In the reader's time zone, when they say which; a zone that does not exist is refused.
    const newYork = await (await fetch(`${server.url}/api/conversations/${chat.id}/transcript?format=text&tz=America/New_York`, { headers: { authorization: `Bearer ${agentToken}` } })).text();
    expect(newYork).toContain('\nTimes: America/New_York\n');
    expect(newYork).toMatch(/\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d E[SD]T\] Assistant: /);
    const firstUtc = Number(/\[\d{4}-\d\d-\d\d (\d\d):/.exec(staffText)![1]);
    const firstNy = Number(/\[\d{4}-\d\d-\d\d (\d\d):/.exec(newYork)![1]);
    expect([4, 5]).toContain((firstUtc - firstNy + 24) % 24);
    const badZone = await call(server, 'GET', `/api/conversations/${chat.id}/transcript?format=text&tz=Mars%2FOlympus`, { token: agentToken });
    expect(badZone.status).toBe(400);
    expect(JSON.stringify(badZone.body)).toContain('IANA time zone');
    const audited = server.context.database.sqlite
      .prepare("SELECT details FROM audit_log WHERE action = 'phi.read' AND resource_id = ? AND details LIKE '%conversation.transcript%'")
      .all(chat.id);
    // Each export is a row, the patient's own reads included (the refused time zone read nothing).
    expect(audited).toHaveLength(5);
    const exporters = server.context.database.sqlite
      .prepare("SELECT actor_role, patient_id FROM audit_log WHERE action = 'phi.read' AND resource_id = ? AND details LIKE '%conversation.transcript%' ORDER BY seq")
      .all(chat.id);
    expect(exporters).toEqual([
      { actor_role: 'patient', patient_id: patientId },
      { actor_role: 'patient', patient_id: patientId },
      { actor_role: 'agent', patient_id: patientId },
      { actor_role: 'agent', patient_id: patientId },
      { actor_role: 'agent', patient_id: patientId },
    ]);
  });

  it('pages through long conversations', async () => {
    const chat = await activeChat();
    const actor: Actor = { kind: 'staff', userId: agentId, role: 'agent', displayName: null };
    for (let i = 0; i < 520; i++) server.context.conversations.core.sendMessage(actor, { conversationId: chat.id, clientMessageId: `bulk-${i}`, body: `line ${i}` });
    const json = await call(server, 'GET', `/api/conversations/${chat.id}/transcript`, { token: patientToken });
    const seqs = (json.body.messages as MessageView[]).map((m) => m.seq);
    expect(seqs.length).toBeGreaterThan(520);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect((json.body.messages as MessageView[]).at(-1)!.body).toBe('line 519');
  });

  it('refuses non-participants (403), unknown conversations (404), bad formats (400) and missing tokens (401)', async () => {
    const chat = await activeChat();
    expect((await call(server, 'GET', `/api/conversations/${chat.id}/transcript`, { token: otherPatientToken })).status).toBe(403);
    expect((await call(server, 'GET', `/api/conversations/${chat.id}/transcript`, { token: otherAgentToken })).status).toBe(403);
    expect((await call(server, 'GET', `/api/conversations/${randomUUID()}/transcript`, { token: patientToken })).status).toBe(404);
    expect((await call(server, 'GET', `/api/conversations/${chat.id}/transcript?format=pdf`, { token: patientToken })).status).toBe(400);
    expect((await call(server, 'GET', `/api/conversations/${chat.id}/transcript?format=json&x=1`, { token: patientToken })).status).toBe(400);
    expect((await call(server, 'GET', `/api/conversations/${chat.id}/transcript`)).status).toBe(401);
  });

  it('documents the routes in the OpenAPI document', async () => {
    const doc = await call(server, 'GET', '/api/openapi.json');
    expect(doc.body.paths['/api/conversations/{conversationId}/attachments'].post).toBeDefined();
    expect(doc.body.paths['/api/conversations/{conversationId}/attachments/{attachmentId}'].get).toBeDefined();
    expect(doc.body.paths['/api/conversations/{conversationId}/transcript'].get).toBeDefined();
  });
});
