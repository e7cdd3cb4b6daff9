/**
 * The event log fed by the real server: real chats over real sockets produce each event once, with
 * the right agent, queue and figures; the REST report is for supervisors and admins only, refuses bad
 * queries, and its CSV carries the JSON's figures.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationView } from '../contracts/conversations.js';
import { INSIGHT_COLUMNS, type InsightsLive, type InsightsReport } from '../contracts/insights.js';
import type { SurveyOffer } from '../contracts/surveys.js';
import { startTestServer, type TestServer } from '../testing/server.js';
import { call } from '../testing/accounts.js';
import { prepareDemoData } from '../demo.js';
import { createLogger } from '../platform/logging.js';
import { clinicDays } from './days.js';
import { InsightsRecorder } from './recorder.js';
import { demoEmail } from '../accounts/index.js';
import { conversationsHarness, emit, say, staffPrincipal, until, type Desk } from '../testing/conversations.js';

let server: TestServer;
const h = conversationsHarness(() => server);
let supervisorToken: string;
let agentToken: string;
let today: string;

interface LoggedEvent {
  type: string;
  agent_id: string | null;
  queue: string | null;
  channel: string | null;
  value: number | null;
  value2: number | null;
  data: string | null;
  synthetic: number;
}

const allEventsOf = (conversationId: string) =>
  server.context.database.sqlite
    .prepare('SELECT type, agent_id, queue, channel, value, value2, data, synthetic FROM insight_events WHERE conversation_id = ? ORDER BY seq')
    .all(conversationId) as LoggedEvent[];
/** The conversation's lifecycle events (the sentiment module's score of each patient message is checked on its own). */
const eventsOf = (conversationId: string) => allEventsOf(conversationId).filter((e) => e.type !== 'sentiment.scored');
const typesOf = (conversationId: string) => eventsOf(conversationId).map((e) => e.type);
/** Appends join the group commit: wait until the wanted event is stored. */
const logged = (conversationId: string, type: string) => until(() => allEventsOf(conversationId).find((e) => e.type === type), 3000);

beforeAll(async () => {
  server = await startTestServer({ ROUTING_ALWAYS_OPEN: '1', CLINIC_TIME_ZONE: 'UTC' });
  supervisorToken = await server.tokenFor(staffPrincipal('sue-supervisor', 'supervisor'));
  agentToken = await server.tokenFor(staffPrincipal('insights-agent'));
  today = new Date().toISOString().slice(0, 10);
});
afterAll(async () => {
  h.closeAll();
  await server.context.conversations.idle();
  await server.close();
});

async function handledChat(desk: Desk, name: string): Promise<{ id: string; chat: Awaited<ReturnType<typeof h.visitorChat>> }> {
  const chat = await h.visitorChat(name);
  await h.accept(desk, chat.conversationId);
  return { id: chat.conversationId, chat };
}

