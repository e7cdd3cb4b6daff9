/**
 * Smart assist over the real server and socket.io: a patient's message in a chat with an agent brings
 * the agent articles, a script, replies and actions with the words they matched; a red flag raises a
 * banner that stays, loads the nurse-escalation script and tells the supervisors (without the
 * patient's words); a resolved conversation is suggested for a similar one; ratings are stored and
 * reported; nobody outside the conversation reads its suggestions; bad input is refused.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AssistRedFlagNotice, AssistReportResponse, AssistStateResponse, AssistUpdate } from '../contracts/assist.js';
import type { ScriptRunResponse } from '../contracts/agent-scripts.js';
import { call, createUser } from '../testing/accounts.js';
import { auditRows, conversationsHarness, emit, say, staffPrincipal, until } from '../testing/conversations.js';
import { SHIPPED_AGENT_SCRIPTS, startTestServer, type TestServer } from '../testing/server.js';

let server: TestServer;
const h = conversationsHarness(() => server);
let agentId = '';
const tokens = { agent: '', other: '', supervisor: '' };

beforeAll(async () => {
  server = await startTestServer({ AGENT_SCRIPTS_DIR: SHIPPED_AGENT_SCRIPTS });
  agentId = (await createUser(server, { role: 'agent', displayName: 'Alex Agent' })).id;
  tokens.agent = await server.tokenFor(staffPrincipal(agentId));
  tokens.other = await server.tokenFor(staffPrincipal(`agent-${randomUUID()}`));
  tokens.supervisor = await server.tokenFor(staffPrincipal(`supervisor-${randomUUID()}`, 'supervisor'));
});
/** Desks made by a test go away before the next test, so routing offers its chats to that test's agent only. */
const desks: { socket: { emitWithAck(event: string, payload: unknown): Promise<unknown> } }[] = [];
afterEach(async () => {
  for (const d of desks.splice(0)) await d.socket.emitWithAck('presence:set', { state: 'away' }).catch(() => undefined);
  h.closeAll();
});
afterAll(async () => server?.close());

async function staffedChat(first = 'I want to talk to a person') {
  // A new agent each time: the shared one would soon be at capacity.
  const agent = (await createUser(server, { role: 'agent', displayName: 'Alex Agent' })).id;
  agentId = agent;
  tokens.agent = await server.tokenFor(staffPrincipal(agent));
  for (const d of desks.splice(0)) await d.socket.emitWithAck('presence:set', { state: 'away' });
  const desk = await h.desk(agent);
  desks.push(desk);
  const updates: AssistUpdate[] = [];
  desk.socket.on('assist:suggestions', (u: AssistUpdate) => updates.push(u));
  const chat = await h.visitorChat('Vera Lopez', first);
  await h.accept(desk, chat.conversationId);
  const patientSaid = async (text: string) => {
    const before = updates.length;
    expect(await say(chat.socket, chat.conversationId, text)).toMatchObject({ ok: true });
    await server.context.conversations.idle();
    return until(() => updates.length > before && updates.at(-1)!.conversationId === chat.conversationId && updates.at(-1), 5000);
  };
  return { desk, chat, updates, patientSaid };
}

