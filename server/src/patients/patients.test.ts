/**
 * Finding a patient and verifying a caller over the real HTTP server: misspelled names, caller-ID
 * phone formats, MRN, date of birth narrowing two namesakes, just enough in the results, the stated
 * reason and its audit rows; verification with two matching details, refusals that do not say which
 * detail was wrong, the lock after five tries, who may verify, and a portal patient arriving verified.
 */
import { randomUUID } from 'node:crypto';
import type { Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationIdentity, PatientSearchResponse } from '../contracts/patients.js';
import type { Actor } from '../platform/auth/actor.js';
import { call } from '../testing/accounts.js';
import { staffPrincipal } from '../testing/conversations.js';
import { startTestServer, type TestServer } from '../testing/server.js';

let server: TestServer;
const agentId = `agent-${randomUUID()}`;
const otherAgentId = `agent-${randomUUID()}`;
const tokens = { agent: '', other: '', supervisor: '', botAuthor: '' };
const ids = { john: '', johnJunior: '', maria: '' };
const REASON = { 'X-Access-Reason': 'caller asks about an appointment' };

function patient(mrn: string, given: string, family: string, birthDate: string, phone: string, postalCode: string): string {
  return server.context.store.create<Patient>({
    resourceType: 'Patient',
    identifier: [{ system: 'urn:carebridge:mrn', value: mrn }],
    name: [{ use: 'official', given: [given], family }],
    birthDate,
    gender: 'male',
    telecom: [{ system: 'phone', value: phone, use: 'mobile' }, { system: 'email', value: `${given.toLowerCase()}.${family.toLowerCase()}@example.test` }],
    address: [{ line: ['12 Elm Street'], city: 'Denver', state: 'CO', postalCode }],
  }).id!;
}

const search = (body: unknown, token = tokens.agent, headers: Record<string, string> = REASON) =>
  call<PatientSearchResponse & { error?: { code: string; message: string } }>(server, 'POST', '/api/patients/search', { token, body, headers });
const names = (reply: { body: PatientSearchResponse }) => reply.body.results.map((r) => `${r.name} ${r.birthDate}`);

beforeAll(async () => {
  server = await startTestServer();
  tokens.agent = await server.tokenFor(staffPrincipal(agentId));
  tokens.other = await server.tokenFor(staffPrincipal(otherAgentId));
  tokens.supervisor = await server.tokenFor(staffPrincipal(`supervisor-${randomUUID()}`, 'supervisor'));
  tokens.botAuthor = await server.tokenFor(staffPrincipal(`bot-${randomUUID()}`, 'bot-author'));
  ids.john = patient('CB0000042', 'John', 'Smith', '1961-04-09', '(303) 555-0142', '80203');
  ids.johnJunior = patient('CB0000043', 'John', 'Smith', '1990-11-30', '(720) 555-0199', '80210');
  ids.maria = patient('CB0000044', 'María', 'Hernández', '1975-02-14', '(303) 555-0177', '80220');
  for (let i = 0; i < 30; i++) patient(`CB01000${String(i).padStart(2, '0')}`, `Given${i}`, `Smithers${i}`, '1980-01-01', `(303) 555-${String(1000 + i)}`, '80202');
});
afterAll(async () => server?.close());

