import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationSentimentEvent, ConversationSentimentResponse, SentimentAlertEvent } from '../contracts/sentiment.js';
import { call, createPatient, createUser } from '../testing/accounts.js';
import { auditRows, conversationsHarness, emit, pause, say, until, type Desk } from '../testing/conversations.js';
import { startTestServer, type TestServer } from '../testing/server.js';

let server: TestServer;
const h = conversationsHarness(() => server);

beforeAll(async () => {
  server = await startTestServer({ ROUTING_ALWAYS_OPEN: '1' });
});
afterEach(async () => {
  h.closeAll();
  await server.context.conversations.idle();
});
afterAll(async () => {
  await server.close();
});

/** Scores are written in batches: hand the pending ones to the database first. */
const flushed = async (s: TestServer = server) => {
  const sentiment = s.context.modules.find((m) => m.name === 'sentiment') as unknown as { api: { flush(): Promise<void> } };
  await sentiment.api.flush();
};
const storedScores = () => (server.context.database.sqlite.prepare('SELECT COUNT(*) AS n FROM sentiment_message_scores').get() as { n: number }).n;
const scoresOf = (conversationId: string) =>
  server.context.database.sqlite.prepare('SELECT message_id, provider, scale, conversation_scale FROM sentiment_message_scores WHERE conversation_id = ? ORDER BY seq').all(conversationId) as {
    message_id: string;
    provider: string;
    scale: number;
    conversation_scale: number;
  }[];

interface SentimentDesk extends Desk {
  sentiment: ConversationSentimentEvent[];
  alerts: SentimentAlertEvent[];
  supervisorSentiment: ConversationSentimentEvent[];
  supervisorAlerts: SentimentAlertEvent[];
}

async function sentimentDesk(id: string, role: 'agent' | 'supervisor' = 'agent'): Promise<SentimentDesk> {
  const d = await h.desk(id, { role, presence: role === 'agent' ? 'available' : 'busy' });
  const s: SentimentDesk = Object.assign(d, { sentiment: [], alerts: [], supervisorSentiment: [], supervisorAlerts: [] });
  d.socket.on('conversation:sentiment', (e: ConversationSentimentEvent) => s.sentiment.push(e));
  d.socket.on('conversation:sentiment-alert', (e: SentimentAlertEvent) => s.alerts.push(e));
  d.socket.on('supervisor:sentiment', (e: ConversationSentimentEvent) => s.supervisorSentiment.push(e));
  d.socket.on('supervisor:sentiment-alert', (e: SentimentAlertEvent) => s.supervisorAlerts.push(e));
  return s;
}

/** A visitor's chat accepted by the agent; the patient socket records every event name it hears. */
async function acceptedChat(agent: SentimentDesk) {
  const chat = await h.visitorChat('Pat');
  const heard: string[] = [];
  chat.socket.onAny((event: string) => heard.push(event));
  await h.accept(agent, chat.conversationId);
  return { ...chat, heard };
}

async function patientSays(chat: { socket: Parameters<typeof say>[0]; conversationId: string }, agent: SentimentDesk, body: string) {
  const before = agent.sentiment.length;
  const ack = await say(chat.socket, chat.conversationId, body);
  expect(ack).toMatchObject({ ok: true });
  return until(() => agent.sentiment.length > before && agent.sentiment.at(-1));
}