describe('suggestions for a patient message', () => {
  it('brings articles, replies and the booking action with the words they matched, and keeps them for a reopened desk', async () => {
    const { chat, patientSaid } = await staffedChat();
    const update = await patientSaid('I need to book an appointment for my flu shot');
    const kinds = update.suggestions.map((s) => s.kind);
    expect(kinds).toContain('article');
    expect(kinds).toContain('reply');
    expect(update.suggestions.filter((s) => s.kind === 'article').length).toBeLessThanOrEqual(3);
    const article = update.suggestions.find((s) => s.kind === 'article')!;
    expect(article.reason).toMatch(/^(matched|related): /);
    expect(article.matched.length).toBeGreaterThan(0);
    expect(article.confidence).toBeGreaterThan(0);
    expect(article.confidence).toBeLessThanOrEqual(1);
    expect(update.suggestions).toContainEqual(expect.objectContaining({ kind: 'action', action: expect.objectContaining({ type: 'book-appointment' }) }));
    expect(update.redFlag).toBeNull();

    const stored = await call<AssistStateResponse>(server, 'GET', `/api/conversations/${chat.conversationId}/assist`, { token: tokens.agent });
    expect(stored.status).toBe(200);
    expect(stored.body.update?.messageId).toBe(update.messageId);
    expect(auditRows(server, chat.conversationId).some((r) => r.action === 'phi.read' && r.actor_id === agentId)).toBe(true);
  });

  it('raises a red flag that stays, loads the nurse-escalation script and tells the supervisors without the patient’s words', async () => {
    const supervisorDesk = await h.desk(`supervisor-${randomUUID()}`, { role: 'supervisor', presence: 'away' });
    const notices: AssistRedFlagNotice[] = [];
    supervisorDesk.socket.on('supervisor:red-flag', (n: AssistRedFlagNotice) => notices.push(n));
    expect(await emit(supervisorDesk.socket, 'supervisor:subscribe', {})).toMatchObject({ ok: true });
    const { chat, patientSaid } = await staffedChat();
    const flagged = await patientSaid('my chest hurts and my left arm is numb');
    expect(flagged.redFlag).toMatchObject({ scriptId: 'nurse-triage-escalation' });
    expect(['emergency', 'emergency_ambulance']).toContain(flagged.redFlag!.disposition);
    expect(flagged.redFlag!.instruction).toMatch(/911/);
    const run = await call<ScriptRunResponse>(server, 'GET', `/api/conversations/${chat.conversationId}/script-run`, { token: tokens.agent });
    expect(run.body.run?.script.id).toBe('nurse-triage-escalation');
    const notice = await until(() => notices.find((n) => n.conversationId === chat.conversationId));
    expect(notice).toMatchObject({ agentId, disposition: flagged.redFlag!.disposition });
    expect(JSON.stringify(notice)).not.toMatch(/chest|arm|numb/i);
    // A calmer message later does not take the banner away.
    const later = await patientSaid('ok thank you');
    expect(later.redFlag).toEqual(flagged.redFlag);
  });

  it('suggests a resolved conversation with the same problem by its disposition, never its patient’s words', async () => {
    const first = await staffedChat('I want to talk to a person about my refill');
    expect(await emit(first.desk.socket, 'conversation:wrapup', { conversationId: first.chat.conversationId })).toMatchObject({ ok: true });
    const dispositions = server.context.conversations.settings.dispositions;
    const disposition = dispositions[0]!.code;
    const closed = await emit(first.desk.socket, 'conversation:close', { conversationId: first.chat.conversationId, disposition, notes: 'Lisinopril refill sent to the Walgreens pharmacy on Main Street' });
    expect(closed).toMatchObject({ ok: true });
    await server.context.conversations.idle();
    const second = await staffedChat();
    const update = await second.patientSaid('can you send my lisinopril refill to my pharmacy');
    const similar = update.suggestions.find((s) => s.kind === 'conversation');
    expect(similar).toBeDefined();
    expect(similar!.conversation).toMatchObject({ id: first.chat.conversationId, disposition });
    expect(similar!.matched).toEqual(expect.arrayContaining(['lisinopril', 'pharmacy']));
    expect(JSON.stringify(similar)).not.toContain('Walgreens');
  });

  it('computes nothing when the server runs with SMART_ASSIST=off, and says so', async () => {
    const off = await startTestServer({ SMART_ASSIST: 'off' });
    try {
      const hOff = conversationsHarness(() => off);
      const agent = (await createUser(off, { role: 'agent', displayName: 'Off Agent' })).id;
      const desk = await hOff.desk(agent);
      const chat = await hOff.visitorChat('Vera', 'I want to talk to a person');
      await hOff.accept(desk, chat.conversationId);
      expect(await say(chat.socket, chat.conversationId, 'my chest hurts and my left arm is numb')).toMatchObject({ ok: true });
      await off.context.conversations.idle();
      await off.context.assist.idle();
      const reply = await call<AssistStateResponse>(off, 'GET', `/api/conversations/${chat.conversationId}/assist`, { token: await off.tokenFor(staffPrincipal(agent)) });
      expect(reply.body).toEqual({ update: null, enabled: false });
      hOff.closeAll();
    } finally {
      await off.close();
    }
  });

  it('gives nothing while only the bot is in the conversation', async () => {
    const chat = await h.visitorChat('Bo', 'hello');
    expect(await say(chat.socket, chat.conversationId, 'I need to book an appointment')).toMatchObject({ ok: true });
    await server.context.conversations.idle();
    await server.context.assist.idle();
    const reply = await call<AssistStateResponse>(server, 'GET', `/api/conversations/${chat.conversationId}/assist`, { token: tokens.supervisor });
    expect(reply.body.update).toBeNull();
  });
});