describe('the listeners record what happens in a real chat', () => {
  it('started, handed off, offered, accepted, first response (after accept, once), closed with its survey', async () => {
    const ann = await h.desk('agent-ann');
    const { id, chat } = await handledChat(ann, 'Vera');
    const offers: SurveyOffer[] = [];
    chat.socket.on('survey:offer', (offer: SurveyOffer) => offers.push(offer));
    // A note is not a response to the patient; the first text is, the second is not counted again.
    expect(await say(ann.socket, id, 'Checking her file', { kind: 'note' })).toMatchObject({ ok: true });
    expect(await say(ann.socket, id, 'Hello Vera, how can I help?')).toMatchObject({ ok: true });
    expect(await say(ann.socket, id, 'Still there?')).toMatchObject({ ok: true });
    expect(await emit(ann.socket, 'conversation:close', { conversationId: id, disposition: 'resolved' })).toMatchObject({ ok: true });
    const offer = await until(() => offers[0]);
    expect(await emit(chat.socket, 'survey:submit', { token: offer.token, answers: { csat: 4, nps: 9, resolved: true } })).toMatchObject({ ok: true });
    await logged(id, 'survey.answered');

    expect(typesOf(id)).toEqual([
      'conversation.started',
      'conversation.handed-off',
      'conversation.offered',
      'conversation.accepted',
      'conversation.first-response',
      'conversation.closed',
      'survey.answered',
    ]);
    const events = eventsOf(id);
    expect(events.every((e) => e.channel === 'portal' && e.synthetic === 0)).toBe(true);
    const [started, handedOff, offered, accepted, firstResponse, closed, survey] = events;
    expect(started).toMatchObject({ queue: null, agent_id: null });
    expect(handedOff).toMatchObject({ queue: 'general', agent_id: null });
    expect(offered).toMatchObject({ queue: 'general', agent_id: 'agent-ann' });
    expect(accepted).toMatchObject({ queue: 'general', agent_id: 'agent-ann' });
    expect(accepted!.value).toBeGreaterThanOrEqual(0);
    expect(accepted!.value).toBeLessThan(10_000);
    // From accept to the first text: what the stored rows say, to the millisecond.
    const times = server.context.database.sqlite.prepare("SELECT at, type FROM insight_events WHERE conversation_id = ? AND type IN ('conversation.accepted', 'conversation.first-response', 'conversation.closed')").all(id) as { at: string; type: string }[];
    const at = (type: string) => Date.parse(times.find((t) => t.type === type)!.at);
    expect(firstResponse).toMatchObject({ agent_id: 'agent-ann', value: at('conversation.first-response') - at('conversation.accepted') });
    expect(closed).toMatchObject({ agent_id: 'agent-ann', value: at('conversation.closed') - at('conversation.accepted') });
    expect(JSON.parse(closed!.data!)).toEqual({ by: 'agent', disposition: 'resolved' });
    expect(survey).toMatchObject({ agent_id: 'agent-ann', queue: 'general', value: 4, value2: 9 });
    await presenceOff(ann);
  });

  it('abandoned: the patient leaves while waiting for a person', async () => {
    const chat = await h.visitorChat('Wendy');
    await until(() => ['queued', 'offered'].includes(server.context.conversations.core.get(chat.conversationId)?.state ?? ''));
    expect(await emit(chat.socket, 'conversation:end', { conversationId: chat.conversationId })).toMatchObject({ ok: true });
    const abandoned = await logged(chat.conversationId, 'conversation.abandoned');
    expect(abandoned.value).toBeGreaterThanOrEqual(0);
    expect(typesOf(chat.conversationId)).toEqual(['conversation.started', 'conversation.handed-off', 'conversation.abandoned']);
  });

  it('bot-contained: the chat ends with the bot, never handed off', async () => {
    const { body } = await call<{ token: string }>(server, 'POST', '/api/chat/visitor', { body: { displayName: 'Bo' } });
    const socket = await h.connected('/patient', body.token);
    const started = (await socket.emitWithAck('conversation:start', {})) as { ok: true; conversation: ConversationView };
    await server.context.conversations.idle();
    expect(await emit(socket, 'conversation:end', { conversationId: started.conversation.id })).toMatchObject({ ok: true });
    await logged(started.conversation.id, 'conversation.bot-contained');
    expect(typesOf(started.conversation.id)).toEqual(['conversation.started', 'conversation.bot-contained']);
  });

  it('transferred (by the owner, to an agent), then force-closed by a supervisor', async () => {
    const tom = await h.desk('agent-tom');
    const { id } = await handledChat(tom, 'Xavier');
    const uma = await h.desk('agent-uma', { presence: 'busy' });
    expect(await emit(tom.socket, 'conversation:transfer', { conversationId: id, target: { kind: 'agent', agentId: uma.id } })).toMatchObject({ ok: true });
    const transferred = await logged(id, 'conversation.transferred');
    expect(transferred).toMatchObject({ agent_id: 'agent-tom' });
    expect(JSON.parse(transferred.data!)).toEqual({ cause: 'transfer', toAgentId: 'agent-uma' });
    // The new agent answers first: first response is the conversation's, from accept.
    expect(await say(uma.socket, id, 'Hi, Uma here.')).toMatchObject({ ok: true });
    expect(await logged(id, 'conversation.first-response')).toMatchObject({ agent_id: 'agent-uma' });
    const sue = await h.desk('sue-supervisor', { role: 'supervisor' });
    expect(await emit(sue.socket, 'supervisor:force-close', { conversationId: id, reason: 'Testing' })).toMatchObject({ ok: true });
    const closed = await logged(id, 'conversation.closed');
    expect(closed).toMatchObject({ agent_id: 'agent-uma' });
    expect(JSON.parse(closed.data!)).toMatchObject({ by: 'supervisor' });
    await presenceOff(tom, uma, sue);
  });

  it('record(): sentiment scores and assist ratings get the conversation channel, queue and agent; the live view counts open sentiment', async () => {
    const ann = await h.desk('agent-ann2');
    const { id } = await handledChat(ann, 'Yara');
    const at = new Date().toISOString();
    // The sentiment module scored the patient's message itself: −3…+3 with its label.
    const live = await logged(id, 'sentiment.scored');
    expect(live).toMatchObject({ channel: 'portal' });
    expect(live.value).toBeGreaterThanOrEqual(-3);
    expect(live.value).toBeLessThanOrEqual(3);
    expect(JSON.parse(live.data!)).toHaveProperty('label');
    server.context.insights.record('sentiment.scored', id, at, { value: -2, label: 'negative', score: -0.6 });
    server.context.insights.record('assist.rated', id, at, { value: 1, kind: 'article' });
    const scored = await until(() => allEventsOf(id).find((e) => e.type === 'sentiment.scored' && e.value === -2 && e.data?.includes('-0.6')), 3000);
    expect(scored).toMatchObject({ channel: 'portal', queue: 'general', agent_id: 'agent-ann2', value: -2 });
    expect(JSON.parse(scored.data!)).toEqual({ label: 'negative', score: -0.6 });
    expect(await logged(id, 'assist.rated')).toMatchObject({ agent_id: 'agent-ann2', value: 1 });

    const view = await call<InsightsLive>(server, 'GET', '/api/insights/live', { token: supervisorToken });
    expect(view.status).toBe(200);
    expect(view.body.today).toBe(today);
    expect(view.body.conversations.sentiment?.find((b) => b.scale === -2)).toMatchObject({ label: 'negative', conversations: 1 });
    const general = view.body.queues.find((q) => q.id === 'general')!;
    expect(general.answeredToday).toBeGreaterThanOrEqual(3);
    expect(general.abandonedToday).toBe(1);
    expect(view.body.agents.find((a) => a.userId === 'agent-ann2')).toMatchObject({ load: 1 });
    expect(view.body.agents.find((a) => a.userId === 'agent-ann')?.handleTimeToday.count).toBe(1);
    await presenceOff(ann);
  });
});

