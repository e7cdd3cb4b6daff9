/**
 * Conversation history over the real HTTP server: the list by scope (mine, my queues, all), filters
 * and the full-text search (FTS5: stemming, every word, names, snippets), paging, reading a closed
 * conversation back, who may read what (and the audit rows it leaves), and hostile input.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryConversationResponse, HistoryListResponse } from '../contracts/history.js';
import type { Actor } from '../platform/auth/actor.js';
import { call } from '../testing/accounts.js';
import { staffPrincipal } from '../testing/conversations.js';
import { startTestServer, type TestServer } from '../testing/server.js';

let server: TestServer;
const agentId = `agent-${randomUUID()}`;
const billingAgentId = `agent-${randomUUID()}`;
const supervisorId = `supervisor-${randomUUID()}`;
let agentToken: string;
let billingAgentToken: string;
let supervisorToken: string;
let practitionerToken: string;
const ids = { refill: '', bill: '', open: '', other: '', nurse: '' };

const staffActor = (userId: string, role = 'agent'): Actor => ({ kind: 'staff', userId, role, displayName: null });

/** A visitor's chat, handed to `agent` in `queue`, with these patient and agent lines; wrapped up and closed with `disposition` unless `open`. */
function chat(input: { visitor: string; queue: string; agent: string; lines: [who: 'patient' | 'agent' | 'note', body: string][]; disposition?: string; open?: boolean; daysAgo?: number }): string {
  const { core, staff } = server.context.conversations;
  const visitor: Actor = { kind: 'visitor', userId: `visitor-${randomUUID()}`, displayName: input.visitor };
  const row = core.createConversation(visitor, 'widget');
  core.handoff(row.id, { reason: 'patient-asked', intent: input.queue, language: 'en', collectedAnswers: {}, summary: 'Asked for a person' });
  server.context.database.sqlite.prepare('UPDATE conversations SET queue = ? WHERE id = ?').run(input.queue, row.id);
  core.assignAgent(row.id, input.agent, 'Agent');
  for (const [who, body] of input.lines) {
    const actor = who === 'patient' ? visitor : staffActor(input.agent);
    core.sendMessage(actor, { conversationId: row.id, clientMessageId: randomUUID(), body, ...(who === 'note' ? { kind: 'note' as const } : {}) });
  }
  if (!input.open) {
    staff.wrapup(staffActor(input.agent), row.id);
    staff.close(staffActor(input.agent), { conversationId: row.id, disposition: input.disposition ?? 'resolved' });
  }
  if (input.daysAgo) {
    const at = new Date(Date.now() - input.daysAgo * 86_400_000).toISOString();
    server.context.database.sqlite.prepare('UPDATE conversations SET created_at = ? WHERE id = ?').run(at, row.id);
  }
  return row.id;
}

const list = (token: string, query: Record<string, string> = {}) => call<HistoryListResponse>(server, 'GET', `/api/conversations/history?${new URLSearchParams(query)}`, { token });
const names = (body: HistoryListResponse) => body.items.map((i) => i.patientName);

beforeAll(async () => {
  server = await startTestServer();
  [agentToken, billingAgentToken, supervisorToken, practitionerToken] = await Promise.all([
    server.tokenFor(staffPrincipal(agentId)),
    server.tokenFor(staffPrincipal(billingAgentId)),
    server.tokenFor(staffPrincipal(supervisorId, 'supervisor')),
    server.tokenFor(staffPrincipal(`practitioner-${randomUUID()}`, 'practitioner')),
  ]);
  // The billing agent serves the billing queue only.
  server.context.agentProfiles.setIfMissing(billingAgentId, { skills: ['billing'], capacity: 4 });
  ids.refill = chat({ visitor: 'Rita Refill', queue: 'pharmacy', agent: agentId, daysAgo: 7, lines: [['patient', 'I need my inhaler prescription refilled before Friday'], ['agent', 'I sent the refill request to the pharmacy.']] });
  ids.bill = chat({ visitor: 'Bill Payer', queue: 'billing', agent: agentId, daysAgo: 2, disposition: 'billing-followup', lines: [['patient', 'My invoice shows a charge twice'], ['note', 'Duplicate charge — check the ledger']] });
  ids.open = chat({ visitor: 'Olive Open', queue: 'general', agent: agentId, open: true, lines: [['patient', 'Are you open on Saturday?']] });
  ids.other = chat({ visitor: 'Otto Other', queue: 'billing', agent: `agent-${randomUUID()}`, lines: [['patient', 'Question about my invoice and insurance']] });
  ids.nurse = chat({ visitor: 'Nina Nurse', queue: 'nurse-line', agent: `agent-${randomUUID()}`, lines: [['patient', 'Fever since yesterday']] });
  await server.context.conversations.idle();
});
afterAll(async () => {
  await server.close();
});

