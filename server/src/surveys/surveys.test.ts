import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import type { QuestionnaireResponse } from '@medplum/fhirtypes';
import type { ConversationView, MessageView } from '../contracts/conversations.js';
import type { SurveyOffer, SurveyResponsesResponse } from '../contracts/surveys.js';
import { startTestServer, type TestServer } from '../testing/server.js';
import { call, createPatient, createUser } from '../testing/accounts.js';
import type { Principal } from '../platform/auth/principal.js';
import type { Actor } from '../platform/auth/actor.js';
import { conversationsHarness, until } from '../testing/conversations.js';
import { SURVEY_CONTEXT_EXTENSION } from './definition.js';
import { SURVEY_SENT_LINE } from './service.js';

const PUBLIC_URL = 'https://clinic.example';
let server: TestServer;
const { connected, closeAll } = conversationsHarness(() => server);
let agentId: string;
let secondAgentId: string;
let supervisorToken: string;
let patientId: string;
let patientToken: string;
let patientUserId: string;

beforeAll(async () => {
  server = await startTestServer({ PUBLIC_URL, ROUTING_ALWAYS_OPEN: '1' });
  const [agent, second, supervisor] = await Promise.all([
    createUser(server, { role: 'agent', displayName: 'Agent A' }),
    createUser(server, { role: 'agent', displayName: 'Agent B' }),
    createUser(server, { role: 'supervisor' }),
  ]);
  agentId = agent.id;
  secondAgentId = second.id;
  supervisorToken = await server.tokenFor({ kind: 'staff', userId: supervisor.id, email: supervisor.email, role: 'supervisor', practitionerId: null });
  patientId = createPatient(server, 'T-SURVEY-1').id!;
  const patientUser = await createUser(server, { role: 'patient', patientId });
  patientUserId = patientUser.id;
  patientToken = await server.tokenFor({ kind: 'patient', userId: patientUser.id, email: patientUser.email, role: 'patient', patientId } satisfies Principal);
});
afterAll(async () => {
  closeAll();
  await server.context.conversations.idle();
  await server.close();
});

const patientSocket = (token = patientToken): Promise<Socket> => connected('/patient', token);

async function visitorToken(): Promise<string> {
  const reply = await call<{ token: string }>(server, 'POST', '/api/chat/visitor', { body: { displayName: 'Vera' } });
  return reply.body.token;
}

const staff = (userId: string): Actor => ({ kind: 'staff', userId, role: 'agent', displayName: null });

/**
 * A patient chat that reached an agent: started on the socket, handed off by the bot to `intent`'s
 * queue, assigned to the agent (what routing does on accept).
 */
async function chatWithAgent(socket: Socket, intent = 'billing', agent = agentId): Promise<{ id: string; offers: SurveyOffer[]; messages: MessageView[] }> {
  const offers: SurveyOffer[] = [];
  const messages: MessageView[] = [];
  let id = '';
  // One socket may hold several chats: keep only this one's events.
  socket.on('survey:offer', (offer: SurveyOffer) => offer.conversationId === id && offers.push(offer));
  socket.on('message:new', (m: MessageView) => m.conversationId === id && messages.push(m));
  const ack = (await socket.emitWithAck('conversation:start', {})) as { ok: true; conversation: ConversationView };
  id = ack.conversation.id;
  server.context.conversations.core.handoff(id, { reason: 'patient-asked', intent, language: 'en', collectedAnswers: {}, summary: 'Wants a person' });
  server.context.conversations.core.assignAgent(id, agent, 'Agent A');
  return { id, offers, messages };
}

const offersIn = (conversationId: string) =>
  server.context.database.sqlite.prepare('SELECT * FROM survey_offers WHERE conversation_id = ?').all(conversationId) as {
    answered_at: string | null;
    agent_id: string;
    queue: string;
    token_hash: string;
  }[];
const responseCount = () =>
  (server.context.database.sqlite.prepare("SELECT COUNT(*) AS n FROM resources WHERE resource_type = 'QuestionnaireResponse'").get() as { n: number }).n;

type SubmitAck = { ok: true; id: string } | { ok: false; error: { code: string; message: string } };