describe('finding a patient', () => {
  it('tolerates misspelled names and ranks the right people first', async () => {
    expect(names(await search({ name: 'Jonh Smiht' })).slice(0, 2).sort()).toEqual(['John Smith 1961-04-09', 'John Smith 1990-11-30']);
    expect(names(await search({ name: 'maria hernandez' }))).toEqual(['María Hernández 1975-02-14']);
    expect(names(await search({ name: 'Hernadez' }))).toEqual(['María Hernández 1975-02-14']);
    // Nobody of that name: an empty list, not the Smithers.
    expect((await search({ name: 'Zebulon Quartermaine' })).body.results).toEqual([]);
  });

  it('narrows namesakes by date of birth, and finds by caller-ID phone, MRN and e-mail', async () => {
    expect(names(await search({ name: 'John Smith', birthDate: '1990-11-30' }))).toEqual(['John Smith 1990-11-30']);
    expect(names(await search({ phone: '+1 303-555-0142' }))).toEqual(['John Smith 1961-04-09']);
    expect(names(await search({ phone: '3035550142' }))).toEqual(['John Smith 1961-04-09']);
    expect(names(await search({ mrn: 'cb0000044' }))).toEqual(['María Hernández 1975-02-14']);
    expect(names(await search({ email: 'JOHN.SMITH@example.test' })).length).toBe(2);
    // Every detail given must fit: the right name with another's birth date finds nobody.
    expect((await search({ name: 'María Hernández', birthDate: '1961-04-09' })).body.results).toEqual([]);
  });

  it('shows just enough to tell people apart', async () => {
    const [match] = (await search({ mrn: 'CB0000042' })).body.results;
    expect(match).toEqual({ id: ids.john, name: 'John Smith', birthDate: '1961-04-09', age: expect.any(Number), gender: 'male', mrnHint: '•••0042', city: 'Denver', matched: ['mrn'], score: 5 });
    expect(JSON.stringify(match)).not.toMatch(/555|Elm|80203|example\.test/);
  });

  it('needs a stated reason and a role that reads PHI; refuses bad input; audits with the reason', async () => {
    const noReason = await search({ name: 'John' }, tokens.agent, {});
    expect(noReason.status).toBe(403);
    expect(noReason.body.error!.code).toBe('reason_required');
    expect((await search({ name: 'John' }, tokens.botAuthor)).status).toBe(403);
    expect((await call(server, 'POST', '/api/patients/search', { body: { name: 'John' } })).status).toBe(401);
    for (const bad of [{}, { name: 'J' }, { name: '"john" OR 1=1 --' }, { phone: '12345' }, { birthDate: '1961-13-40' }, { mrn: '<script>' }, { name: 'John', extra: true }, { name: 'John', limit: 500 }]) {
      expect((await search(bad)).status, JSON.stringify(bad)).toBe(400);
    }
    const before = (server.context.database.sqlite.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'phi.search' AND patient_id = ?").get(ids.maria) as { n: number }).n;
    await search({ mrn: 'CB0000044' });
    const rows = server.context.database.sqlite.prepare("SELECT reason, actor_id FROM audit_log WHERE action = 'phi.search' AND patient_id = ? ORDER BY seq").all(ids.maria) as { reason: string; actor_id: string }[];
    expect(rows.length).toBe(before + 1);
    expect(rows.at(-1)).toEqual({ reason: 'caller asks about an appointment', actor_id: agentId });
  });
});

describe('verifying the caller in a conversation', () => {
  function chatWithAgent(patientActor?: Actor): string {
    const { core } = server.context.conversations;
    const who: Actor = patientActor ?? { kind: 'visitor', userId: `visitor-${randomUUID()}`, displayName: 'Caller' };
    const row = core.createConversation(who, 'widget');
    core.handoff(row.id, { reason: 'patient-asked', intent: 'general', language: 'en', collectedAnswers: {}, summary: 'Asked for a person' });
    core.assignAgent(row.id, agentId, 'Agent');
    return row.id;
  }
  const identity = (id: string, token = tokens.agent) => call<ConversationIdentity>(server, 'GET', `/api/conversations/${id}/identity`, { token });
  const verify = (id: string, body: unknown, token = tokens.agent) =>
    call<ConversationIdentity & { error?: { code: string; message: string; details?: { attemptsLeft: number } } }>(server, 'POST', `/api/conversations/${id}/identity/verify`, { token, body });

  it('verifies with two matching details, says nothing about which one failed, and audits both', async () => {
    const id = chatWithAgent();
    expect((await identity(id)).body).toMatchObject({ status: 'unverified', patientId: null, attemptsLeft: 5 });
    const wrong = await verify(id, { patientId: ids.john, birthDate: '1961-04-09', postalCode: '99999' });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error!.message).toBe("Not verified: fewer than two of the details match this patient's record. 4 tries left.");
    expect(wrong.body.error!.message).not.toMatch(/ZIP|postal|birth/i);
    const right = await verify(id, { patientId: ids.john, birthDate: '1961-04-09', phone: '303.555.0142' });
    expect(right.status).toBe(200);
    expect(right.body).toMatchObject({ status: 'verified', method: 'agent', patientId: ids.john, patientName: 'John Smith', factors: ['birthDate', 'phone'] });
    expect(server.context.patients.identities.verifiedPatientOf(id)).toBe(ids.john);
    expect((await verify(id, { patientId: ids.john, birthDate: '1961-04-09', phone: '3035550142' })).status).toBe(409);

    const rows = server.context.database.sqlite
      .prepare("SELECT action, outcome, reason, details FROM audit_log WHERE (action = 'identity.verify' AND resource_id = ?) OR (action = 'phi.read' AND reason = 'identity verification' AND patient_id = ?) ORDER BY seq")
      .all(id, ids.john) as { action: string; outcome: string; details: string }[];
    expect(rows.map((r) => `${r.action}:${r.outcome}`)).toEqual(['phi.read:success', 'identity.verify:failure', 'phi.read:success', 'identity.verify:success']);
    expect(JSON.parse(rows[1]!.details)).toEqual({ tried: ['birthDate', 'postalCode'], matched: ['birthDate'] });
    expect(rows.map((r) => r.details).join()).not.toContain('99999');
  });

  it('locks after five failed tries; only staff in the conversation or a supervisor may verify', async () => {
    const id = chatWithAgent();
    expect((await verify(id, { patientId: ids.maria, birthDate: '1975-02-14', mrn: 'CB0000044' }, tokens.other)).status).toBe(403);
    expect((await identity(id, tokens.other)).status).toBe(403);
    expect((await identity(id, tokens.supervisor)).status).toBe(200);
    expect((await verify(id, { patientId: ids.maria, birthDate: '1975-02-14' })).status).toBe(400);
    expect((await verify(id, { patientId: 'no-such-patient', birthDate: '1975-02-14', mrn: 'CB0000044' })).status).toBe(404);
    for (let i = 0; i < 5; i++) expect((await verify(id, { patientId: ids.maria, birthDate: '2000-01-01', mrn: 'CB9999999' })).status).toBe(422);
    const locked = await verify(id, { patientId: ids.maria, birthDate: '1975-02-14', mrn: 'CB0000044' });
    expect(locked.status).toBe(429);
    expect(locked.body.error!.message).toMatch(/locked after 5 tries/);
    expect((await call(server, 'GET', '/api/conversations/not-a-uuid/identity', { token: tokens.agent })).status).toBe(404);
    expect((await identity(randomUUID())).status).toBe(404);
  });

  it('a patient signed in to the portal arrives verified', async () => {
    const id = chatWithAgent({ kind: 'patient', userId: `patient-${randomUUID()}`, patientId: ids.maria, displayName: 'María Hernández' });
    expect((await identity(id)).body).toMatchObject({ status: 'verified', method: 'portal', patientId: ids.maria, patientName: 'María Hernández' });
  });
});
