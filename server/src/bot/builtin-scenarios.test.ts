/**
 * The shipped scenarios (health-bot/scenarios) end to end over the Direct Line–shaped API, against a
 * real server with synthetic patients, practitioners and free slots: the menu, symptom triage,
 * condition information from the knowledge base, find a doctor, booking, cancelling and moving an
 * appointment as the signed-in patient, a refill request that becomes a Task, billing answers,
 * feedback stored as a QuestionnaireResponse, forget-me, and the CDC self-checker with its notice.
 */
import { randomUUID } from 'node:crypto';
import type { Appointment, QuestionnaireResponse, Slot, Task } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DirectLineActivitiesResponse, DirectLineActivity } from '../contracts/bot.js';
import type { SchedulingOptions } from '../contracts/scheduling.js';
import type { Principal } from '../platform/auth/principal.js';
import { seedSyntheticData } from '../synthetic/index.js';
import { call } from '../testing/accounts.js';
import { staffPrincipal } from '../testing/conversations.js';
import { startTestServer, type TestServer } from '../testing/server.js';

/** A server with 20 synthetic patients and the clinic's practitioners, schedules and free slots. */
let h: {
  server: TestServer;
  patients: string[];
  options: SchedulingOptions;
  patientToken(patientId: string): Promise<string>;
  slot(id: string): Slot | undefined;
  appointment(id: string): Appointment | undefined;
  audit(action: string, patientId: string): Array<{ resource_id: string | null; actor_role: string }>;
  close(): Promise<void>;
};

beforeAll(async () => {
  const server = await startTestServer({ ROUTING_ALWAYS_OPEN: '1', BOT_STARTS_PER_MINUTE: '1000' });
  await seedSyntheticData(server.context.database, { patients: 20, seed: 42 });
  const sqlite = server.context.database.sqlite;
  const patients = (sqlite.prepare("SELECT id FROM resources WHERE resource_type = 'Patient' ORDER BY id").all() as Array<{ id: string }>).map((r) => r.id);
  const agent = await server.tokenFor(staffPrincipal(`agent-${randomUUID()}`));
  const options = (await call<SchedulingOptions>(server, 'GET', '/api/scheduling/options', { token: agent })).body;
  h = {
    server,
    patients,
    options,
    patientToken: (patientId) => {
      const userId = `patient-${randomUUID()}`;
      const principal: Principal = { kind: 'patient', userId, email: `${userId}@example.test`, role: 'patient', patientId };
      return server.tokenFor(principal);
    },
    slot: (id) => server.context.fhir.system.read<Slot>('Slot', id),
    appointment: (id) => server.context.fhir.system.read<Appointment>('Appointment', id),
    audit: (action, patientId) => sqlite.prepare('SELECT resource_id, actor_role FROM audit_log WHERE action = ? AND patient_id = ? ORDER BY seq').all(action, patientId) as Array<{ resource_id: string | null; actor_role: string }>,
    close: () => server.close(),
  };
}, 60_000);
afterAll(async () => {
  await h?.close();
});

/** A Direct Line client, as a visitor or with a signed-in patient's token. */
async function chat(options: { token?: string; body?: object } = {}) {
  const started = await call<{ conversationId: string; token?: string }>(h.server, 'POST', '/api/bot/conversations', { body: options.body ?? {}, ...(options.token ? { token: options.token } : {}) });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  const conversationId = started.body.conversationId;
  const token = options.token ?? started.body.token!;
  let watermark = '0';
  const read = async (): Promise<DirectLineActivity[]> => {
    const reply = await call<DirectLineActivitiesResponse>(h.server, 'GET', `/api/bot/conversations/${conversationId}/activities?watermark=${watermark}`, { token });
    expect(reply.status).toBe(200);
    watermark = reply.body.watermark;
    return reply.body.activities.filter((a) => a.from.role !== 'user');
  };
  const send = async (text: string) => {
    const reply = await call(h.server, 'POST', `/api/bot/conversations/${conversationId}/activities`, { token, body: { type: 'message', text } });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    return read();
  };
  const said = (activities: DirectLineActivity[]) => activities.map((a) => a.text).join('\n');
  return { conversationId, read, send, said };
}

const choices = (a: DirectLineActivity | undefined) => a?.suggestedActions?.actions.map((x) => x.title) ?? [];

function resources<T>(type: string): Array<T & { id: string }> {
  return (h.server.context.database.sqlite.prepare("SELECT content FROM resources WHERE resource_type = ? AND deleted = 0").all(type) as Array<{ content: string }>).map((r) => JSON.parse(r.content) as T & { id: string });
}