describe('offering the survey', () => {
  it('offers it once, in the chat and as a link, when the agent wraps up; the patient answers in the chat; it is stored as a QuestionnaireResponse', async () => {
    const socket = await patientSocket();
    const chat = await chatWithAgent(socket);
    server.context.conversations.staff.wrapup(staff(agentId), chat.id);

    const offer = await until(() => chat.offers[0]);
    expect(offer).toMatchObject({ conversationId: chat.id, survey: { id: 'chat-follow-up', title: 'How did we do?' } });
    expect(offer.url).toBe(`${PUBLIC_URL}/survey/${offer.token}`);
    expect(offer.survey.questions.map((q) => q.id)).toEqual(['csat', 'nps', 'resolved', 'improve']);
    // Everyone in the chat reads that a survey went out; the link itself is the patient's alone.
    await until(() => chat.messages.find((m) => m.kind === 'system' && m.body === SURVEY_SENT_LINE));
    expect(chat.messages.some((m) => m.body.includes(offer.token))).toBe(false);
    // Only the hash of the token is stored.
    expect(offersIn(chat.id)).toEqual([expect.objectContaining({ agent_id: agentId, queue: 'billing', answered_at: null })]);
    expect(offersIn(chat.id)[0]!.token_hash).not.toContain(offer.token);

    // Closing after wrap-up does not offer it again.
    server.context.conversations.staff.close(staff(agentId), { conversationId: chat.id, disposition: 'resolved' });
    await new Promise((r) => setTimeout(r, 50));
    expect(chat.offers).toHaveLength(1);
    expect(offersIn(chat.id)).toHaveLength(1);

    const ack = (await socket.emitWithAck('survey:submit', { token: offer.token, answers: { csat: 2, nps: 6, resolved: false, improve: '  Shorter waits  ' } })) as SubmitAck;
    expect(ack).toEqual({ ok: true, id: expect.any(String) });
    if (!ack.ok) return;

    const stored = server.context.store.read('QuestionnaireResponse', ack.id)!.resource as QuestionnaireResponse;
    const questionnaire = server.context.surveys.questionnaire;
    expect(stored).toMatchObject({
      resourceType: 'QuestionnaireResponse',
      status: 'completed',
      questionnaire: questionnaire.canonical,
      subject: { reference: `Patient/${patientId}` },
      item: [
        { linkId: 'csat', answer: [{ valueInteger: 2 }] },
        { linkId: 'nps', answer: [{ valueInteger: 6 }] },
        { linkId: 'resolved', answer: [{ valueBoolean: false }] },
        { linkId: 'improve', answer: [{ valueString: 'Shorter waits' }] },
      ],
    });
    expect(stored.encounter).toBeUndefined();
    expect(stored.extension).toEqual([
      {
        url: SURVEY_CONTEXT_EXTENSION,
        extension: [
          { url: 'conversation', valueString: chat.id },
          { url: 'agent', valueString: agentId },
          { url: 'queue', valueString: 'billing' },
        ],
      },
    ]);
    // The definition is stored once as a Questionnaire with that canonical url.
    const q = server.context.store.read('Questionnaire', questionnaire.id)!.resource;
    expect(q).toMatchObject({ resourceType: 'Questionnaire', url: questionnaire.url, version: questionnaire.version, status: 'active' });

    // It is in the patient's own record over the FHIR API.
    const own = await fetch(`${server.url}/fhir/R4/QuestionnaireResponse/${ack.id}`, { headers: { authorization: `Bearer ${patientToken}` } });
    expect(own.status).toBe(200);
    const search = await fetch(`${server.url}/fhir/R4/Questionnaire?url=${encodeURIComponent(questionnaire.url)}`, { headers: { authorization: `Bearer ${patientToken}` } });
    expect(((await search.json()) as { total?: number; entry?: unknown[] }).entry).toHaveLength(1);

    // Staff reading the chat back in history see its survey (audited); others may not.
    const agentToken = await server.tokenFor({ kind: 'staff', userId: agentId, email: `${agentId}@example.test`, role: 'agent', practitionerId: null });
    const inHistory = await call(server, 'GET', `/api/surveys/conversations/${chat.id}`, { token: agentToken });
    expect(inHistory.status).toBe(200);
    expect(inHistory.body).toMatchObject({ offered: true, response: { id: ack.id, conversationId: chat.id, answers: { csat: 2, improve: 'Shorter waits' } } });
    const historyReads = server.context.database.sqlite
      .prepare("SELECT COUNT(*) AS n FROM audit_log WHERE actor_id = ? AND resource_id = ? AND reason = 'conversation history'")
      .get(agentId, ack.id) as { n: number };
    expect(historyReads.n).toBe(1);
    const practitioner = await server.tokenFor({ kind: 'staff', userId: randomUUID(), email: `${randomUUID()}@example.test`, role: 'practitioner', practitionerId: null });
    expect((await call(server, 'GET', `/api/surveys/conversations/${chat.id}`, { token: practitioner })).status).toBe(403);
    expect((await call(server, 'GET', `/api/surveys/conversations/${randomUUID()}`, { token: agentToken })).status).toBe(404);
    expect((await call(server, 'GET', `/api/surveys/conversations/not-an-id`, { token: agentToken })).status).toBe(404);

    // Single use: in the chat, and by link.
    const again = (await socket.emitWithAck('survey:submit', { token: offer.token, answers: { csat: 5 } })) as SubmitAck;
    expect(again).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect((await call(server, 'POST', `/api/surveys/by-token/${offer.token}`, { body: { answers: { csat: 5 } } })).status).toBe(409);
    expect((await call(server, 'GET', `/api/surveys/by-token/${offer.token}`)).body).toMatchObject({ conversationId: chat.id, answered: true });
    // The audit log shows the patient wrote to their record.
    const audit = server.context.database.sqlite
      .prepare("SELECT actor_id FROM audit_log WHERE action = 'phi.write' AND resource_type = 'QuestionnaireResponse' AND resource_id = ?")
      .all(ack.id);
    expect(audit).toEqual([{ actor_id: patientUserId }]);
  });

  it('offers it when the patient ends the chat, and to an anonymous visitor, who answers by link (no subject)', async () => {
    const socket = await patientSocket(await visitorToken());
    const chat = await chatWithAgent(socket, 'scheduling');
    await socket.emitWithAck('conversation:end', { conversationId: chat.id });
    const offer = await until(() => chat.offers[0]);

    const page = await call(server, 'GET', `/api/surveys/by-token/${offer.token}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.body).toMatchObject({ conversationId: chat.id, answered: false, survey: { id: 'chat-follow-up' } });

    const answered = await call(server, 'POST', `/api/surveys/by-token/${offer.token}`, { body: { answers: { csat: 5, nps: 10, resolved: true } } });
    expect(answered.status).toBe(201);
    const stored = server.context.store.read('QuestionnaireResponse', answered.body.id)!.resource as QuestionnaireResponse;
    expect(stored.subject).toBeUndefined();
    expect(stored.item?.map((i) => i.linkId)).toEqual(['csat', 'nps', 'resolved']);
  });

  it('offers no survey for a chat only the bot handled', async () => {
    const socket = await patientSocket();
    const offers: SurveyOffer[] = [];
    socket.on('survey:offer', (o: SurveyOffer) => offers.push(o));
    const ack = (await socket.emitWithAck('conversation:start', {})) as { ok: true; conversation: ConversationView };
    await socket.emitWithAck('conversation:end', { conversationId: ack.conversation.id });
    await new Promise((r) => setTimeout(r, 50));
    expect(offers).toEqual([]);
    expect(offersIn(ack.conversation.id)).toEqual([]);
    const transcript = server.context.database.sqlite
      .prepare("SELECT body FROM conversation_messages WHERE conversation_id = ? AND body LIKE '%/survey/%'")
      .all(ack.conversation.id);
    expect(transcript).toEqual([]);
  });

  it('uses the survey from SURVEY_CONFIG, with its opted-out queues', async () => {
    const file = path.join(server.dir, 'survey.json');
    fs.writeFileSync(
      file,
      JSON.stringify({ id: 'short', title: 'Quick question', optOutQueues: ['pharmacy'], questions: [{ id: 'resolved', type: 'yesno', text: 'Sorted?', required: true }] }),
    );
    const configured = await startTestServer({ PUBLIC_URL, SURVEY_CONFIG: file });
    const previous = server;
    server = configured;
    try {
      const user = await createUser(server, { role: 'patient', patientId: createPatient(server, 'T-SURVEY-2').id! });
      const token = await server.tokenFor({ kind: 'patient', userId: user.id, email: user.email, role: 'patient', patientId: user.patient_id! });
      const socket = await patientSocket(token);
      const optedOut = await chatWithAgent(socket, 'pharmacy');
      server.context.conversations.staff.wrapup(staff(agentId), optedOut.id);
      const asked = await chatWithAgent(socket, 'general');
      server.context.conversations.staff.wrapup(staff(agentId), asked.id);
      const offer = await until(() => asked.offers[0]);
      expect(offer.survey).toEqual({ id: 'short', title: 'Quick question', questions: [{ id: 'resolved', type: 'yesno', text: 'Sorted?', required: true }] });
      expect(optedOut.offers).toEqual([]);
      expect(offersIn(optedOut.id)).toEqual([]);
      expect(await socket.emitWithAck('survey:submit', { token: offer.token, answers: { resolved: true } })).toMatchObject({ ok: true });
      socket.disconnect();
    } finally {
      server = previous;
      await configured.close();
    }
  });
});

describe('bad answers and bad tokens', () => {
  it('refuses answers that do not fit the survey with a clear 400 or error ack, storing nothing, and the socket stays usable', async () => {
    const socket = await patientSocket();
    const chat = await chatWithAgent(socket);
    server.context.conversations.staff.wrapup(staff(agentId), chat.id);
    const offer = await until(() => chat.offers[0]);
    const before = responseCount();
    const path = `/api/surveys/by-token/${offer.token}`;

    for (const [body, fragment] of [
      [{ answers: { csat: 9 } }, 'csat must be a whole number from 1 to 5'],
      [{ answers: { csat: 5, improve: 'never asked' } }, 'improve is skipped'],
      [{ answers: { nps: 10 } }, 'csat is required'],
      [{ answers: { csat: 4, bogus: 1 } }, 'bogus is not a question'],
      [{ answers: { csat: 4 }, extra: true }, 'Unrecognized key'],
      [{ answers: { csat: 4, "'; DROP TABLE survey_offers; --": 1 } }, 'answers'],
      [{ answers: [] }, 'answers'],
    ] as const) {
      const res = await call(server, 'POST', path, { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.message).toContain(fragment);
    }
    const malformed = await call(server, 'POST', path, { raw: '{"answers": {' });
    expect(malformed.status).toBe(400);

    const badAck = (await socket.emitWithAck('survey:submit', { token: offer.token, answers: { csat: 'great' } })) as SubmitAck;
    expect(badAck).toMatchObject({ ok: false, error: { code: 'bad_payload' } });
    const noToken = (await socket.emitWithAck('survey:submit', { answers: { csat: 5 } })) as SubmitAck;
    expect(noToken).toMatchObject({ ok: false, error: { code: 'bad_payload' } });
    const unknown = (await socket.emitWithAck('survey:submit', { token: 'x'.repeat(43), answers: { csat: 5 } })) as SubmitAck;
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not_found' } });

    expect(responseCount()).toBe(before);
    expect(offersIn(chat.id)[0]!.answered_at).toBeNull();
    // Still connected, and the right answer goes through.
    expect(socket.connected).toBe(true);
    expect(await socket.emitWithAck('survey:submit', { token: offer.token, answers: { csat: 4 } })).toMatchObject({ ok: true });
  });

  it('answers 404 for unknown or malformed tokens and 410 once the link expired', async () => {
    expect((await call(server, 'GET', `/api/surveys/by-token/${'a'.repeat(43)}`)).status).toBe(404);
    expect((await call(server, 'GET', '/api/surveys/by-token/short')).status).toBe(404);
    expect((await call(server, 'GET', `/api/surveys/by-token/${encodeURIComponent('../../etc/passwd-xxxxxxxx')}`)).status).toBe(404);
    expect((await call(server, 'POST', `/api/surveys/by-token/${'a'.repeat(43)}`, { body: { answers: { csat: 5 } } })).status).toBe(404);

    const socket = await patientSocket();
    const chat = await chatWithAgent(socket);
    server.context.conversations.staff.wrapup(staff(agentId), chat.id);
    const offer = await until(() => chat.offers[0]);
    server.context.database.sqlite.prepare('UPDATE survey_offers SET expires_at = ? WHERE conversation_id = ?').run('2000-01-01T00:00:00.000Z', chat.id);
    const page = await call(server, 'GET', `/api/surveys/by-token/${offer.token}`);
    expect(page.status).toBe(410);
    expect(page.body.error.message).toMatch(/expired/);
    expect((await call(server, 'POST', `/api/surveys/by-token/${offer.token}`, { body: { answers: { csat: 5 } } })).status).toBe(410);
    expect(await socket.emitWithAck('survey:submit', { token: offer.token, answers: { csat: 5 } })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(offersIn(chat.id)[0]!.answered_at).toBeNull();
  });
});

describe('the supervisors list', () => {
  it('lists answers with CSAT mean and NPS per agent and per queue, for supervisors only, audited', async () => {
    // Fresh answers for a second agent in the nurse line: CSAT 5 and 3, NPS 10 and 4.
    const socket = await patientSocket();
    for (const answers of [
      { csat: 5, nps: 10 },
      { csat: 3, nps: 4, improve: 'Call back sooner' },
    ]) {
      const chat = await chatWithAgent(socket, 'nurse-line', secondAgentId);
      server.context.conversations.staff.wrapup(staff(secondAgentId), chat.id);
      const offer = await until(() => chat.offers[0]);
      expect(await socket.emitWithAck('survey:submit', { token: offer.token, answers })).toMatchObject({ ok: true });
    }

    const res = await call<SurveyResponsesResponse>(server, 'GET', `/api/surveys/responses?agentId=${secondAgentId}`, { token: supervisorToken });
    expect(res.status).toBe(200);
    expect(res.body.items.map((i) => i.answers)).toEqual([
      { csat: 3, nps: 4, improve: 'Call back sooner' },
      { csat: 5, nps: 10 },
    ]);
    expect(res.body.items[0]).toMatchObject({ agentId: secondAgentId, queue: 'nurse-line', id: expect.any(String), conversationId: expect.any(String) });
    // NPS: one promoter, one detractor → 0.
    expect(res.body.summary).toEqual({
      count: 2,
      csatAverage: 4,
      nps: 0,
      byAgent: [{ agentId: secondAgentId, count: 2, csatAverage: 4, nps: 0 }],
      byQueue: [{ queue: 'nurse-line', count: 2, csatAverage: 4, nps: 0 }],
    });

    const all = await call<SurveyResponsesResponse>(server, 'GET', '/api/surveys/responses?limit=1', { token: supervisorToken });
    expect(all.body.items).toHaveLength(1);
    expect(all.body.summary.count).toBeGreaterThan(2);
    expect(all.body.summary.byAgent.map((a) => a.agentId).sort()).toEqual([agentId, secondAgentId].sort());
    const byQueue = await call<SurveyResponsesResponse>(server, 'GET', '/api/surveys/responses?queue=nurse-line', { token: supervisorToken });
    expect(byQueue.body.summary.byQueue).toEqual([{ queue: 'nurse-line', count: 2, csatAverage: 4, nps: 0 }]);

    const audited = server.context.database.sqlite
      .prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'phi.read' AND resource_type = 'QuestionnaireResponse' AND patient_id = ?")
      .get(patientId) as { n: number };
    expect(audited.n).toBeGreaterThan(0);
  });

  it('refuses other roles and bad queries', async () => {
    const agentToken = await server.tokenFor({ kind: 'staff', userId: agentId, email: 'a@example.test', role: 'agent', practitionerId: null });
    expect((await call(server, 'GET', '/api/surveys/responses')).status).toBe(401);
    expect((await call(server, 'GET', '/api/surveys/responses', { token: agentToken })).status).toBe(403);
    expect((await call(server, 'GET', '/api/surveys/responses', { token: patientToken })).status).toBe(403);
    for (const query of ['limit=0', 'limit=501', 'limit=ten', 'sort=csat', 'agentId=']) {
      expect((await call(server, 'GET', `/api/surveys/responses?${query}`, { token: supervisorToken })).status, query).toBe(400);
    }
  });

  it('documents the routes in the OpenAPI document', async () => {
    const doc = await call(server, 'GET', '/api/openapi.json');
    expect(Object.keys(doc.body.paths['/api/surveys/by-token/{token}'])).toEqual(['get', 'post']);
    expect(doc.body.paths['/api/surveys/responses'].get).toBeDefined();
  });
});
