/**
 * Patient 360 over the real HTTP server: nothing until the patient in the chat is verified; then the
 * whole record with high-criticality allergies first, blood pressure as a series, upcoming and past
 * appointments, the visit summary, open tasks and the previous conversation's disposition; outside a
 * chat only with a stated reason; contact details masked until revealed, and every read audited.
 */
import { randomUUID } from 'node:crypto';
import type { Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Patient360, RevealResponse } from '../contracts/patients.js';
import type { Actor } from '../platform/auth/actor.js';
import { call } from '../testing/accounts.js';
import { staffPrincipal } from '../testing/conversations.js';
import { startTestServer, type TestServer } from '../testing/server.js';

let server: TestServer;
const agentId = `agent-${randomUUID()}`;
const tokens = { agent: '', other: '', botAuthor: '' };
let patientId = '';
let otherPatientId = '';
const DAY = 86_400_000;
const iso = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY).toISOString();

function create<T extends Resource>(resource: T): string {
  return server.context.store.create<T>(resource).id!;
}

function seed(): void {
  patientId = create({
    resourceType: 'Patient',
    identifier: [{ system: 'urn:carebridge:mrn', value: 'CB0000777' }],
    name: [{ use: 'official', given: ['Rosa'], family: 'Delgado' }],
    birthDate: '1958-03-02',
    gender: 'female',
    telecom: [
      { system: 'phone', value: '(303) 555-0188', use: 'mobile', rank: 1 },
      { system: 'email', value: 'rosa.delgado@example.test' },
    ],
    address: [{ use: 'home', line: ['400 Pine St'], city: 'Denver', state: 'CO', postalCode: '80205' }],
    communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'es', display: 'Spanish' }] }, preferred: true }],
    contact: [{ relationship: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0131', code: 'C', display: 'Emergency Contact' }] }], name: { given: ['Luis'], family: 'Delgado' }, telecom: [{ system: 'phone', value: '(720) 555-0111' }] }],
  });
  otherPatientId = create({ resourceType: 'Patient', name: [{ given: ['Other'], family: 'Person' }], birthDate: '1990-01-01' });
  const subject = { reference: `Patient/${patientId}` };
  create({ resourceType: 'AllergyIntolerance', patient: subject, code: { text: 'Latex' }, criticality: 'low', clinicalStatus: { coding: [{ code: 'active' }] } });
  create({
    resourceType: 'AllergyIntolerance',
    patient: subject,
    code: { text: 'Penicillin' },
    criticality: 'high',
    clinicalStatus: { coding: [{ code: 'active' }] },
    reaction: [{ manifestation: [{ text: 'Anaphylaxis' }], severity: 'severe' }],
  });
  create({ resourceType: 'Condition', subject, code: { text: 'Essential hypertension', coding: [{ system: 'http://snomed.info/sct', code: '59621000' }] }, clinicalStatus: { coding: [{ code: 'active' }] }, onsetDateTime: '2015-05-01' });
  create({ resourceType: 'Condition', subject, code: { text: 'Sprained ankle' }, clinicalStatus: { coding: [{ code: 'resolved' }] } });
  create({ resourceType: 'MedicationRequest', subject, status: 'active', intent: 'order', medicationCodeableConcept: { text: 'Lisinopril 10 MG Oral Tablet' }, dosageInstruction: [{ text: 'One tablet daily' }] });
  create({ resourceType: 'MedicationRequest', subject, status: 'stopped', intent: 'order', medicationCodeableConcept: { text: 'Amoxicillin' } });
  create({ resourceType: 'Immunization', patient: subject, status: 'completed', vaccineCode: { text: 'Influenza, seasonal' }, occurrenceDateTime: '2025-10-01' });
  for (const [days, systolic, diastolic] of [
    [-300, 150, 95],
    [-200, 142, 90],
    [-20, 128, 82],
  ] as const) {
    create({
      resourceType: 'Observation',
      status: 'final',
      subject,
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
      code: { coding: [{ system: 'http://loinc.org', code: '85354-9' }] },
      effectiveDateTime: iso(days),
      component: [
        { code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] }, valueQuantity: { value: systolic, unit: 'mm[Hg]' } },
        { code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] }, valueQuantity: { value: diastolic, unit: 'mm[Hg]' } },
      ],
    });
  }
  create({
    resourceType: 'Observation',
    status: 'final',
    subject,
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '4548-4', display: 'Hemoglobin A1c' }] },
    effectiveDateTime: iso(-30),
    valueQuantity: { value: 6.1, unit: '%' },
  });
  create({ resourceType: 'Appointment', status: 'booked', start: iso(5), end: iso(5.02), description: 'Blood pressure follow-up', participant: [{ actor: subject, status: 'accepted' }, { actor: { reference: 'Practitioner/p1', display: 'Dr. Ana Ruiz' }, status: 'accepted' }] });
  create({ resourceType: 'Appointment', status: 'fulfilled', start: iso(-20), end: iso(-19.98), description: 'Annual check-up', participant: [{ actor: subject, status: 'accepted' }] });
  const encounterId = create({ resourceType: 'Encounter', status: 'finished', class: { code: 'AMB', display: 'ambulatory' }, subject, type: [{ text: 'Check-up' }], period: { start: iso(-20), end: iso(-19.98) } });
  create({
    resourceType: 'DocumentReference',
    status: 'current',
    subject,
    date: iso(-20),
    context: { encounter: [{ reference: `Encounter/${encounterId}` }] },
    content: [{ attachment: { contentType: 'text/plain', data: Buffer.from('Blood pressure improving on lisinopril.').toString('base64') } }],
  });
  create({ resourceType: 'CarePlan', subject, status: 'active', intent: 'plan', title: 'Hypertension plan', activity: [{ detail: { status: 'in-progress', description: 'Home blood pressure log' } }] });
  create({ resourceType: 'CareTeam', subject, status: 'active', name: 'Primary care team', participant: [{ member: { reference: 'Practitioner/p1', display: 'Dr. Ana Ruiz' }, role: [{ text: 'Primary care physician' }] }] });
  create({ resourceType: 'Task', status: 'requested', intent: 'order', for: subject, description: 'Call back about refill', authoredOn: iso(-1) });
  create({ resourceType: 'Task', status: 'completed', intent: 'order', for: subject, description: 'Old finished task' });
  create({
    resourceType: 'Consent',
    status: 'active',
    patient: subject,
    scope: { text: 'Patient privacy' },
    category: [{ text: 'Text messages about appointments' }],
    dateTime: '2026-01-10T10:00:00Z',
    provision: { type: 'deny' },
  });
  create({ resourceType: 'Coverage', status: 'active', beneficiary: subject, subscriberId: 'MEM123456', payor: [{ display: 'Colorado Health Plan' }] });
  // Another patient's allergy stays out of Rosa's record.
  create({ resourceType: 'AllergyIntolerance', patient: { reference: `Patient/${otherPatientId}` }, code: { text: 'Peanut' }, criticality: 'high' });
}

