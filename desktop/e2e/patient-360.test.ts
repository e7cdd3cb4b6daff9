/**
 * Patient panel and Patients workspace in Debian's Chromium against a real server: an agent in a chat
 * finds the caller by a misspelled name, a wrong detail is refused without saying which, two details
 * verify, the 360 shows the seeded allergies (the critical one called out) and medications with a
 * blood-pressure trend, a reveal shows the phone; the audit log has the verification and the reveal.
 * Outside a chat, the Patients workspace opens a record with a stated reason. Keyboard, axe, and
 * screenshots at desktop and phone sizes.
 */
import type { Resource } from '@medplum/fhirtypes';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { startTestServer, type TestServer } from '@carebridge/server/testing/server';
import { createUser, TEST_PASSWORD } from '@carebridge/server/testing/accounts';
import { launchChromium, seriousAccessibilityViolations, signIn, watchErrors } from './support.js';
import { visitorAsksForPerson, type Visitor } from './patient-chat.js';

let server: TestServer;
let browser: Browser;
let contexts: BrowserContext[] = [];
let pageErrors: string[][] = [];
let visitors: Visitor[] = [];
let patientId = '';
const DAY = 86_400_000;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  server = await startTestServer({ DESK_DIR: inject('deskDir'), ROUTING_ALWAYS_OPEN: '1', PRESENCE_GRACE_MS: '60000', ROUTING_OFFER_TIMEOUT_MS: '60000' });
  const create = <T extends Resource>(r: T) => server.context.store.create<T>(r).id!;
  patientId = create({
    resourceType: 'Patient',
    identifier: [{ system: 'urn:carebridge:mrn', value: 'CB0000321' }],
    name: [{ use: 'official', given: ['Jonathan'], family: 'Whitfield' }],
    birthDate: '1966-08-19',
    gender: 'male',
    telecom: [{ system: 'phone', value: '(303) 555-0164', use: 'mobile', rank: 1 }],
    address: [{ use: 'home', line: ['77 Alder Ave'], city: 'Aurora', state: 'CO', postalCode: '80012' }],
  });
  const subject = { reference: `Patient/${patientId}` };
  create({ resourceType: 'AllergyIntolerance', patient: subject, code: { text: 'Penicillin' }, criticality: 'high', clinicalStatus: { coding: [{ code: 'active' }] }, reaction: [{ manifestation: [{ text: 'Hives' }] }] });
  create({ resourceType: 'AllergyIntolerance', patient: subject, code: { text: 'Shellfish' }, criticality: 'low', clinicalStatus: { coding: [{ code: 'active' }] } });
  create({ resourceType: 'MedicationRequest', subject, status: 'active', intent: 'order', medicationCodeableConcept: { text: 'Metformin 500 MG Oral Tablet' }, dosageInstruction: [{ text: 'Twice daily with meals' }] });
  create({ resourceType: 'MedicationRequest', subject, status: 'active', intent: 'order', medicationCodeableConcept: { text: 'Lisinopril 10 MG Oral Tablet' } });
  for (const [days, sys, dia] of [
    [-400, 148, 94],
    [-200, 138, 88],
    [-30, 126, 80],
  ] as const) {
    create({
      resourceType: 'Observation',
      status: 'final',
      subject,
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
      code: { coding: [{ system: 'http://loinc.org', code: '85354-9' }] },
      effectiveDateTime: new Date(Date.now() + days * DAY).toISOString(),
      component: [
        { code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] }, valueQuantity: { value: sys, unit: 'mm[Hg]' } },
        { code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] }, valueQuantity: { value: dia, unit: 'mm[Hg]' } },
      ],
    });
  }
});
afterEach(async () => {
  for (const v of visitors) v.socket.disconnect();
  visitors = [];
  for (const c of contexts) await c.close();
  contexts = [];
  await server.close();
  expect(pageErrors.flat()).toEqual([]);
  pageErrors = [];
});

async function agentDesk(viewport = { width: 1280, height: 800 }): Promise<{ page: Page; userId: string }> {
  const context = await browser.newContext({ viewport });
  contexts.push(context);
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  pageErrors.push(watchErrors(page));
  const user = await createUser(server, { role: 'agent', displayName: 'Avery Agent' });
  await page.goto(`${server.url}/desk/`);
  await signIn(page, { email: user.email, password: TEST_PASSWORD });
  await expect.poll(() => page.getByRole('status', { name: 'Connection' }).textContent()).toBe('Connected');
  return { page, userId: user.id };
}

const auditActions = (patient: string) =>
  server.context.database.sqlite.prepare('SELECT action, outcome, details FROM audit_log WHERE patient_id = ? ORDER BY seq').all(patient) as { action: string; outcome: string; details: string | null }[];