describe('the menu and symptom triage', () => {
  it('offers the menu as buttons and walks a sore throat through triage to its advice, asking follow-up questions', async () => {
    const c = await chat();
    const greeting = await c.read();
    expect(choices(greeting.at(-1))).toContain('Check symptoms');
    expect(c.said(await c.send('Check symptoms'))).toContain('Tell me in your own words what is bothering you');
    expect(c.said(await c.send('I have had a sore throat and a runny nose for two days'))).toContain('How old is the person');
    expect(c.said(await c.send('thirty'))).toMatch(/give the age in years/);
    const sex = await c.send('34');
    expect(choices(sex.at(-1))).toEqual(['Female', 'Male', 'Prefer not to say']);
    let reply = await c.send('Male');
    // Follow-up questions come one at a time as yes/no; the assessment ends with its instruction.
    let asked = 0;
    while (choices(reply.at(-1)).join() === 'Yes,No' && asked < 6) {
      asked += 1;
      reply = await c.send('no');
    }
    expect(asked).toBeGreaterThan(0);
    expect(asked).toBeLessThanOrEqual(4);
    const text = c.said(reply);
    expect(text).toMatch(/You can most likely look after this at home|Make an appointment with your doctor|See a doctor or an urgent care clinic within 24 hours/);
    expect(text).not.toMatch(/Call 911/);
  });

  it('starts triage from a described symptom and sends a red-flag answer to the emergency advice with an urgent hand-off', async () => {
    const c = await chat();
    await c.read();
    expect(c.said(await c.send('my ankle hurts since I twisted it yesterday'))).toContain('How old is the person');
    await c.send('70');
    const after = await c.send('Female');
    expect(c.said(after)).not.toContain('Call 911');
    // Whatever is asked next, a crushing chest pain breaks in.
    const red = await c.send('now I have crushing chest pain and I am sweating');
    expect(c.said(red)).toMatch(/911/);
    const row = h.server.context.conversations.core.get(c.conversationId)!;
    expect(row.state).not.toBe('bot');
    expect(JSON.parse(row.handoff!)).toMatchObject({ reason: 'red-flag' });
    expect(row.priority).toBe(0);
  });
});

describe('information', () => {
  it('answers "what is asthma" with the knowledge base article and its link, and misspelt too', async () => {
    const c = await chat();
    await c.read();
    const answer = c.said(await c.send('what is astma'));
    expect(answer).toMatch(/asthma/i);
    expect(answer).toMatch(/\(\/portal\/library\/[^)]+\)/);
    expect(answer).toContain('general information');
  });

  it('answers billing questions from the menu buttons and hands off to billing on request', async () => {
    const c = await chat();
    await c.read();
    const topics = await c.send('I have a question about my bill');
    expect(choices(topics.at(-1))).toEqual(['Pay a bill', 'Understand my statement', 'Insurance we accept', 'Update my insurance', 'Financial assistance', 'Talk to billing']);
    expect(c.said(await c.send('Financial assistance'))).toContain('financial assistance');
    await c.send('yes');
    expect(c.said(await c.send('Talk to billing'))).toContain('billing team');
    expect(JSON.parse(h.server.context.conversations.core.get(c.conversationId)!.handoff!)).toMatchObject({ intent: 'billing' });
  });

  it('finds doctors of a specialty with their next opening', async () => {
    const specialty = h.options.specialties[0]!.display;
    const c = await chat();
    await c.read();
    expect(c.said(await c.send('find a doctor'))).toContain('What kind of doctor');
    const list = c.said(await c.send(specialty));
    const names = h.options.practitioners.filter((p) => p.specialty === h.options.specialties[0]!.code).map((p) => p.name);
    expect(names.length).toBeGreaterThan(0);
    expect(names.some((n) => list.includes(n))).toBe(true);
    expect(list).toMatch(/next opening: \w{3}, \w{3} \d+/);
    const unknown = await chat();
    await unknown.read();
    await unknown.send('find a doctor');
    expect(unknown.said(await unknown.send('astrology'))).toMatch(/couldn't find doctors for "astrology"\. We have: /);
  });
});