/** A chat with our agent; `portalPatient` makes it a signed-in patient's (verified on arrival). */
function chat(portalPatient?: string): string {
  const { core } = server.context.conversations;
  const who: Actor = portalPatient ? { kind: 'patient', userId: `patient-${randomUUID()}`, patientId: portalPatient, displayName: 'Rosa' } : { kind: 'visitor', userId: `visitor-${randomUUID()}`, displayName: 'Caller' };
  const row = core.createConversation(who, 'widget');
  core.handoff(row.id, { reason: 'patient-asked', intent: 'general', language: 'en', collectedAnswers: {}, summary: 'Asked for a person' });
  core.assignAgent(row.id, agentId, 'Agent');
  return row.id;
}

const get360 = (id: string, query = '', token = tokens.agent, headers: Record<string, string> = {}) =>
  call<Patient360 & { error?: { code: string; message: string; details?: { reason: string } } }>(server, 'GET', `/api/patients/${id}/360${query}`, { token, headers });

beforeAll(async () => {
  server = await startTestServer();
  tokens.agent = await server.tokenFor(staffPrincipal(agentId));
  tokens.other = await server.tokenFor(staffPrincipal(`agent-${randomUUID()}`));
  tokens.botAuthor = await server.tokenFor(staffPrincipal(`bot-${randomUUID()}`, 'bot-author'));
  seed();
});
afterAll(async () => server?.close());