describe('live sentiment of a conversation', () => {
  it('scores every patient message, turns negative as the patient gets angry, alerts the agent and supervisors once, and never tells the patient', async () => {
    const ann = await sentimentDesk(`agent-${randomUUID().slice(0, 6)}`);
    const sue = await sentimentDesk(`sup-${randomUUID().slice(0, 6)}`, 'supervisor');
    expect(await emit(sue.socket, 'supervisor:subscribe', {})).toMatchObject({ ok: true });
    const chat = await acceptedChat(ann);

    const calm = await patientSays(chat, ann, 'Hi, I need to ask about my refill.');
    expect(calm).toMatchObject({ conversationId: chat.conversationId, provider: 'local', message: { label: 'neutral' }, conversation: { label: 'neutral' } });
    const annoyed = await patientSays(chat, ann, "It's been a week and still no refill.");
    const angry = await patientSays(chat, ann, 'Nobody called me back, this is ridiculous!');
    const furious = await patientSays(chat, ann, "I've been on hold for an hour, this is unacceptable!!! 😡");
    expect(annoyed.message.label).toBe('negative');
    expect(furious.conversation.scale).toBeLessThanOrEqual(2);
    expect(furious.conversation.label).toBe('negative');
    // The scale went down, and the events name the message behind each drop.
    const drops = ann.sentiment.filter((e) => e.drop !== null);
    expect(drops.length).toBeGreaterThan(0);
    for (const e of drops) expect(e.drop).toMatchObject({ messageId: e.messageId, to: e.conversation.scale });
    expect(angry.conversation.score).toBeLessThan(calm.conversation.score);

    // One alert for the crossing, to the agent's desk and the supervisors, even as it stays low.
    await until(() => ann.alerts.length === 1 && sue.supervisorAlerts.length === 1);
    await patientSays(chat, ann, 'Worst service ever, I am so angry.');
    await pause(50);
    expect(ann.alerts).toHaveLength(1);
    expect(sue.supervisorAlerts).toHaveLength(1);
    expect(ann.alerts[0]).toMatchObject({ conversationId: chat.conversationId, alertScale: 2, conversation: { label: 'negative' } });
    // The supervisors' heat view hears each change of the conversation's scale (not every message).
    const changes = ann.sentiment.filter((e) => e.changed).map((e) => e.messageId);
    expect(changes.length).toBeGreaterThanOrEqual(2);
    expect(changes.length).toBeLessThan(ann.sentiment.length);
    const heatView = () => sue.supervisorSentiment.filter((e) => e.conversationId === chat.conversationId);
    // (The supervisor also heard the first line, to the bot, before the agent's desk joined the room.)
    await until(() => changes.every((id) => heatView().some((e) => e.messageId === id)));
    expect(heatView().every((e) => e.changed)).toBe(true);
    expect(heatView().length).toBeLessThanOrEqual(changes.length + 1);

    // It recovers above the threshold (re-armed) and falls again: a second alert.
    for (const text of ['Thank you so much, that fixed it!', 'You have been so helpful, I really appreciate it 🙂', 'Perfect, thanks a lot!', 'Great, thank you!']) await patientSays(chat, ann, text);
    expect(ann.sentiment.at(-1)!.conversation.scale).toBeGreaterThan(2);
    for (const text of ['Wait, now the pharmacy says it was never sent!!', 'This is ridiculous, nobody knows what they are doing!!', "I'm fed up, this is a joke!!", 'Terrible, I am furious!!!']) {
      await patientSays(chat, ann, text);
    }
    await until(() => ann.alerts.length === 2);

    // Staff messages are not scored; the patient heard no sentiment at all.
    await flushed();
    const scored = scoresOf(chat.conversationId).length;
    expect(scored).toBe(ann.sentiment.length + 1);
    expect(await say(ann.socket, chat.conversationId, 'This is ridiculous, I am so sorry, let me fix it')).toMatchObject({ ok: true });
    await pause(50);
    await flushed();
    expect(scoresOf(chat.conversationId)).toHaveLength(scored);
    expect(chat.heard.some((e) => e.includes('sentiment'))).toBe(false);
    expect(chat.heard).toContain('message:new');
  });

  it('a flagged message (empty after trimming, another language) is stored but does not move the conversation', async () => {
    const ann = await sentimentDesk(`agent-${randomUUID().slice(0, 6)}`);
    const chat = await acceptedChat(ann);
    const angry = await patientSays(chat, ann, 'This is ridiculous, nobody called me back!');
    const other = await patientSays(chat, ann, '我想预约下周的医生，谢谢');
    expect(other.message).toMatchObject({ label: 'neutral', flags: ['unsupported-language'] });
    expect(other.conversation).toEqual(angry.conversation);
  });
});

