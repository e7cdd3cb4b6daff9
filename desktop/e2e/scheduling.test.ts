/**
 * The Appointments panel in Debian's Chromium against a real server with the synthetic clinic
 * (schedules and 60 days of free slots): an agent accepts a chat from a patient signed in to the
 * portal (so verified on arrival), sees their appointments, searches free times, holds one (the
 * countdown shows), books it by keyboard, sends the confirmation card (the patient receives it),
 * sees it listed, and cancels it after confirming; a time someone else took meanwhile says so and
 * shows the fresh list; a reschedule moves the existing appointment. A visitor's chat shows
 * "Verify the patient first". axe at each step; screenshots at 1280×800 and 390×844.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { Appointment, Slot } from '@medplum/fhirtypes';
import type { AvailabilityResponse, ConversationView, MessageView } from '@carebridge/server/contracts';
import { startTestServer, type TestServer } from '@carebridge/server/testing/server';
import { call, createUser, TEST_PASSWORD } from '@carebridge/server/testing/accounts';
import { seedSyntheticData } from '@carebridge/server/synthetic/index';
import { launchChromium, seriousAccessibilityViolations, signIn, watchErrors } from './support.js';
import { visitorAsksForPerson, waitFor, type Visitor } from './patient-chat.js';

let server: TestServer;
let browser: Browser;
let contexts: BrowserContext[] = [];
let pageErrors: string[][] = [];
let sockets: Socket[] = [];
let patientId = '';

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  server = await startTestServer({ DESK_DIR: inject('deskDir'), ROUTING_ALWAYS_OPEN: '1', PRESENCE_GRACE_MS: '60000', ROUTING_OFFER_TIMEOUT_MS: '60000' });
  await seedSyntheticData(server.context.database, { patients: 5, seed: 42 });
  // Patient 1 of the synthetic data always has an upcoming booked appointment.
  patientId = (server.context.database.sqlite.prepare("SELECT id FROM resources WHERE resource_type = 'Patient' ORDER BY id LIMIT 1").pluck().get() as string);
});
afterEach(async () => {
  for (const s of sockets) s.disconnect();
  sockets = [];
  for (const c of contexts) await c.close();
  contexts = [];
  await server.close();
  expect(pageErrors.flat()).toEqual([]);
  pageErrors = [];
});

async function agentDesk(viewport = { width: 1280, height: 800 }): Promise<Page> {
  // The agent's computer is in another zone: times still read in Denver, the patient's.
  const context = await browser.newContext({ viewport, timezoneId: 'America/New_York' });
  contexts.push(context);
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  pageErrors.push(watchErrors(page));
  const user = await createUser(server, { role: 'agent', displayName: 'Avery Agent' });
  await page.goto(`${server.url}/desk/`);
  await signIn(page, { email: user.email, password: TEST_PASSWORD });
  await expect.poll(() => page.getByRole('status', { name: 'Connection' }).textContent()).toBe('Connected');
  return page;
}

/** A patient signed in to the portal who opens the chat and asks for a person. */
async function portalPatientAsksForPerson(): Promise<{ socket: Socket; conversationId: string; messages: MessageView[] }> {
  const user = await createUser(server, { role: 'patient', patientId, displayName: 'Paula Portal' });
  const token = await server.tokenFor({ kind: 'patient', userId: user.id, email: user.email, role: 'patient', patientId });
  const socket = io(`${server.url}/patient`, { auth: { token }, transports: ['websocket'], forceNew: true });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const messages: MessageView[] = [];
  socket.on('message:new', (m: MessageView) => messages.push(m));
  const start = (await socket.emitWithAck('conversation:start', {})) as { ok: boolean; conversation: ConversationView };
  if (!start.ok) throw new Error('conversation:start refused');
  const sent = (await socket.emitWithAck('message:send', { conversationId: start.conversation.id, clientMessageId: randomUUID(), body: 'I want to talk to a person' })) as { ok: boolean };
  if (!sent.ok) throw new Error('message:send refused');
  return { socket, conversationId: start.conversation.id, messages };
}