describe('patient 360', () => {
  it('shows nothing until the caller is verified, then the whole record', async () => {
    const id = chat();
    const before = await get360(patientId, `?conversationId=${id}`);
    expect(before.status).toBe(403);
    expect(before.body.error?.details?.reason).toBe('not_verified');
    expect(JSON.stringify(before.body)).not.toContain('Penicillin');

    const verified = await call(server, 'POST', `/api/conversations/${id}/identity/verify`, { token: tokens.agent, body: { patientId, birthDate: '1958-03-02', phone: '303-555-0188' } });
    expect(verified.status).toBe(200);
    const reply = await get360(patientId, `?conversationId=${id}`);
    expect(reply.status).toBe(200);
    const r = reply.body;
    expect(r.patient).toMatchObject({ name: 'Rosa Delgado', age: expect.any(Number), language: 'Spanish', mrn: '•••0777', address: 'Denver, CO, 80205' });
    expect(r.patient.phones).toEqual([{ use: 'mobile', masked: '•••0188' }]);
    expect(r.patient.emails).toEqual([{ masked: 'r•••@example.test' }]);
    expect(JSON.stringify(r)).not.toContain('400 Pine St');
    expect(JSON.stringify(r)).not.toContain('MEM123456');
    expect(r.contacts).toEqual([{ name: 'Luis Delgado', relationship: 'Emergency Contact', emergency: true, phoneMasked: '•••0111' }]);
    // High criticality first; another patient's allergy never here.
    expect(r.allergies.map((a) => `${a.text}:${a.criticality}`)).toEqual(['Penicillin:high', 'Latex:low']);
    expect(r.allergies[0]!.reactions).toEqual(['Anaphylaxis (severe)']);
    expect(r.conditions.map((c) => c.text)).toEqual(['Essential hypertension']);
    expect(r.medications.map((m) => `${m.text} — ${m.dosage}`)).toEqual(['Lisinopril 10 MG Oral Tablet — One tablet daily']);
    expect(r.immunizations.map((i) => i.text)).toEqual(['Influenza, seasonal']);
    const bp = r.vitals.find((v) => v.code === '85354-9')!;
    expect(bp.points.map((p) => `${p.value}/${p.second}`)).toEqual(['150/95', '142/90', '128/82']);
    expect(bp.latest?.display).toBe('128/82 mm[Hg]');
    expect(r.labs.map((l) => `${l.name} ${l.latest?.display}`)).toEqual(['Hemoglobin A1c 6.1 %']);
    expect(r.appointments.upcoming.map((a) => `${a.description} with ${a.practitioner}`)).toEqual(['Blood pressure follow-up with Dr. Ana Ruiz']);
    expect(r.appointments.recent.map((a) => a.description)).toEqual(['Annual check-up']);
    expect(r.encounters[0]).toMatchObject({ type: 'Check-up', summary: 'Blood pressure improving on lisinopril.' });
    expect(r.carePlans[0]).toMatchObject({ title: 'Hypertension plan', activities: [{ text: 'Home blood pressure log', status: 'in-progress' }] });
    expect(r.careTeams[0]!.members).toEqual([{ name: 'Dr. Ana Ruiz', role: 'Primary care physician' }]);
    expect(r.tasks.map((t) => t.description)).toEqual(['Call back about refill']);
    expect(r.coverages[0]).toMatchObject({ payor: 'Colorado Health Plan', memberIdMasked: '•••3456', status: 'active' });
    expect(r.preferences).toMatchObject({ language: 'Spanish', preferredChannel: 'phone (mobile)' });
    expect(r.preferences.consents).toEqual([{ id: expect.any(String), status: 'active', scope: 'Patient privacy', category: 'Text messages about appointments', date: '2026-01-10T10:00:00Z', decision: 'deny' }]);
    expect(r.access).toEqual({ conversationId: id, reason: `patient contact in conversation ${id}` });

    // Each part was read through the FHIR service, audited with the conversation as the reason.
    const audited = server.context.database.sqlite
      .prepare("SELECT DISTINCT resource_type FROM audit_log WHERE patient_id = ? AND reason = ? AND action IN ('phi.read', 'phi.search')")
      .all(patientId, `patient contact in conversation ${id}`) as { resource_type: string }[];
    expect(audited.map((a) => a.resource_type).sort()).toEqual(
      ['AllergyIntolerance', 'Appointment', 'CarePlan', 'CareTeam', 'Condition', 'Consent', 'Coverage', 'DocumentReference', 'Encounter', 'Immunization', 'MedicationRequest', 'Observation', 'Patient', 'RelatedPerson', 'Task'].sort(),
    );
  });

  it('lists the previous conversations with their disposition, not the one open now', async () => {
    const earlier = chat(patientId);
    server.context.database.sqlite
      .prepare("INSERT INTO conversation_wrapups (conversation_id, disposition, notes, by_user_id, at) VALUES (?, 'resolved', 'Refill sent to pharmacy', ?, ?)")
      .run(earlier, agentId, new Date().toISOString());
    const now = chat(patientId);
    const r = (await get360(patientId, `?conversationId=${now}`)).body;
    expect(r.conversations.map((c) => c.id)).toContain(earlier);
    expect(r.conversations.map((c) => c.id)).not.toContain(now);
    expect(r.conversations.find((c) => c.id === earlier)).toMatchObject({ disposition: 'resolved', summary: 'Refill sent to pharmacy' });
  });

  it('a portal patient arrives verified; a chat verified as one patient opens no other', async () => {
    const id = chat(patientId);
    expect((await get360(patientId, `?conversationId=${id}`)).status).toBe(200);
    const wrong = await get360(otherPatientId, `?conversationId=${id}`);
    expect(wrong.status).toBe(403);
    expect(wrong.body.error?.details?.reason).toBe('other_patient');
    expect(JSON.stringify(wrong.body)).not.toContain('Other Person');
  });

  it('outside a chat needs a stated reason; strangers, other roles and bad ids are refused', async () => {
    const noReason = await get360(patientId);
    expect(noReason.status).toBe(403);
    expect(noReason.body.error?.code).toBe('reason_required');
    const withReason = await get360(patientId, '', tokens.agent, { 'X-Access-Reason': 'callback about a bill' });
    expect(withReason.status).toBe(200);
    expect(withReason.body.access).toEqual({ conversationId: null, reason: 'callback about a bill' });

    const id = chat(patientId);
    expect((await get360(patientId, `?conversationId=${id}`, tokens.other)).status).toBe(403);
    expect((await get360(patientId, `?conversationId=${id}`, tokens.botAuthor)).status).toBe(403);
    expect((await get360(patientId, '?conversationId=not-a-uuid')).status).toBe(400);
    expect((await get360(patientId, `?conversationId=${randomUUID()}`)).status).toBe(404);
    expect((await get360(patientId, `?conversationId=${id}&extra=1`)).status).toBe(400);
    expect((await get360('bad id!', `?conversationId=${id}`)).status).toBe(404);
    expect((await get360('no-such-patient', '', tokens.agent, { 'X-Access-Reason': 'callback about a bill' })).status).toBe(404);
    expect((await call(server, 'GET', `/api/patients/${patientId}/360`, {})).status).toBe(401);
  });

  it('reveals one masked detail at a time, audited', async () => {
    const id = chat(patientId);
    const reveal = (body: unknown, token = tokens.agent) => call<RevealResponse & { error?: { message: string } }>(server, 'POST', `/api/patients/${patientId}/reveal`, { token, body });
    expect((await reveal({ field: 'phone', conversationId: id })).body).toEqual({ field: 'phone', values: ['(303) 555-0188'] });
    expect((await reveal({ field: 'address', conversationId: id })).body.values).toEqual(['400 Pine St, Denver, CO, 80205']);
    expect((await reveal({ field: 'memberId', conversationId: id })).body.values).toEqual(['MEM123456']);
    expect((await reveal({ field: 'ssn', conversationId: id })).status).toBe(400);
    expect((await reveal({ field: 'phone', conversationId: id }, tokens.other)).status).toBe(403);
    expect((await reveal({ field: 'phone' })).status).toBe(403);
    const rows = server.context.database.sqlite
      .prepare("SELECT details FROM audit_log WHERE action = 'phi.reveal' AND patient_id = ? ORDER BY seq")
      .all(patientId) as { details: string }[];
    expect(rows.map((r) => (JSON.parse(r.details) as { field: string }).field)).toEqual(['phone', 'address', 'memberId']);
    expect(rows.map((r) => r.details).join()).not.toContain('555-0188');
  });
});
