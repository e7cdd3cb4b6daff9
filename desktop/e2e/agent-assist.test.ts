/**
 * Agent assist end to end, in Debian's Chromium against a real server with the synthetic clinic: a
 * caller chats from the portal's widget and asks to book; the agent accepts, follows the scheduling
 * script — verifies the caller with the script's identity step, sees their allergies and medications
 * in the Patient panel and reveals the phone number — and books a slot from the Appointments panel
 * the script opens; the caller's widget shows the confirmation card. Then the agent searches "high
 * blood pressure" in the Knowledge panel and sends the article, which the caller opens in the portal.
 * The audit log holds the verification and each reveal.
 */
import type { Appointment, Resource, Slot } from '@medplum/fhirtypes';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { SHIPPED_AGENT_SCRIPTS, startTestServer, type TestServer } from '@carebridge/server/testing/server';
import { createUser, TEST_PASSWORD } from '@carebridge/server/testing/accounts';
import { seedSyntheticData } from '@carebridge/server/synthetic/index';
import { launchChromium, seriousAccessibilityViolations, signIn, watchErrors } from './support.js';

let server: TestServer;
let browser: Browser;
let contexts: BrowserContext[] = [];
let pageErrors: string[][] = [];
let patientId = '';

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  server = await startTestServer({ DESK_DIR: inject('deskDir'), PORTAL_DIR: inject('portalDir'), AGENT_SCRIPTS_DIR: SHIPPED_AGENT_SCRIPTS, ROUTING_ALWAYS_OPEN: '1', PRESENCE_GRACE_MS: '60000', ROUTING_OFFER_TIMEOUT_MS: '60000' });
  // The clinic: practitioners, schedules and 60 days of free slots.
  await seedSyntheticData(server.context.database, { patients: 3, seed: 42 });
  const create = <T extends Resource>(r: T) => server.context.store.create<T>(r).id!;
  patientId = create({
    resourceType: 'Patient',
    identifier: [{ system: 'urn:carebridge:mrn', value: 'CB0009021' }],
    name: [{ use: 'official', given: ['Rosa'], family: 'Delgado' }],
    birthDate: '1958-03-02',
    gender: 'female',
    telecom: [{ system: 'phone', value: '(303) 555-0188', use: 'mobile', rank: 1 }],
    address: [{ use: 'home', line: ['400 Pine St'], city: 'Denver', state: 'CO', postalCode: '80205' }],
  });
  const subject = { reference: `Patient/${patientId}` };
  create({ resourceType: 'AllergyIntolerance', patient: subject, code: { text: 'Penicillin' }, criticality: 'high', clinicalStatus: { coding: [{ code: 'active' }] }, reaction: [{ manifestation: [{ text: 'Anaphylaxis' }] }] });
  create({ resourceType: 'AllergyIntolerance', patient: subject, code: { text: 'Latex' }, criticality: 'low', clinicalStatus: { coding: [{ code: 'active' }] } });
  create({ resourceType: 'MedicationRequest', subject, status: 'active', intent: 'order', medicationCodeableConcept: { text: 'Lisinopril 10 MG Oral Tablet' }, dosageInstruction: [{ text: 'One tablet every morning' }] });
  create({ resourceType: 'MedicationRequest', subject, status: 'active', intent: 'order', medicationCodeableConcept: { text: 'Atorvastatin 20 MG Oral Tablet' } });
});
afterEach(async () => {
  for (const c of contexts) await c.close();
  contexts = [];
  await server.close();
  expect(pageErrors.flat()).toEqual([]);
  pageErrors = [];
});

async function newPage(viewport: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  contexts.push(context);
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  pageErrors.push(watchErrors(page));
  return page;
}

const innerText = (locator: ReturnType<Page['getByRole']>) => locator.evaluate((el) => (el as HTMLElement).innerText);