describe('ratings and the report', () => {
  it('stores agents’ ratings and reports acceptance per kind to supervisors', async () => {
    const { chat, patientSaid } = await staffedChat();
    const update = await patientSaid('I have a question about my bill');
    const reply = update.suggestions.find((s) => s.kind === 'reply')!;
    const url = `/api/conversations/${chat.conversationId}/assist/ratings`;
    expect((await call(server, 'POST', url, { token: tokens.agent, body: { suggestionId: reply.id, kind: 'reply', rating: 'used' } })).status).toBe(204);
    const article = update.suggestions.find((s) => s.kind === 'article');
    if (article) expect((await call(server, 'POST', url, { token: tokens.agent, body: { suggestionId: article.id, kind: 'article', rating: 'not-helpful' } })).status).toBe(204);
    const report = await call<AssistReportResponse>(server, 'GET', '/api/assist/report', { token: tokens.supervisor });
    expect(report.status).toBe(200);
    const replies = report.body.rows.find((r) => r.kind === 'reply')!;
    expect(replies.used).toBeGreaterThanOrEqual(1);
    expect(replies.shown).toBeGreaterThanOrEqual(1);
    expect(replies.acceptance).toBeGreaterThan(0);
    expect((await call(server, 'GET', '/api/assist/report', { token: tokens.agent })).status).toBe(403);
  });

  it('refuses bad input, unknown suggestions and people outside the conversation, and stores nothing', async () => {
    const { chat, patientSaid } = await staffedChat();
    const update = await patientSaid('I need a refill of my inhaler');
    const url = `/api/conversations/${chat.conversationId}/assist/ratings`;
    const id = update.suggestions[0]!.id;
    const kind = update.suggestions[0]!.kind;
    for (const body of [{}, { suggestionId: id, kind, rating: 'love-it' }, { suggestionId: id, kind: 'nonsense', rating: 'used' }, { suggestionId: 'x'.repeat(500), kind, rating: 'used' }, { suggestionId: id, kind, rating: 'used', extra: 1 }, [1, 2]]) {
      expect((await call(server, 'POST', url, { token: tokens.agent, body })).status).toBe(400);
    }
    expect((await call(server, 'POST', url, { token: tokens.agent, body: { suggestionId: 'article:nope', kind: 'article', rating: 'used' } })).status).toBe(404);
    expect((await call(server, 'GET', `/api/conversations/${chat.conversationId}/assist`, { token: tokens.other })).status).toBe(404);
    expect((await call(server, 'POST', url, { token: tokens.other, body: { suggestionId: id, kind, rating: 'used' } })).status).toBe(404);
    expect((await call(server, 'GET', `/api/conversations/not-a-uuid/assist`, { token: tokens.agent })).status).toBe(404);
    expect((await call(server, 'GET', '/api/assist/report?from=yesterday', { token: tokens.supervisor })).status).toBe(400);
    expect((await call(server, 'GET', `/api/assist/report?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z`, { token: tokens.supervisor })).status).toBe(400);
    const rows = server.context.database.sqlite.prepare('SELECT count(*) AS n FROM assist_ratings WHERE conversation_id = ?').get(chat.conversationId) as { n: number };
    expect(rows.n).toBe(0);
  });

  it('handles empty, huge, binary and non-English text without throwing', async () => {
    const { chat, patientSaid, updates } = await staffedChat();
    const spanish = await patientSaid('necesito una cita para mi hijo');
    expect(spanish.suggestions.find((s) => s.kind === 'reply')?.reply?.text).toMatch(/cita|consulta/);
    await patientSaid('x'.repeat(3_900));
    await patientSaid('\u0000\u0001\u0002 ☃☃☃ 你好 🙂');
    expect(updates.every((u) => u.conversationId === chat.conversationId)).toBe(true);
  });
});