describe('after a restart', () => {
  it('a new recorder picks up an open chat from its events in the log: first response from the logged accept, no second start', async () => {
    const kim = await h.desk('agent-kim');
    const { id } = await handledChat(kim, 'Zoe');
    const accepted = await logged(id, 'conversation.accepted');
    const acceptedAt = (server.context.database.sqlite.prepare("SELECT at FROM insight_events WHERE conversation_id = ? AND type = 'conversation.accepted'").get(id) as { at: string }).at;
    expect(accepted.agent_id).toBe('agent-kim');
    // What a restarted server has: the same database, nothing in memory. Only this recorder hears the message.
    const fresh = new InsightsRecorder({ repo: server.context.insights.repository, conversations: server.context.conversations.core, dayOf: clinicDays('UTC'), logger: createLogger('silent') });
    const onMessage = fresh.listeners().find((l) => l.event === 'conversation.message')!.handle as (payload: unknown) => void;
    const text = (seq: number, createdAt: string) => ({ id: `m${seq}`, conversationId: id, seq, clientMessageId: null, sender: { kind: 'agent', id: 'agent-kim' }, kind: 'text', body: 'Hi', createdAt });
    const answeredAt = new Date(Date.parse(acceptedAt) + 4_321).toISOString();
    onMessage({ conversationId: id, message: text(90, answeredAt) });
    onMessage({ conversationId: id, message: text(91, new Date(Date.parse(answeredAt) + 1000).toISOString()) });
    const first = await logged(id, 'conversation.first-response');
    expect(first).toMatchObject({ agent_id: 'agent-kim', queue: 'general', value: 4_321 });
    await new Promise((r) => setTimeout(r, 50));
    expect(typesOf(id).filter((t) => t === 'conversation.first-response')).toHaveLength(1);
    expect(typesOf(id).filter((t) => t === 'conversation.started')).toHaveLength(1);
    await presenceOff(kim);
  });
});

async function presenceOff(...desks: Desk[]): Promise<void> {
  for (const d of desks) await emit(d.socket, 'presence:set', { state: 'offline' });
}