describe('patient panel', () => {
  it('finds and verifies the caller, then shows the 360; each step audited', async () => {
    const { page } = await agentDesk();
    const caller = await visitorAsksForPerson(server, 'Jon Whitfield');
    visitors.push(caller);
    await page.getByRole('article', { name: 'Offer: general queue' }).getByRole('button', { name: 'Accept' }).click();
    const panel = page.locator('#context-patient-360');
    await panel.getByText('Not verified.').waitFor();
    // Nothing of the record before verification.
    expect(await panel.getByText('Penicillin').count()).toBe(0);

    // Find by a misspelled name (prefilled from the chat name, edited by keyboard).
    const name = panel.getByRole('textbox', { name: 'Name' });
    expect(await name.inputValue()).toBe('Jon Whitfield');
    await name.fill('Jonathon Whitfeild');
    await name.press('Enter');
    const choose = panel.getByRole('button', { name: /^Verify as: Jonathan Whitfield, born 1966-08-19/ });
    await choose.waitFor();
    expect(await panel.getByRole('list', { name: 'Matching patients' }).textContent()).toContain('MRN •••0321');
    await choose.click();

    // A wrong detail: refused, not saying which.
    const form = panel.getByRole('form', { name: 'Verify the caller as Jonathan Whitfield' });
    await form.getByLabel('Date of birth').fill('1966-08-19');
    await form.getByRole('textbox', { name: 'ZIP code' }).fill('99999');
    await form.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => form.getByRole('alert').textContent()).toContain('fewer than two of the details match');
    expect(await form.getByRole('alert').textContent()).not.toMatch(/ZIP|birth/i);
    // The count of tries left is current.
    await expect.poll(() => form.getByText(/^Verifying as/).textContent()).toContain('4 tries left');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    await form.getByRole('textbox', { name: 'ZIP code' }).fill('80012');
    await form.getByRole('button', { name: 'Verify' }).press('Enter');
    await panel.getByText('Verified as').waitFor();
    expect(await panel.getByRole('status').filter({ hasText: 'Verified as' }).textContent()).toContain('matched date of birth and ZIP code');

    // The record: the critical allergy called out first, medications, the blood pressure trend.
    const alert = panel.getByRole('note', { name: 'High-criticality allergies' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain('Penicillin (Hives)');
    const allergies = panel.locator('#p360-allergies');
    expect(await allergies.getByRole('listitem').allTextContents()).toEqual([expect.stringMatching(/^Penicillin High criticality/), expect.stringMatching(/^Shellfish Low criticality/)]);
    const meds = await panel.locator('#p360-medications').getByRole('listitem').allTextContents();
    expect(meds).toEqual([expect.stringContaining('Lisinopril 10 MG Oral Tablet'), expect.stringContaining('Metformin 500 MG Oral Tablet — Twice daily with meals')]);
    await panel.locator('#p360-results > summary').click();
    const chart = panel.getByRole('img', { name: /^Blood pressure trend, oldest first: .*148\/94.*138\/88.*126\/80/ });
    await chart.waitFor();
    expect(await panel.locator('#p360-results').textContent()).toContain('126/80 mm[Hg]');
    // Empty states say so.
    await panel.locator('#p360-tasks > summary').click();
    await panel.getByText('No open tasks.').waitFor();

    // Masked until revealed; the reveal by keyboard.
    expect(await panel.locator('#p360-overview').textContent()).toContain('•••0164');
    expect(await panel.locator('#p360-overview').textContent()).not.toContain('555-0164');
    await panel.getByRole('button', { name: 'Show phone numbers' }).focus();
    await page.keyboard.press('Enter');
    await panel.getByText('(303) 555-0164').waitFor();

    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: '/tmp/patient-360-desktop.png', fullPage: false });

    const actions = auditActions(patientId).map((r) => `${r.action}:${r.outcome}`);
    expect(actions).toContain('phi.search:success');
    expect(actions).toContain('phi.reveal:success');
    const verifications = server.context.database.sqlite
      .prepare("SELECT outcome FROM audit_log WHERE action = 'identity.verify' AND resource_id = ? ORDER BY seq")
      .all(caller.conversationId) as { outcome: string }[];
    expect(verifications.map((v) => v.outcome)).toEqual(['failure', 'success']);
  });

  it('on a phone-sized window the panel opens from Context and fits', async () => {
    const { page } = await agentDesk({ width: 390, height: 844 });
    const caller = await visitorAsksForPerson(server, 'Jonathan Whitfield');
    visitors.push(caller);
    await page.getByRole('article', { name: 'Offer: general queue' }).getByRole('button', { name: 'Accept' }).click();
    await page.getByRole('button', { name: 'Context' }).click();
    const panel = page.locator('#context-patient-360');
    await panel.getByRole('button', { name: 'Search' }).click();
    await panel.getByRole('button', { name: /^Verify as: Jonathan Whitfield/ }).click();
    const form = panel.getByRole('form', { name: 'Verify the caller as Jonathan Whitfield' });
    await form.getByRole('textbox', { name: 'MRN' }).fill('cb0000321');
    await form.getByRole('textbox', { name: 'Phone' }).fill('303 555 0164');
    await form.getByRole('button', { name: 'Verify' }).click();
    await panel.getByRole('note', { name: 'High-criticality allergies' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await panel.scrollIntoViewIfNeeded();
    await page.screenshot({ path: '/tmp/patient-360-phone.png', fullPage: false });
  });
});

describe('Patients workspace', () => {
  it('opens a record outside a chat only with a stated reason, which the audit log keeps', async () => {
    const { page } = await agentDesk();
    await page.getByRole('navigation', { name: 'Workspaces' }).getByRole('link', { name: 'Patients' }).click();
    await page.getByRole('heading', { name: 'Patients', level: 1 }).waitFor();
    const finder = page.getByRole('form', { name: 'Find a patient' });
    await finder.getByRole('textbox', { name: 'Name' }).fill('Whitfield');
    await finder.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Say why you are looking this patient up');
    await finder.getByRole('textbox', { name: 'Reason' }).fill('returning a voicemail about a refill');
    await finder.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('button', { name: /^Open: Jonathan Whitfield/ }).click();
    await page.getByRole('note', { name: 'High-criticality allergies' }).waitFor();
    await page.getByText('Reason on record: returning a voicemail about a refill').waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    const reasons = server.context.database.sqlite.prepare("SELECT DISTINCT reason FROM audit_log WHERE patient_id = ? AND action = 'phi.read'").pluck().all(patientId);
    expect(reasons).toContain('returning a voicemail about a refill');
    await page.getByRole('button', { name: '← Back to search' }).click();
    await page.getByRole('form', { name: 'Find a patient' }).waitFor();
  });
});