/** How the desk words a time: the clinic's zone (Denver), whatever the agent's computer says. */
const denverWhen = (iso: string) =>
  new Intl.DateTimeFormat('en-US', { timeZone: 'America/Denver', weekday: 'short', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' }).format(new Date(iso));

const appointmentsOf = (id: string) =>
  (server.context.database.sqlite
    .prepare("SELECT r.content FROM resources r JOIN search_reference s ON s.resource_type = 'Appointment' AND s.resource_id = r.id AND s.param = 'patient' WHERE r.resource_type = 'Appointment' AND s.target_id = ?")
    .pluck()
    .all(id) as string[]).map((c) => JSON.parse(c) as Appointment);

describe('Appointments panel', () => {
  it('books by keyboard, sends the confirmation, lists it, cancels; a taken time shows the fresh list; reschedule moves', async () => {
    const page = await agentDesk();
    const patient = await portalPatientAsksForPerson();
    await page.getByRole('article', { name: 'Offer: general queue' }).getByRole('button', { name: 'Accept' }).click();
    // Fold the Patient panel: the Appointments panel is what this test looks at.
    await page.locator('#context-patient-360-heading').getByRole('button').click();
    const panel = page.getByRole('region', { name: 'Appointments' });
    await panel.waitFor();

    // The patient's existing appointment is listed as upcoming.
    const upcoming = panel.getByRole('list', { name: 'Upcoming' });
    await expect.poll(() => upcoming.getByRole('article').count()).toBe(1);
    const existing = appointmentsOf(patientId).filter((a) => a.status === 'booked');
    expect(existing).toHaveLength(1);
    expect(await upcoming.getByRole('article').first().textContent()).toMatch(/M[SD]T/);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    // Search: family medicine, in person.
    await panel.getByRole('button', { name: 'Book an appointment' }).click();
    const form = panel.getByRole('form', { name: 'Find a time' });
    await form.getByLabel('Specialty').selectOption({ label: 'Family Medicine' });
    await form.getByLabel('Visit').selectOption({ label: 'In person' });
    await form.getByRole('button', { name: 'Search' }).click();
    const results = panel.getByRole('region', { name: 'Free times' });
    await expect.poll(() => results.getByRole('button', { name: /Family Medicine\s*In person/ }).count()).toBeGreaterThan(3);
    // Grouped by day, each day a labelled section.
    const firstDay = results.getByRole('region').first();
    expect(await firstDay.getByRole('heading').textContent()).toMatch(/^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), /);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: '/tmp/scheduling-search-desktop.png' });

    // Someone else books the first time meanwhile: the desk says so and shows the fresh list.
    const otherToken = await server.tokenFor({ kind: 'staff', userId: 'other-agent', email: 'other@example.test', role: 'agent', practitionerId: null });
    const stolen = (await call<AvailabilityResponse>(server, 'GET', '/api/scheduling/availability?specialty=207Q00000X&mode=in-person&limit=5', { token: otherToken })).body.slots[0]!;
    const otherPatient = (server.context.database.sqlite.prepare("SELECT id FROM resources WHERE resource_type = 'Patient' ORDER BY id LIMIT 1 OFFSET 1").pluck().get() as string);
    expect((await call(server, 'POST', '/api/scheduling/appointments', { token: otherToken, body: { patientId: otherPatient, slotId: stolen.slotId }, headers: { 'X-Access-Reason': 'booking on the phone' } })).status).toBe(201);
    const slotButtons = results.getByRole('button', { name: /Family Medicine\s*In person/ });
    const firstLabel = await slotButtons.first().textContent();
    await slotButtons.first().click();
    await expect.poll(() => panel.getByRole('alert').textContent()).toContain('That time was just taken by someone else.');
    await expect.poll(async () => (await slotButtons.first().textContent()) !== firstLabel).toBe(true);

    // Hold the (new) first time by keyboard: the countdown shows.
    const chosenLabel = (await slotButtons.first().textContent())!;
    await slotButtons.first().focus();
    await page.keyboard.press('Enter');
    const confirm = panel.getByRole('form', { name: 'Confirm the time' });
    await confirm.waitFor();
    await expect.poll(() => confirm.getByRole('timer', { name: 'Hold time left' }).textContent()).toMatch(/^[45]:\d\d$/);
    const held = server.context.database.sqlite.prepare('SELECT slot_id FROM slot_holds').pluck().all() as string[];
    expect(held).toHaveLength(1);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: '/tmp/scheduling-hold-desktop.png' });
    await confirm.getByLabel('Reason for the visit (optional)').fill('Annual check-up');
    await confirm.getByRole('button', { name: 'Confirm booking' }).focus();
    await page.keyboard.press('Enter');

    // Booked: the Slot is busy and the Appointment written; then the confirmation card.
    const done = panel.getByRole('region', { name: 'Appointment booked' });
    await done.waitFor();
    const slot = server.context.fhir.system.read<Slot>('Slot', held[0]!)!;
    expect(slot.status).toBe('busy');
    const booked = appointmentsOf(patientId).find((a) => a.slot?.[0]?.reference === `Slot/${held[0]}`)!;
    expect(booked).toMatchObject({ status: 'booked', comment: 'Annual check-up' });
    const practitioner = booked.participant!.find((p) => p.actor?.reference?.startsWith('Practitioner/'))!.actor!.display!;
    const when = denverWhen(booked.start!);
    expect(chosenLabel).toContain(practitioner);
    expect(await done.textContent()).toContain(when);
    await done.getByRole('button', { name: 'Send confirmation to patient' }).click();
    await done.getByText('Confirmation sent to the patient.').waitFor();
    const card = await waitFor(() => patient.messages.find((m) => m.kind === 'card'), 5000, 'the card');
    expect(card.card).toMatchObject({ type: 'appointment', title: 'Your appointment is booked', actions: [{ label: 'Add to calendar', url: `/api/scheduling/appointments/${booked.id}/ics` }] });
    expect(card.card!.facts!.map((f) => f.label)).toEqual(['When', 'With', 'Where', 'Mode']);
    expect(card.card!.facts![0]!.value).toMatch(/ M[SD]T$/);
    await page.getByRole('log').getByRole('region', { name: 'Card: Your appointment is booked' }).waitFor();
    await done.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => upcoming.getByRole('article').count()).toBe(2);

    // Cancel it, after confirming.
    await upcoming.getByRole('button', { name: `Cancel the appointment ${when} with ${practitioner}` }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Cancel this appointment?' });
    await dialog.getByLabel('Reason (optional)').fill('Patient will call back');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Cancel appointment' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    await expect.poll(() => upcoming.getByRole('article').count()).toBe(1);
    await panel.getByRole('list', { name: 'Recent' }).getByRole('article', { name: /^Cancelled appointment / }).first().waitFor();
    expect(server.context.fhir.system.read<Appointment>('Appointment', booked.id!)?.status).toBe('cancelled');
    expect(server.context.fhir.system.read<Slot>('Slot', held[0]!)?.status).toBe('free');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await panel.getByRole('list', { name: 'Upcoming' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: '/tmp/scheduling-list-desktop.png' });

    // Reschedule the patient's original appointment to another time.
    await upcoming.getByRole('button', { name: /^Reschedule the appointment / }).click();
    await panel.getByRole('heading', { name: 'Move the appointment' }).waitFor();
    await expect.poll(() => results.getByRole('button').count()).toBeGreaterThan(1);
    await results.getByRole('button').nth(1).click();
    await panel.getByRole('form', { name: 'Confirm the time' }).getByRole('button', { name: 'Confirm new time' }).click();
    await panel.getByRole('region', { name: 'Appointment moved' }).waitFor();
    const original = server.context.fhir.system.read<Appointment>('Appointment', existing[0]!.id!)!;
    expect(original.status).toBe('cancelled');
    expect(original.extension?.[0]?.valueReference?.reference).toMatch(/^Appointment\//);
    expect(server.context.fhir.system.read<Slot>('Slot', existing[0]!.slot![0]!.reference!.slice(5))?.status).toBe('free');
    await page.screenshot({ path: '/tmp/scheduling-moved-desktop.png' });
  });

  it('waits for verification in a visitor’s chat; fits a phone-sized window', async () => {
    const page = await agentDesk({ width: 390, height: 844 });
    const visitor: Visitor = await visitorAsksForPerson(server, 'Someone');
    sockets.push(visitor.socket);
    await page.getByRole('article', { name: 'Offer: general queue' }).getByRole('button', { name: 'Accept' }).click();
    await page.getByRole('button', { name: 'Context' }).click();
    const panel = page.getByRole('region', { name: 'Appointments' });
    await panel.getByText('Verify the patient first.').waitFor();
    expect(await panel.getByRole('button', { name: 'Book an appointment' }).count()).toBe(0);

    // A signed-in patient's chat on the same phone-sized desk: the panel and its search fit.
    const patient = await portalPatientAsksForPerson();
    await page.getByRole('article', { name: 'Offer: general queue' }).getByRole('button', { name: 'Accept' }).click();
    await expect.poll(() => page.url()).toContain(patient.conversationId);
    if (!(await panel.isVisible())) await page.getByRole('button', { name: 'Context' }).click();
    await page.locator('#context-patient-360-heading').getByRole('button').click();
    await panel.getByRole('button', { name: 'Book an appointment' }).click();
    await expect.poll(() => panel.getByRole('region', { name: 'Free times' }).getByRole('button').count()).toBeGreaterThan(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await panel.getByRole('form', { name: 'Find a time' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: '/tmp/scheduling-phone.png' });
  });
});