describe('agent assist', () => {
  it('verify, see the record, book from the script with a card to the patient, send an article the patient opens; all audited', async () => {
    const desk = await newPage({ width: 1280, height: 800 });
    const agent = await createUser(server, { role: 'agent', displayName: 'Avery Agent' });
    await desk.goto(`${server.url}/desk/`);
    await signIn(desk, { email: agent.email, password: TEST_PASSWORD });
    await expect.poll(() => desk.getByRole('status', { name: 'Connection' }).textContent()).toBe('Connected');

    // The caller, in the portal's chat widget on a phone.
    const patient = await newPage({ width: 390, height: 844 });
    await patient.goto(`${server.url}/portal/`);
    await patient.getByRole('button', { name: 'Chat with us' }).click();
    const chat = patient.getByRole('region', { name: 'Chat with Carebridge' });
    await chat.getByRole('textbox', { name: 'Your name' }).fill('Rosa Delgado');
    await chat.getByRole('combobox', { name: 'Reason for contacting us' }).selectOption('Appointments');
    await chat.getByRole('button', { name: 'Start chat' }).click();
    const box = chat.getByRole('textbox', { name: 'Type your message' });
    await box.fill('I need to book an appointment, can I talk to a person?');
    await box.press('Enter');

    // The agent takes the chat: the scheduling queue's script is chosen.
    await desk.getByRole('article', { name: 'Offer: scheduling queue' }).getByRole('button', { name: 'Accept' }).click();
    const context = desk.getByRole('complementary', { name: 'Conversation context' });
    const script = context.getByRole('region', { name: 'Script' });
    await script.getByRole('heading', { name: /Appointment scheduling/ }).waitFor();
    const step = script.getByRole('region', { name: /^Step \d+/ });
    const patientPanel = desk.locator('#context-patient-360');
    // Nothing of the record before verification.
    await patientPanel.getByText('Not verified.').waitFor();
    expect(await patientPanel.getByText('Penicillin').count()).toBe(0);

    await expect.poll(() => step.textContent()).toContain('Hi Rosa, this is Avery Agent');
    await step.getByRole('button', { name: 'Mark step done' }).click();
    await expect.poll(() => step.textContent()).toContain('Identity verification');
    await step.getByRole('button', { name: 'Mark step done' }).click();
    await step.getByRole('button', { name: 'Verify identity' }).click();
    await script.getByLabel('Caller’s name').fill('Rosa Delgado');
    await script.getByLabel('Date of birth they give').fill('1958-03-02');
    await script.getByRole('button', { name: 'Find the record' }).click();
    await script.getByRole('radio', { name: /Rosa Delgado, born 1958-03-02/ }).check();
    await script.getByLabel('ZIP code', { exact: true }).fill('80205');
    await script.getByRole('button', { name: 'Verify', exact: true }).click();
    await expect.poll(() => step.textContent()).toContain('Could the caller be verified?');
    await step.getByRole('button', { name: 'Yes, verified' }).click();

    // The Patient panel: verified, the seeded allergies (the critical one called out) and medications.
    const alert = patientPanel.getByRole('note', { name: 'High-criticality allergies' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain('Penicillin (Anaphylaxis)');
    expect(await patientPanel.locator('#p360-allergies').getByRole('listitem').allTextContents()).toEqual([expect.stringMatching(/^Penicillin/), expect.stringMatching(/^Latex/)]);
    expect(await patientPanel.locator('#p360-medications').getByRole('listitem').allTextContents()).toEqual([
      expect.stringContaining('Atorvastatin 20 MG Oral Tablet'),
      expect.stringContaining('Lisinopril 10 MG Oral Tablet — One tablet every morning'),
    ]);
    // A reveal: the phone number in full.
    await patientPanel.getByRole('button', { name: 'Show phone numbers' }).click();
    await patientPanel.getByText('(303) 555-0188').waitFor();
    expect(await seriousAccessibilityViolations(desk)).toEqual([]);

    // The script: a new appointment that can wait; its booking step opens the Appointments panel.
    await expect.poll(() => step.textContent()).toContain('What would the patient like to do?');
    await step.getByRole('button', { name: 'Book a new appointment' }).click();
    await step.getByRole('button', { name: 'A follow-up visit' }).click();
    await step.getByRole('button', { name: 'No, it can wait' }).click();
    await step.getByRole('button', { name: 'Book a primary care appointment' }).click();
    const appointments = context.getByRole('region', { name: 'Appointments' });
    const form = appointments.getByRole('form', { name: 'Find a time' });
    await form.waitFor();
    // The script's specialty is chosen in the search.
    expect(await form.getByLabel('Specialty').locator('option:checked').textContent()).toBe('Family Medicine');
    await form.getByRole('button', { name: 'Search' }).click();
    const times = appointments.getByRole('region', { name: 'Free times' }).getByRole('button', { name: /Family Medicine/ });
    await expect.poll(() => times.count()).toBeGreaterThan(0);
    await times.first().click();
    const confirm = appointments.getByRole('form', { name: 'Confirm the time' });
    await confirm.getByRole('button', { name: 'Confirm booking' }).click();
    const booked = appointments.getByRole('region', { name: 'Appointment booked' });
    await booked.waitFor();
    // The Appointment and its busy Slot are in the record.
    const appointments360 = server.context.database.sqlite.prepare("SELECT content FROM resources WHERE resource_type = 'Appointment' AND patient_id = ? AND deleted = 0").pluck().all(patientId) as string[];
    const appointment = JSON.parse(appointments360[0]!) as Appointment;
    expect(appointments360).toHaveLength(1);
    expect(appointment.status).toBe('booked');
    expect(server.context.fhir.system.read<Slot>('Slot', appointment.slot![0]!.reference!.split('/')[1]!)?.status).toBe('busy');
    await booked.getByRole('button', { name: 'Send confirmation to patient' }).click();
    await booked.getByText('Confirmation sent to the patient.').waitFor();

    // The caller's widget shows the card.
    const messages = chat.getByRole('log', { name: 'Messages' });
    await expect.poll(() => innerText(messages)).toContain('Your appointment is booked');
    await expect.poll(() => innerText(messages)).toContain('Family Medicine');

    // The script goes on to the read-back.
    await expect.poll(() => step.textContent()).toContain('Read back the date, time, clinician and place');
    await step.getByRole('button', { name: 'Mark step done' }).click();

    // Knowledge: "high blood pressure" finds the hypertension article first; it goes to the caller.
    const knowledge = context.getByRole('region', { name: 'Knowledge' });
    await knowledge.getByRole('searchbox', { name: 'Search articles' }).fill('high blood pressure');
    const results = knowledge.getByRole('list', { name: 'Articles found' });
    await expect.poll(async () => (await results.getByRole('listitem').first().getByRole('button').textContent()) ?? '').toBe('High blood pressure (hypertension)');
    await results.getByRole('button', { name: 'High blood pressure (hypertension)' }).click();
    const preview = knowledge.getByRole('region', { name: 'High blood pressure (hypertension)' });
    await preview.getByRole('button', { name: 'Send to patient' }).click();
    await preview.getByRole('status').filter({ hasText: 'to the patient.' }).waitFor();
    expect(await seriousAccessibilityViolations(desk)).toEqual([]);
    await desk.screenshot({ path: '/tmp/agent-assist-desk.png' });

    // The caller opens it in the portal.
    const link = chat.getByRole('link', { name: 'Read the article' });
    await link.waitFor();
    expect(await seriousAccessibilityViolations(patient)).toEqual([]);
    await patient.screenshot({ path: '/tmp/agent-assist-widget.png' });
    const [article] = await Promise.all([patient.context().waitForEvent('page'), link.click()]);
    pageErrors.push(watchErrors(article));
    await article.getByRole('heading', { name: 'High blood pressure (hypertension)', level: 1 }).waitFor();

    // The audit log: the verification, the record's reads, the reveal, the booking.
    const conversationId = server.context.database.sqlite.prepare("SELECT id FROM conversations WHERE visitor_name = 'Rosa Delgado'").pluck().get() as string;
    const verify = server.context.database.sqlite.prepare("SELECT outcome FROM audit_log WHERE action = 'identity.verify' AND resource_id = ?").pluck().all(conversationId);
    expect(verify).toEqual(['success']);
    const actions = new Set(server.context.database.sqlite.prepare('SELECT action FROM audit_log WHERE patient_id = ?').pluck().all(patientId) as string[]);
    for (const action of ['phi.read', 'phi.search', 'phi.reveal', 'scheduling.book']) expect(actions, action).toContain(action);
    const reveal = server.context.database.sqlite.prepare("SELECT details FROM audit_log WHERE action = 'phi.reveal' AND patient_id = ?").pluck().all(patientId) as string[];
    expect(reveal.map((d) => JSON.parse(d) as { field: string; conversationId: string })).toEqual([{ field: 'phone', conversationId }]);
  }, 90_000);
});