describe('conversation history: the list', () => {
  it('mine, newest first, open and closed, with queue, agent, disposition and the verified flag', async () => {
    const res = await list(agentToken);
    expect(res.status).toBe(200);
    expect(names(res.body)).toEqual(['Olive Open', 'Bill Payer', 'Rita Refill']);
    const bill = res.body.items.find((i) => i.id === ids.bill)!;
    expect(bill).toMatchObject({ state: 'closed', queue: 'billing', agentId, disposition: { code: 'billing-followup' }, verified: false, snippet: null });
    expect(bill.disposition!.label).not.toBe('');
    expect(res.body.nextCursor).toBeNull();
    expect(names((await list(agentToken, { state: 'closed' })).body)).toEqual(['Bill Payer', 'Rita Refill']);
    expect(names((await list(agentToken, { state: 'open' })).body)).toEqual(['Olive Open']);
    expect(names((await list(agentToken, { disposition: 'billing-followup' })).body)).toEqual(['Bill Payer']);
    expect(names((await list(agentToken, { queue: 'pharmacy' })).body)).toEqual(['Rita Refill']);
  });

  it('finds last week’s conversation by a word from it (stemmed, prefix), every word counted across the chat, with the passage', async () => {
    // "refills" → "refill": porter stemming; "inhal" is a prefix of "inhaler".
    for (const q of ['refills', 'inhal', 'INHALER friday', 'pharmacy refill']) {
      const res = await list(agentToken, { q });
      expect(res.status, q).toBe(200);
      expect(names(res.body), q).toEqual(['Rita Refill']);
    }
    const found = (await list(agentToken, { q: 'refill' })).body.items[0]!;
    expect(found.snippet!.filter((p) => p.match).map((p) => p.text.toLowerCase())).toContain('refilled');
    expect(found.snippet!.map((p) => p.text).join('')).toContain('prescription');
    // Every word must appear somewhere in the conversation: "inhaler" and "invoice" never meet.
    expect(names((await list(agentToken, { q: 'inhaler invoice' })).body)).toEqual([]);
    // Internal notes are searchable by staff.
    expect(names((await list(agentToken, { q: 'ledger' })).body)).toEqual(['Bill Payer']);
    // A patient's name finds their conversations.
    expect(names((await list(agentToken, { q: 'Rita' })).body)).toEqual(['Rita Refill']);
    // By the day it started: last week's only.
    const weekAgo = new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10);
    expect(names((await list(agentToken, { from: weekAgo, to: weekAgo })).body)).toEqual(['Rita Refill']);
  });

  it('pages with a cursor and stops on the last page', async () => {
    const first = await list(agentToken, { limit: '2' });
    expect(names(first.body)).toEqual(['Olive Open', 'Bill Payer']);
    expect(first.body.nextCursor).not.toBeNull();
    const second = await list(agentToken, { limit: '2', cursor: first.body.nextCursor! });
    expect(names(second.body)).toEqual(['Rita Refill']);
    expect(second.body.nextCursor).toBeNull();
  });

  it('team: the queues I serve; all: supervisors only', async () => {
    // The billing agent took part in nothing, but serves billing.
    expect(names((await list(billingAgentToken)).body)).toEqual([]);
    expect(names((await list(billingAgentToken, { scope: 'team' })).body)).toEqual(['Otto Other', 'Bill Payer']);
    const all = await list(billingAgentToken, { scope: 'all' });
    expect(all.status).toBe(403);
    expect(all.body).toMatchObject({ error: { code: 'forbidden' } });
    const everyone = await list(supervisorToken, { scope: 'all' });
    expect(names(everyone.body)).toEqual(expect.arrayContaining(['Nina Nurse', 'Otto Other', 'Olive Open', 'Bill Payer', 'Rita Refill']));
    expect(names((await list(supervisorToken, { scope: 'all', agentId })).body)).toEqual(['Olive Open', 'Bill Payer', 'Rita Refill']);
    expect((await list(practitionerToken)).status).toBe(403);
    expect((await call(server, 'GET', '/api/conversations/history')).status).toBe(401);
  });

  it('audits every conversation shown, once per listing', async () => {
    const before = auditCount(supervisorId, 'conversation history');
    const res = await list(supervisorToken, { scope: 'all', q: 'invoice' });
    expect(names(res.body)).toEqual(['Otto Other', 'Bill Payer']);
    expect(auditCount(supervisorId, 'conversation history') - before).toBe(2);
    const rows = server.context.database.sqlite
      .prepare("SELECT resource_id FROM audit_log WHERE actor_id = ? AND reason = 'conversation history' ORDER BY seq DESC LIMIT 2")
      .all(supervisorId) as { resource_id: string }[];
    expect(rows.map((r) => r.resource_id).sort()).toEqual([ids.other, ids.bill].sort());
  });

  it('refuses bad filters clearly and survives hostile searches', async () => {
    for (const [query, words] of [
      [{ state: 'archived' }, 'state'],
      [{ from: '2026-02-30' }, 'calendar date'],
      [{ from: '2026-03-02', to: '2026-03-01' }, '`from` must not be after `to`'],
      [{ limit: '0' }, 'limit'],
      [{ limit: '1000' }, 'limit'],
      [{ sort: 'name' }, 'sort'],
      [{ cursor: 'not-a-cursor' }, 'cursor is not valid'],
      [{ q: '%%% ***' }, 'at least one word'],
      [{ q: 'x'.repeat(201) }, 'q'],
    ] as [Record<string, string>, string][]) {
      const res = await list(agentToken, query);
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(JSON.stringify(res.body), JSON.stringify(query)).toContain(words);
    }
    // FTS5 query syntax and LIKE wildcards are words, not operators.
    for (const q of ['"refill" OR bill*) NEAR(', 'refill AND NOT', '^inhaler', 'col:body', "'; DROP TABLE conversations; --", '_ita']) {
      const res = await list(agentToken, { q });
      expect(res.status, q).toBe(200);
    }
    expect(names((await list(agentToken, { q: '"refill" OR bill*) NEAR(' })).body)).toEqual([]);
    const duplicated = await fetch(`${server.url}/api/conversations/history?q=a&q=b`, { headers: { authorization: `Bearer ${agentToken}` } });
    expect(duplicated.status).toBe(400);
    expect((await list(agentToken)).body.items).toHaveLength(3);
  });
});