describe('appointments as the signed-in patient', () => {
  it('books the chosen free time (the Slot turns busy) and confirms with a card; a visitor is asked to sign in', async () => {
    const patientId = h.patients[0]!;
    const c = await chat({ token: await h.patientToken(patientId) });
    await c.read();
    const specialty = h.options.specialties[0]!.display;
    expect(c.said(await c.send('I need to book an appointment'))).toContain('What kind of appointment');
    const times = await c.send(specialty);
    const offered = choices(times.at(-1));
    expect(offered.length).toBeGreaterThan(1);
    expect(offered.at(-1)).toBe('None of these');
    const mineBefore = new Set(resources<Appointment>('Appointment').filter((a) => a.participant?.some((p) => p.actor?.reference === `Patient/${patientId}`)).map((a) => a.id));
    const booked = await c.send(offered[0]!);
    expect(c.said(booked)).toContain("You're booked:");
    expect(booked.at(-1)!.attachments![0]).toMatchObject({ contentType: 'application/vnd.microsoft.card.adaptive' });
    const mine = resources<Appointment>('Appointment').filter((a) => a.participant?.some((p) => p.actor?.reference === `Patient/${patientId}`) && !mineBefore.has(a.id));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.status).toBe('booked');
    const slotId = mine[0]!.slot![0]!.reference!.split('/')[1]!;
    expect(h.slot(slotId)!.status).toBe('busy');

    const visitor = await chat();
    await visitor.read();
    expect(visitor.said(await visitor.send('I need to book an appointment'))).toContain('sign in to the patient portal first');
  });

  it('moves, then cancels an appointment the patient picks', async () => {
    const patientId = h.patients[1]!;
    const token = await h.patientToken(patientId);
    const c = await chat({ token });
    await c.read();
    await c.send('book an appointment');
    const times = await c.send(h.options.specialties[0]!.display);
    await c.send(choices(times.at(-1))[0]!);
    const booked = () => resources<Appointment>('Appointment').filter((a) => a.participant?.some((p) => p.actor?.reference === `Patient/${patientId}`) && a.status === 'booked');
    const first = booked()[0]!;

    const which = await c.send('I need to reschedule my appointment');
    expect(choices(which.at(-1))).toHaveLength(1);
    const newTimes = await c.send('1');
    const pick = choices(newTimes.at(-1));
    expect(c.said(await c.send(pick[1]!))).toContain('Done, your appointment is now:');
    expect(h.appointment(first.id)!.status).toBe('cancelled');
    const moved = booked();
    expect(moved).toHaveLength(1);
    expect(moved[0]!.id).not.toBe(first.id);

    await c.send('cancel my appointment');
    const confirm = await c.send('1');
    expect(c.said(confirm)).toMatch(/^Cancel .+\?$/m);
    expect(c.said(await c.send('yes'))).toContain("It's cancelled.");
    expect(booked()).toHaveLength(0);
    expect(h.appointment(moved[0]!.id)!.status).toBe('cancelled');
  });
});

describe('requests the clinic keeps', () => {
  it('turns a refill request into a Task for the care team, audited as the patient', async () => {
    const patientId = h.patients[2]!;
    const c = await chat({ token: await h.patientToken(patientId) });
    await c.read();
    expect(c.said(await c.send('I need a refill of my blood pressure pills'))).toContain('Which medication needs a refill');
    const pharmacy = await c.send('lisinopril 10 mg');
    expect(choices(pharmacy.at(-1))).toEqual(['The same pharmacy as last time']);
    expect(c.said(await c.send('The same pharmacy as last time'))).toContain('Shall I send the refill request for lisinopril 10 mg');
    expect(c.said(await c.send('yes'))).toContain('your care team has the request');
    const tasks = resources<Task>('Task').filter((t) => t.for?.reference === `Patient/${patientId}` && t.code?.coding?.[0]?.code === 'medication-refill');
    expect(tasks).toHaveLength(1);
    expect(tasks[0]!.input!.map((i) => i.valueString)).toEqual(['lisinopril 10 mg', 'The same pharmacy as last time', c.conversationId]);
    expect(h.audit('phi.write', patientId).some((r) => r.resource_id === tasks[0]!.id && r.actor_role === 'patient')).toBe(true);
  });

  it('stores feedback as a QuestionnaireResponse, leaving out "nothing to add"', async () => {
    const c = await chat();
    await c.read();
    const rating = await c.send('feedback');
    expect(choices(rating.at(-1))).toEqual(['1', '2', '3', '4', '5']);
    await c.send('4');
    expect(c.said(await c.send('Nothing to add'))).toContain('Thank you');
    const stored = resources<QuestionnaireResponse>('QuestionnaireResponse').filter((q) => q.identifier?.value === c.conversationId);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.item).toEqual([expect.objectContaining({ linkId: 'rating', answer: [{ valueInteger: 4 }] })]);
  });

  it('closes kindly when the patient says thanks, at the menu or after a finished question, in English and Spanish', async () => {
    const c = await chat();
    await c.read();
    expect(c.said(await c.send('thanks'))).toContain("You're welcome!");
    await c.send('I have a question about my bill');
    await c.send('Insurance we accept');
    await c.send('no');
    expect(c.said(await c.send('ok, thank you so much'))).toContain("You're welcome!");
    const es = await chat({ body: { locale: 'es-US' } });
    await es.read();
    expect(es.said(await es.send('muchas gracias'))).toContain('¡De nada!');
  });

  it('forgets what the bot keeps about a patient after a confirmation', async () => {
    const patientId = h.patients[3]!;
    const store = h.server.context.bot.store;
    await store.saveUserVars(`patient:${patientId}`, JSON.stringify({ preferredName: 'Jo' }), new Date().toISOString());
    const c = await chat({ token: await h.patientToken(patientId) });
    await c.read();
    expect(c.said(await c.send('forget me'))).toContain("I'll forget what I remember about you");
    expect(await store.userVars(`patient:${patientId}`)).toBeDefined();
    expect(c.said(await c.send('yes'))).toContain('I no longer remember anything');
    expect(await store.userVars(`patient:${patientId}`)).toBeUndefined();
  });
});

it('ships the CDC self-checker with the notice that the CDC neither endorses it nor keeps it current', async () => {
  const c = await chat({ body: { trigger: 'covid19' } });
  const first = await c.read();
  expect(c.said(first)).toContain('It is not endorsed by the CDC');
  expect(choices(first.at(-1))).toEqual(['I agree', "I don't agree"]);
});