describe('GET /api/conversations/:id/sentiment', () => {
  it('gives the agent the trend with excerpts and the drops, audited; refuses a patient, a practitioner and unknown ids', async () => {
    const ann = await sentimentDesk(`agent-${randomUUID().slice(0, 6)}`);
    const chat = await acceptedChat(ann);
    await patientSays(chat, ann, 'Thanks for taking my chat.');
    await patientSays(chat, ann, 'I have been on hold for an hour and nobody called me back, this is ridiculous!!');
    await server.context.conversations.idle();
    const token = await server.tokenFor({ kind: 'staff', userId: ann.id, email: `${ann.id}@example.test`, role: 'agent', practitionerId: null });

    const res = await call<ConversationSentimentResponse>(server, 'GET', `/api/conversations/${chat.conversationId}/sentiment`, { token });
    expect(res.status).toBe(200);
    const { body } = res;
    // The first patient line went to the bot ('I want to talk to a person'); all three are there, oldest first.
    expect(body.points.map((p) => p.excerpt)).toEqual([
      'I want to talk to a person',
      'Thanks for taking my chat.',
      'I have been on hold for an hour and nobody called me back, this is ridiculous!!',
    ]);
    expect(body.alertScale).toBe(2);
    const last = body.points.at(-1)!;
    expect(last.message.label).toBe('negative');
    expect(last.drop).toEqual({ from: body.points.at(-2)!.conversation.scale, to: last.conversation.scale });
    expect(body.current).toEqual(last.conversation);
    expect(auditRows(server, chat.conversationId).some((r) => r.action === 'phi.read' && r.actor_id === ann.id && (r.details ?? '').includes('sentiment.trend'))).toBe(true);

    const record = createPatient(server, `P${randomUUID().slice(0, 8)}`);
    const patientUser = await createUser(server, { role: 'patient', patientId: record.id! });
    const patientToken = await server.tokenFor({ kind: 'patient', userId: patientUser.id, email: patientUser.email, role: 'patient', patientId: record.id! });
    expect((await call(server, 'GET', `/api/conversations/${chat.conversationId}/sentiment`, { token: patientToken })).status).toBe(403);
    const practitioner = await server.tokenFor({ kind: 'staff', userId: 'doc-dee', email: 'doc-dee@example.test', role: 'practitioner', practitionerId: null });
    expect((await call(server, 'GET', `/api/conversations/${chat.conversationId}/sentiment`, { token: practitioner })).status).toBe(403);
    expect((await call(server, 'GET', `/api/conversations/${chat.conversationId}/sentiment`)).status).toBe(401);
    expect((await call(server, 'GET', `/api/conversations/${randomUUID()}/sentiment`, { token })).status).toBe(404);
    expect((await call(server, 'GET', `/api/conversations/not-a-uuid/sentiment`, { token })).status).toBe(404);
  });
});