describe('GET /api/insights/report', () => {
  it("today's figures per agent, and the CSV has the same numbers", async () => {
    const json = await call<InsightsReport>(server, 'GET', `/api/insights/report?from=${today}&to=${today}&groupBy=agent`, { token: supervisorToken });
    expect(json.status).toBe(200);
    const ann = json.body.groups.find((g) => g.key === 'agent-ann')!;
    expect(ann).toMatchObject({ conversations: 1, firstResponse: { count: 1 }, handleTime: { count: 1 }, csat: { answers: 1, satisfiedShare: 1 }, nps: { answers: 1, score: 100 } });
    expect(json.body.totals.transfers).toBe(1);

    const csv = await fetch(`${server.url}/api/insights/report.csv?from=${today}&to=${today}&groupBy=agent`, { headers: { authorization: `Bearer ${supervisorToken}` } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="insights-${today}-to-${today}-by-agent.csv"`);
    const [header, ...rows] = (await csv.text()).trimEnd().split('\r\n').map((line) => line.split(','));
    expect(header).toEqual(['agent', 'label', ...INSIGHT_COLUMNS.map((c) => c.id)]);
    const expected = [...json.body.groups.map((g) => [g.key, g.label, ...INSIGHT_COLUMNS.map((c) => c.get(g))]), ['total', 'Total', ...INSIGHT_COLUMNS.map((c) => c.get(json.body.totals))]];
    expect(rows).toEqual(expected.map((row) => row.map((v) => (v === null ? '' : String(v)))));
  });

  it('agents and patients may not read it; no token is 401', async () => {
    expect((await call(server, 'GET', `/api/insights/report?from=${today}&to=${today}`, { token: agentToken })).status).toBe(403);
    expect((await call(server, 'GET', `/api/insights/report.csv?from=${today}&to=${today}`, { token: agentToken })).status).toBe(403);
    expect((await call(server, 'GET', '/api/insights/live', { token: agentToken })).status).toBe(403);
    expect((await call(server, 'GET', `/api/insights/report?from=${today}&to=${today}`)).status).toBe(401);
  });

  it.each([
    ['a missing date', 'from=2026-01-01'],
    ['a date that does not exist', 'from=2026-02-30&to=2026-03-01'],
    ['not a date', 'from=yesterday&to=2026-03-01'],
    ['from after to', 'from=2026-03-02&to=2026-03-01'],
    ['more than 400 days', 'from=2025-01-01&to=2026-02-06'],
    ['an unknown group-by', 'from=2026-03-01&to=2026-03-02&groupBy=hour'],
    ['an unknown channel', 'from=2026-03-01&to=2026-03-02&channel=fax'],
    ['an unknown parameter', 'from=2026-03-01&to=2026-03-02&limit=5'],
  ])('%s is a 400', async (_name, query) => {
    const reply = await call<{ error: { code: string } }>(server, 'GET', `/api/insights/report?${query}`, { token: supervisorToken });
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe('validation_failed');
  });

  it('exactly 400 days is fine', async () => {
    expect((await call(server, 'GET', '/api/insights/report?from=2025-01-01&to=2026-02-04', { token: supervisorToken })).status).toBe(200);
  });
});

describe('demo mode', () => {
  it('seeds 90 days of synthetic history for the demo agents into an empty log, today included, once', async () => {
    const demo = await startTestServer({ DEMO_MODE: '1', SEED_PATIENTS: '0', SEED: '7' });
    try {
      await prepareDemoData(demo.context);
      const count = () => (demo.context.database.sqlite.prepare('SELECT COUNT(*) AS n, MIN(synthetic) AS s FROM insight_events').get() as { n: number; s: number });
      const seeded = count();
      expect(seeded.n).toBeGreaterThan(20_000);
      expect(seeded.s).toBe(1);
      const token = await demo.tokenFor(staffPrincipal('demo-sup', 'supervisor'));
      const day = (back: number) => new Date(Date.now() - back * 86_400_000).toISOString().slice(0, 10);
      const report = await call<InsightsReport>(demo, 'GET', `/api/insights/report?from=${day(89)}&to=${day(0)}&groupBy=agent`, { token });
      expect(report.body.includesSynthetic).toBe(true);
      const agent1 = demo.context.accounts.accounts.repository.findByEmail(demoEmail('agent1'))!.id;
      expect(report.body.groups.find((g) => g.key === agent1)).toMatchObject({ label: 'Demo Agent 1' });
      expect(report.body.totals.containmentRate).toBeNull();
      const byDay = await call<InsightsReport>(demo, 'GET', `/api/insights/report?from=${day(89)}&to=${day(0)}`, { token });
      expect(byDay.body.totals.containmentRate).toBeGreaterThan(0.55);
      expect(byDay.body.totals.containmentRate).toBeLessThan(0.65);
      expect(byDay.body.totals.firstResponse.medianMs).toBeGreaterThan(10_000);
      expect(byDay.body.totals.firstResponse.p90Ms).toBeLessThan(200_000);
      // Run again: the log is not empty, nothing is added.
      await prepareDemoData(demo.context);
      expect(count().n).toBe(seeded.n);
    } finally {
      await demo.close();
    }
  }, 60_000);
});
