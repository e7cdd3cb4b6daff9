/**
 * The widget options a clinic expects, in Debian's Chromium against real servers, at 1280×800 and
 * 390×844 (the pre-chat form at 320×568 too): the pre-chat form (errors at each field, focus on the first, keyboard, the answers reach
 * the agent's hand-off packet), the configured colour, title and greeting (WIDGET_CONFIG and the
 * embed's data-* over it), and the offline form when every queue is closed (a FHIR Task for the team).
 * Screenshots go to /tmp/w10-*.png.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Task } from '@medplum/fhirtypes';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { PRECHAT_ANSWER_KEYS, type ConversationView, type HandoffPacket } from '../../src/contracts/conversations.js';
import { OFFLINE_MESSAGE_TASK_CODE } from '../../src/contracts/widget.js';
import { call, createPatient, createUser, TEST_PASSWORD } from '../../src/testing/accounts.js';
import { writeClosedRoutingConfig } from '../../src/testing/routing.js';
import { startTestServer, type TestServer } from '../../src/testing/server.js';
import { launchChromium, seriousAccessibilityViolations, staffDesk, startClinicSite, until, watchErrors, type ClinicSite, type StaffDesk } from './support.js';

let dir: string;
let openServer: TestServer;
let styledServer: TestServer;
let closedServer: TestServer;
let openSite: ClinicSite;
let styledSite: ClinicSite;
let closedSite: ClinicSite;
let browser: Browser;
let context: BrowserContext | undefined;
let errors: string[] = [];
let nextOpenAt: string;
const desks: StaffDesk[] = [];

const SIZES = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-widget-options-'));
  const closed = writeClosedRoutingConfig(dir);
  nextOpenAt = closed.nextOpenAt;
  const widgetConfig = path.join(dir, 'widget.json');
  fs.writeFileSync(
    widgetConfig,
    JSON.stringify({ accentColor: '#6a1b9a', headerTitle: 'Riverside help desk', greeting: 'Hello from Riverside! How can we help today?', prechat: { askDateOfBirth: false, reasons: [] } }),
  );
  [openSite, styledSite, closedSite] = await Promise.all([startClinicSite(), startClinicSite(), startClinicSite()]);
  const portalDir = inject('portalDir');
  [openServer, styledServer, closedServer, browser] = await Promise.all([
    startTestServer({ PORTAL_DIR: portalDir, WIDGET_ORIGINS: openSite.origin, ROUTING_ALWAYS_OPEN: '1', PRESENCE_GRACE_MS: '60000' }),
    startTestServer({ PORTAL_DIR: portalDir, WIDGET_ORIGINS: styledSite.origin, ROUTING_ALWAYS_OPEN: '1', WIDGET_CONFIG: widgetConfig }),
    startTestServer({ PORTAL_DIR: portalDir, WIDGET_ORIGINS: closedSite.origin, ROUTING_ALWAYS_OPEN: '0', ROUTING_CONFIG: closed.file }),
    launchChromium(),
  ]);
  openSite.setServer(openServer.url);
  styledSite.setServer(styledServer.url);
  closedSite.setServer(closedServer.url);
});
afterAll(async () => {
  await browser?.close();
  await Promise.all([openServer?.close(), styledServer?.close(), closedServer?.close()]);
  await Promise.all([openSite?.close(), styledSite?.close(), closedSite?.close()]);
  fs.rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await Promise.all(desks.map((desk) => desk.socket.timeout(2000).emitWithAck('presence:set', { state: 'offline' }).catch(() => undefined)));
  for (const desk of desks.splice(0)) desk.socket.disconnect();
  await context?.close();
  context = undefined;
  await openServer.context.conversations.idle();
  expect(errors).toEqual([]);
});

async function newPage(viewport: { width: number; height: number }): Promise<Page> {
  context = await browser.newContext({ viewport, reducedMotion: 'reduce', timezoneId: 'America/New_York' });
  const page = await context.newPage();
  errors = watchErrors(page);
  return page;
}

const textOf = (locator: Locator) => locator.evaluate((el) => (el as HTMLElement).innerText);
const isFocused = (locator: Locator) => locator.evaluate((el) => el === (el.getRootNode() as ShadowRoot | Document).activeElement);
/** The ids the control's aria-describedby names, and their text: what a screen reader says after the label. */
const description = (locator: Locator) =>
  locator.evaluate((el) =>
    (el.getAttribute('aria-describedby') ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((id) => (el.getRootNode() as ShadowRoot).getElementById(id)?.textContent ?? `missing #${id}`)
      .join(' | '),
  );
const shot = (page: Page, name: string) => page.screenshot({ path: `/tmp/w10-${name}.png` });

async function openWidget(page: Page, site: ClinicSite, dialogName = 'Chat with Riverside Family Clinic'): Promise<Locator> {
  await page.goto(`${site.origin}/`);
  await page.getByRole('button', { name: 'Chat with Riverside Family Clinic' }).click();
  const panel = page.getByRole('dialog', { name: dialogName });
  await panel.waitFor();
  return panel;
}

/** Everything inside the panel and the window, no sideways scrolling. */
async function expectFits(page: Page, panel: Locator, viewport: { width: number; height: number }, controls: Locator[]): Promise<void> {
  const p = (await panel.boundingBox())!;
  for (const control of controls) {
    await control.evaluate((el) => el.scrollIntoView({ block: 'nearest' }));
    const b = (await control.boundingBox())!;
    expect(b.x).toBeGreaterThanOrEqual(Math.max(p.x, 0) - 0.5);
    expect(b.x + b.width).toBeLessThanOrEqual(Math.min(p.x + p.width, viewport.width) + 0.5);
    expect(b.y + b.height).toBeLessThanOrEqual(Math.min(p.y + p.height, viewport.height) + 0.5);
  }
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
}

describe('the pre-chat form', () => {
  // And at 320 px wide: the form scrolls inside the panel, nothing sideways.
  for (const viewport of [...SIZES, { width: 320, height: 568 }]) {
    it(`at ${viewport.width}×${viewport.height}: errors at each field, focus on the first; the answers reach the agent`, async () => {
      const page = await newPage(viewport);
      const panel = await openWidget(page, openSite);
      const name = panel.getByRole('textbox', { name: 'Your name' });
      const reason = panel.getByRole('combobox', { name: 'Reason for contacting us' });
      const detail = panel.getByRole('textbox', { name: 'Anything else we should know? (optional)' });
      const dob = panel.getByRole('textbox', { name: 'Date of birth (optional)' });
      const start = panel.getByRole('button', { name: 'Start chat' });
      // The first field has focus as the panel opens; the default greeting is on the first screen.
      await expect.poll(() => isFocused(name)).toBe(true);
      expect(await textOf(panel)).toContain('Hello! Tell us a little about what you need and we will connect you.');
      expect(await reason.locator('option').allTextContents()).toEqual(['Choose a reason', 'Appointments', 'Billing', 'Prescriptions', 'Something else']);
      expect(await seriousAccessibilityViolations(page)).toEqual([]);
      await expectFits(page, panel, viewport, [name, reason, detail, dob, start]);
      await shot(page, `prechat-${viewport.width}`);

      // Nothing filled in: both required fields say so, tied to their controls; focus on the first.
      await start.click();
      await expect.poll(() => isFocused(name)).toBe(true);
      expect(await name.getAttribute('aria-invalid')).toBe('true');
      expect(await description(name)).toBe('Enter your name.');
      expect(await reason.getAttribute('aria-invalid')).toBe('true');
      expect(await description(reason)).toBe('Choose a reason for contacting us.');
      expect(await dob.getAttribute('aria-invalid')).toBeNull();
      expect(await seriousAccessibilityViolations(page)).toEqual([]);
      await shot(page, `prechat-errors-${viewport.width}`);

      // A date of birth in the future: only that is wrong now, and it gets focus.
      const visitor = `Vera ${randomUUID().slice(0, 6)}`;
      await name.fill(visitor);
      await reason.selectOption('Billing');
      await detail.fill('A charge from March I do not recognise <b>twice</b>');
      await dob.fill('2999-01-01');
      await start.click();
      await expect.poll(() => isFocused(dob)).toBe(true);
      expect(await description(dob)).toBe('The date of birth cannot be in the future. | Helps our team find your record.');
      expect(await name.getAttribute('aria-invalid')).toBeNull();
      expect((await openServer.context.database.sqlite.prepare('SELECT COUNT(*) AS n FROM conversations WHERE visitor_name = ?').get(visitor)) as { n: number }).toEqual({ n: 0 });

      // Fixed, by keyboard: the date typed into the field, Enter sends the form.
      await dob.fill('');
      await dob.focus();
      await page.keyboard.type('02291984');
      expect(await dob.inputValue()).toBe('1984-02-29');
      await page.keyboard.press('Enter');
      const log = panel.getByRole('log', { name: 'Messages' });
      await expect.poll(() => textOf(log)).toContain(`Hi ${visitor}, I'm the Carebridge assistant`);
      await expect.poll(() => isFocused(panel.getByRole('textbox', { name: 'Type your message' }))).toBe(true);

      // The agent sees who and why: name, reason, details and date of birth in the hand-off packet.
      const desk = await staffDesk(openServer, `agent-${randomUUID()}`);
      desks.push(desk);
      await panel.getByRole('group', { name: 'Suggested replies' }).getByRole('button', { name: 'Talk to a person' }).click();
      const { id } = openServer.context.database.sqlite.prepare('SELECT id FROM conversations WHERE visitor_name = ?').get(visitor) as { id: string };
      const offer = await until(() => desk.offers.find((o) => o.conversationId === id));
      const expected = {
        [PRECHAT_ANSWER_KEYS.reason]: 'Billing',
        [PRECHAT_ANSWER_KEYS.reasonDetail]: 'A charge from March I do not recognise <b>twice</b>',
        [PRECHAT_ANSWER_KEYS.dateOfBirth]: '1984-02-29',
      };
      expect(offer.packet?.collectedAnswers).toMatchObject(expected);
      const accepted = (await desk.socket.emitWithAck('offer:accept', { offerId: offer.offerId })) as { ok: boolean; conversation: ConversationView; packet: HandoffPacket };
      expect(accepted.conversation.visitorName).toBe(visitor);
      expect(accepted.packet.collectedAnswers).toMatchObject(expected);
      await expect.poll(() => textOf(panel.getByRole('status', { name: 'Chat status' }))).toBe('You are chatting with our team.');
      await shot(page, `prechat-chat-${viewport.width}`);
    });
  }
});

describe('colours and greeting', () => {
  for (const viewport of SIZES) {
    it(`at ${viewport.width}×${viewport.height}: WIDGET_CONFIG's colour, title and greeting; the embed's data-* over them`, async () => {
      const page = await newPage(viewport);
      styledSite.setEmbedData({});
      let panel = await openWidget(page, styledSite, 'Riverside help desk');
      const header = panel.getByRole('heading', { name: 'Riverside help desk' });
      await expect.poll(() => header.evaluate((el) => getComputedStyle(el.parentElement!).backgroundColor)).toBe('rgb(106, 27, 154)');
      expect(await panel.getByRole('button', { name: 'Start chat' }).evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(106, 27, 154)');
      expect(await textOf(panel)).toContain('Hello from Riverside! How can we help today?');
      // This clinic asks the reason in the visitor's own words and no date of birth.
      expect(await panel.getByRole('combobox').count()).toBe(0);
      expect(await panel.getByRole('textbox', { name: /Date of birth/ }).count()).toBe(0);
      await panel.getByRole('button', { name: 'Start chat' }).click();
      const reason = panel.getByRole('textbox', { name: 'Reason for contacting us' });
      expect(await description(reason)).toBe('Tell us why you are contacting us.');
      expect(await seriousAccessibilityViolations(page)).toEqual([]);
      await shot(page, `styled-${viewport.width}`);

      // The embed's own colour and greeting win; a colour white text cannot be read on is ignored.
      styledSite.setEmbedData({ 'accent-color': '#2e7d32', greeting: 'Welcome, neighbour! Ask us anything.' });
      panel = await openWidget(page, styledSite, 'Riverside help desk');
      await expect.poll(() => textOf(panel)).toContain('Welcome, neighbour! Ask us anything.');
      expect(await panel.getByRole('heading', { name: 'Riverside help desk' }).evaluate((el) => getComputedStyle(el.parentElement!).backgroundColor)).toBe('rgb(46, 125, 50)');
      styledSite.setEmbedData({ 'accent-color': '#ffee58' });
      const warnings: string[] = [];
      page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
      panel = await openWidget(page, styledSite, 'Riverside help desk');
      await expect.poll(() => textOf(panel)).toContain('Hello from Riverside!');
      await expect.poll(() => panel.getByRole('heading', { name: 'Riverside help desk' }).evaluate((el) => getComputedStyle(el.parentElement!).backgroundColor)).toBe('rgb(106, 27, 154)');
      expect(warnings.join('\n')).toMatch(/data-accent-color ignored: #ffee58 gives white text a contrast of only 1\.\d+:1/);
    });
  }
});

describe('the offline form when every queue is closed', () => {
  const staffRead = async (server: TestServer, url: string) =>
    call(server, 'GET', url, {
      token: await server.tokenFor({ kind: 'staff', userId: 'agent-inbox', email: 'agent-inbox@example.test', role: 'agent', practitionerId: null }),
      headers: { 'x-access-reason': 'offline messages' },
    });
  const offlineTasks = async () => {
    const code = encodeURIComponent(`${OFFLINE_MESSAGE_TASK_CODE.system}|${OFFLINE_MESSAGE_TASK_CODE.code}`);
    const reply = await staffRead(closedServer, `/fhir/R4/Task?status=requested&code=${code}&_count=100`);
    return ((reply.body as { entry?: Array<{ resource: Task }> }).entry ?? []).map((e) => e.resource);
  };
  const opening = () =>
    new Intl.DateTimeFormat('en-US', { weekday: 'long', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short', timeZone: 'America/New_York' }).format(new Date(nextOpenAt));

  for (const viewport of SIZES) {
    it(`at ${viewport.width}×${viewport.height}: a visitor leaves a message instead of starting a chat; it is a Task for the team`, async () => {
      const page = await newPage(viewport);
      const panel = await openWidget(page, closedSite);
      const form = panel.getByRole('form', { name: 'We are closed right now' });
      await form.waitFor();
      expect(await textOf(form)).toContain(`We open again ${opening()}.`);
      expect(await textOf(form)).toContain('For a medical emergency, call 911.');
      expect(await panel.getByRole('button', { name: 'Start chat' }).count()).toBe(0);
      const name = form.getByRole('textbox', { name: 'Your name' });
      const email = form.getByRole('textbox', { name: 'Email' });
      const phone = form.getByRole('textbox', { name: 'Phone' });
      const message = form.getByRole('textbox', { name: 'Your message' });
      const send = form.getByRole('button', { name: 'Send message' });
      await expect.poll(() => isFocused(name)).toBe(true);
      expect(await seriousAccessibilityViolations(page)).toEqual([]);
      await expectFits(page, panel, viewport, [name, email, phone, message, send]);
      await shot(page, `offline-${viewport.width}`);

      await send.click();
      await expect.poll(() => isFocused(name)).toBe(true);
      expect(await description(email)).toBe('Give an email address or a phone number. | An email address or a phone number, at least one, so we can reply.');
      expect(await description(message)).toBe('Write your message.');
      const visitor = `Olga ${randomUUID().slice(0, 6)}`;
      await name.fill(visitor);
      await email.fill('olga@');
      await message.fill('Please call me about <script>alert(1)</script> my results.');
      await send.click();
      await expect.poll(() => isFocused(email)).toBe(true);
      expect(await description(email)).toMatch(/^Enter an email address like name@example.org\./);
      expect(await seriousAccessibilityViolations(page)).toEqual([]);
      await shot(page, `offline-errors-${viewport.width}`);

      await email.fill('olga@example.org');
      await phone.fill('+1 555 010 7788');
      await phone.press('Enter');
      const thanks = panel.getByRole('heading', { name: 'Thank you, we have your message' });
      await expect.poll(() => isFocused(thanks)).toBe(true);
      expect(await textOf(panel)).toContain(`We will reply after we open ${opening()}.`);
      await shot(page, `offline-sent-${viewport.width}`);

      const task = (await offlineTasks()).find((t) => t.requester?.display === visitor);
      expect(task).toMatchObject({
        status: 'requested',
        intent: 'order',
        code: { coding: [OFFLINE_MESSAGE_TASK_CODE] },
        note: [{ text: 'Please call me about <script>alert(1)</script> my results.' }],
      });
      expect(Object.fromEntries(task!.input!.map((i) => [i.type.coding![0]!.code, i.valueString]))).toEqual({ name: visitor, email: 'olga@example.org', phone: '+1 555 010 7788', language: 'en' });
      // The script in the message was only ever text: nothing ran (errors are checked after each test).
      expect(closedServer.context.database.sqlite.prepare('SELECT COUNT(*) AS n FROM conversations WHERE visitor_name = ?').get(visitor)).toEqual({ n: 0 });
    });
  }

  it('a signed-in patient in the portal leaves a message without name or contact; the Task is for them', async () => {
    const record = createPatient(closedServer, `P${randomUUID().slice(0, 8)}`);
    const user = await createUser(closedServer, { role: 'patient', patientId: record.id!, displayName: 'Ada Lovelace' });
    const page = await newPage(SIZES[0]!);
    await page.goto(`${closedServer.url}/portal/`);
    await page.getByRole('textbox', { name: 'Email' }).fill(user.email);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const panel = page.getByRole('region', { name: 'Chat with Carebridge' });
    const form = panel.getByRole('form', { name: 'We are closed right now' });
    await form.waitFor();
    expect(await form.getByRole('textbox', { name: 'Your name' }).count()).toBe(0);
    expect(await form.getByRole('textbox', { name: 'Email (optional)' }).count()).toBe(1);
    await form.getByRole('textbox', { name: 'Your message' }).fill('Can my refill be ready Monday?');
    await form.getByRole('button', { name: 'Send message' }).click();
    await panel.getByRole('heading', { name: 'Thank you, we have your message' }).waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    const task = (await offlineTasks()).find((t) => t.for?.reference === `Patient/${record.id}`);
    expect(task).toMatchObject({ note: [{ text: 'Can my refill be ready Monday?' }], requester: { reference: `Patient/${record.id}` } });
    expect(task!.input!.find((i) => i.type.coding![0]!.code === 'name')?.valueString).toBe('Ada Lovelace');
    await shot(page, 'offline-portal-1280');
  });
});