describe('POST /api/sentiment', () => {
  let token: string;
  beforeAll(async () => {
    token = await server.tokenFor({ kind: 'staff', userId: 'agent-batch', email: 'agent-batch@example.test', role: 'agent', practitionerId: null });
  });

  it('scores a batch in order, bad texts neutral with their flag', async () => {
    const texts = ['Thank you so much!', 'My test came back negative', 'This is ridiculous, still waiting', '', '\u0000\u0001\u0002PNG', '我想预约下周的医生', 'Muchas gracias, muy amable'];
    const res = await call(server, 'POST', '/api/sentiment', { token, body: { texts } });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { label: string }) => r.label)).toEqual(['positive', 'neutral', 'negative', 'neutral', 'neutral', 'neutral', 'positive']);
    expect(res.body.results.map((r: { flags: string[] }) => r.flags)).toEqual([[], [], [], ['empty'], ['binary'], ['unsupported-language'], []]);
    for (const r of res.body.results) expect(Object.keys(r).sort()).toEqual(['flags', 'label', 'scale', 'score']);
    const full = await call(server, 'POST', '/api/sentiment', { token, body: { texts: Array.from({ length: 1_000 }, (_, i) => `message ${i}: thanks`) } });
    expect(full.status).toBe(200);
    expect(full.body.results).toHaveLength(1_000);
  });

  it.each([
    ['no texts', {}, 'texts'],
    ['a string', { texts: 'thank you' }, 'texts must be an array'],
    ['numbers', { texts: [1, 2] }, 'Each text must be a string'],
    ['objects', { texts: [{ $gt: '' }] }, 'Each text must be a string'],
    ['an empty array', { texts: [] }, 'at least one'],
    ['10,001 texts', { texts: Array.from({ length: 10_001 }, () => 'ok') }, 'At most 1,000 texts'],
    ['1,001 texts', { texts: Array.from({ length: 1_001 }, () => 'ok') }, 'At most 1,000 texts'],
    ['a 1 MB string', { texts: ['x'.repeat(1_000_000)] }, 'at most 5,000 characters'],
    ['5,001 characters', { texts: ['x'.repeat(5_001)] }, 'at most 5,000 characters'],
    ['an extra key', { texts: ['ok'], store: true }, 'store'],
  ])('refuses %s with 400 and stores nothing', async (_name, body, message) => {
    await flushed();
    const before = storedScores();
    const res = await call(server, 'POST', '/api/sentiment', { token, body });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.error)).toContain(message);
    await flushed();
    expect(storedScores()).toBe(before);
  });

  it('a full batch of 1,000 texts of 5,000 characters is scored, and a flood of batches is throttled', async () => {
    const big = Array.from({ length: 1_000 }, () => 'This is ridiculous, nobody called me back. '.repeat(120).slice(0, 5_000));
    const done = await call(server, 'POST', '/api/sentiment', { token, body: { texts: big } });
    expect(done.status).toBe(200);
    expect(done.body.results).toHaveLength(1_000);
    expect(done.body.results.every((r: { label: string; flags: string[] }) => r.label === 'negative' && r.flags.length === 0)).toBe(true);

    const flooder = await server.tokenFor({ kind: 'staff', userId: 'agent-flood', email: 'agent-flood@example.test', role: 'agent', practitionerId: null });
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await call(server, 'POST', '/api/sentiment', { token: flooder, body: { texts: ['ok'] } })).status);
    expect(statuses.every((s) => s === 200)).toBe(true);
    const refused = await call(server, 'POST', '/api/sentiment', { token: flooder, body: { texts: ['ok'] } });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Someone else's budget is their own.
    expect((await call(server, 'POST', '/api/sentiment', { token, body: { texts: ['ok'] } })).status).toBe(200);
  });

  it('refuses a body that is not JSON, a patient and an anonymous caller', async () => {
    expect((await call(server, 'POST', '/api/sentiment', { token, raw: 'texts=hello', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    const record = createPatient(server, `P${randomUUID().slice(0, 8)}`);
    const user = await createUser(server, { role: 'patient', patientId: record.id! });
    const patientToken = await server.tokenFor({ kind: 'patient', userId: user.id, email: user.email, role: 'patient', patientId: record.id! });
    expect((await call(server, 'POST', '/api/sentiment', { token: patientToken, body: { texts: ['hi'] } })).status).toBe(403);
    expect((await call(server, 'POST', '/api/sentiment', { body: { texts: ['hi'] } })).status).toBe(401);
  });
});

describe('SENTIMENT_ENABLED=0', () => {
  let off: TestServer;
  const o = conversationsHarness(() => off);
  beforeAll(async () => {
    off = await startTestServer({ ROUTING_ALWAYS_OPEN: '1', SENTIMENT_ENABLED: '0' });
  });
  afterAll(async () => {
    o.closeAll();
    await off.context.conversations.idle();
    await off.close();
  });

  it('scores nothing live (the same-run comparison of delivery), while batch scoring still answers', async () => {
    const agent = await o.desk('agent-off');
    const heard: string[] = [];
    agent.socket.onAny((event: string) => heard.push(event));
    const chat = await o.visitorChat('Olive');
    await o.accept(agent, chat.conversationId);
    expect(await say(chat.socket, chat.conversationId, 'This is ridiculous, nobody called me back!!')).toMatchObject({ ok: true });
    await until(() => agent.messages.some((m) => m.body.startsWith('This is ridiculous')));
    await pause(50);
    expect(heard.filter((e) => e.includes('sentiment'))).toEqual([]);
    await flushed(off);
    expect((off.context.database.sqlite.prepare('SELECT COUNT(*) AS n FROM sentiment_message_scores').get() as { n: number }).n).toBe(0);
    const token = await off.tokenFor({ kind: 'staff', userId: 'agent-off', email: 'agent-off@example.test', role: 'agent', practitionerId: null });
    const res = await call(off, 'POST', '/api/sentiment', { token, body: { texts: ['thank you so much'] } });
    expect(res.body.results[0].label).toBe('positive');
  });
});