describe('conversation history: reading one back', () => {
  const read = (token: string, id: string) => call<HistoryConversationResponse>(server, 'GET', `/api/conversations/history/${id}`, { token });

  it('the whole closed conversation with notes, who took part and the wrap-up', async () => {
    const res = await read(agentToken, ids.bill);
    expect(res.status).toBe(200);
    expect(res.body.patientName).toBe('Bill Payer');
    expect(res.body.conversation).toMatchObject({ id: ids.bill, state: 'closed', queue: 'billing' });
    expect(res.body.messages.map((m) => m.body)).toEqual(expect.arrayContaining(['My invoice shows a charge twice', 'Duplicate charge — check the ledger']));
    expect(res.body.messages.find((m) => m.kind === 'note')).toBeDefined();
    expect(res.body.participants.map((p) => p.kind)).toEqual(expect.arrayContaining(['visitor', 'bot', 'agent']));
    expect(res.body.wrapup).toMatchObject({ disposition: 'billing-followup', byUserId: agentId });
    expect(res.body.wrapup!.dispositionLabel).not.toBeNull();
  });

  it('agents read their own and their queues’; others are refused and the refusal is audited; supervisors read any', async () => {
    expect((await read(billingAgentToken, ids.other)).status).toBe(200);
    const refused = await read(billingAgentToken, ids.nurse);
    expect(refused.status).toBe(403);
    await expect.poll(() => countDenied(billingAgentId, ids.nurse)).toBe(1);
    expect((await read(supervisorToken, ids.nurse)).status).toBe(200);
    expect((await read(agentToken, randomUUID())).status).toBe(404);
    expect((await read(agentToken, 'not-a-uuid')).status).toBe(404);
    expect((await read(practitionerToken, ids.bill)).status).toBe(403);
    expect(server.context.conversations.history.canRead(staffActor(billingAgentId), ids.nurse)).toBe(false);
    expect(server.context.conversations.history.canRead(staffActor(billingAgentId), ids.bill)).toBe(true);
  });

  it('an agent who transferred a chat away still finds and reads it', async () => {
    const { core, staff } = server.context.conversations;
    const id = chat({ visitor: 'Tess Transfer', queue: 'general', agent: agentId, open: true, lines: [['patient', 'Question about vaccinations']] });
    const colleague = `agent-${randomUUID()}`;
    await server.tokenFor(staffPrincipal(colleague));
    staff.transferToAgent(staffActor(agentId), id, colleague, { cause: 'transfer' });
    expect(core.get(id)!.agent_id).toBe(colleague);
    expect(names((await list(agentToken, { q: 'vaccination' })).body)).toEqual(['Tess Transfer']);
    expect((await read(agentToken, id)).status).toBe(200);
  });
});

function auditCount(actorId: string, reason: string): number {
  return (server.context.database.sqlite.prepare('SELECT COUNT(*) AS n FROM audit_log WHERE actor_id = ? AND reason = ?').get(actorId, reason) as { n: number }).n;
}
function countDenied(actorId: string, resourceId: string): number {
  return (
    server.context.database.sqlite.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE actor_id = ? AND resource_id = ? AND outcome = 'denied'").get(actorId, resourceId) as {
      n: number;
    }
  ).n;
}
