/**
 * The chat panel's layout, measured in Debian's Chromium: in the one-tag widget (floating) and in
 * the portal (inline), at desktop, phone and 320 px sizes, the message log takes the height the
 * controls leave, the newest message is in view, every control can be reached without the header
 * scrolling away, the page gets no horizontal scroll bar, and axe finds nothing serious.
 * Set SCREENSHOT_DIR to keep a picture of each size.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ConversationView } from '../../src/contracts/conversations.js';
import { startTestServer, type TestServer } from '../../src/testing/server.js';
import { createPatient, createUser, TEST_PASSWORD } from '../../src/testing/accounts.js';
import { launchChromium, seriousAccessibilityViolations, staffDesk, startClinicSite, until, watchErrors, type ClinicSite, type StaffDesk } from './support.js';

let server: TestServer;
let clinic: ClinicSite;
let browser: Browser;
let context: BrowserContext | undefined;
let errors: string[] = [];
const desks: StaffDesk[] = [];

beforeAll(async () => {
  clinic = await startClinicSite();
  [server, browser] = await Promise.all([
    startTestServer({ PORTAL_DIR: inject('portalDir'), WIDGET_ORIGINS: clinic.origin, ROUTING_ALWAYS_OPEN: '1', PRESENCE_GRACE_MS: '60000' }),
    launchChromium(),
  ]);
  clinic.setServer(server.url);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await clinic?.close();
});
afterEach(async () => {
  await Promise.all(desks.map((desk) => desk.socket.timeout(2000).emitWithAck('presence:set', { state: 'offline' }).catch(() => undefined)));
  for (const desk of desks.splice(0)) desk.socket.disconnect();
  await context?.close();
  context = undefined;
  await server.context.conversations.idle();
  expect(errors).toEqual([]);
});

const SIZES = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
  { width: 320, height: 568 },
];

async function newPage(viewport: { width: number; height: number }): Promise<Page> {
  context = await browser.newContext({ viewport, reducedMotion: 'reduce' });
  const page = await context.newPage();
  errors = watchErrors(page);
  return page;
}

const textOf = (locator: Locator) => locator.evaluate((el) => (el as HTMLElement).innerText);

async function box(locator: Locator) {
  const b = await locator.boundingBox();
  if (!b) throw new Error('not rendered');
  return { top: b.y, bottom: b.y + b.height, left: b.x, right: b.x + b.width, height: b.height };
}

async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.SCREENSHOT_DIR) await page.screenshot({ path: path.join(process.env.SCREENSHOT_DIR, `${name}.png`) });
}

/**
 * What a patient sees right after the bot's greeting: the log fills what the controls leave, the
 * greeting is whole and in view, and each control is inside the panel and the window (scrolled to
 * within the panel if it must be) while the header stays put.
 */
async function expectUsableChat(page: Page, panel: Locator, viewport: { width: number; height: number }): Promise<void> {
  const log = panel.getByRole('log', { name: 'Messages' });
  const panelBox = await box(panel);
  const header = await box(panel.getByRole('heading').first());
  const logBox = await box(log);
  // The log is the panel's largest part, not a strip under blank space.
  expect(logBox.height).toBeGreaterThanOrEqual(Math.min(0.3 * panelBox.height, 200));
  const gapAboveLog = logBox.top - header.bottom;
  expect(gapAboveLog).toBeLessThan(60);
  // The newest message (the greeting) is in view, bottom edge included.
  const newest = await box(log.getByRole('listitem').last());
  expect(newest.bottom).toBeLessThanOrEqual(logBox.bottom + 1);
  if (viewport.height >= 800) expect(newest.top).toBeGreaterThanOrEqual(logBox.top - 1);

  for (const name of ['Type your message', 'Send', 'Attach a file', 'Download transcript', 'End chat']) {
    const control = name === 'Type your message' ? panel.getByRole('textbox', { name }) : panel.getByRole('button', { name, exact: true });
    await control.evaluate((el) => el.scrollIntoView({ block: 'nearest' }));
    const b = await box(control);
    expect(b.top, name).toBeGreaterThanOrEqual(panelBox.top);
    expect(b.bottom, name).toBeLessThanOrEqual(Math.min(panelBox.bottom, viewport.height) + 0.5);
    expect(b.left, name).toBeGreaterThanOrEqual(Math.max(panelBox.left, 0));
    expect(b.right, name).toBeLessThanOrEqual(Math.min(panelBox.right, viewport.width) + 0.5);
    // Reaching a control never moves the header out of the panel.
    expect((await box(panel.getByRole('heading').first())).top, name).toBeCloseTo(header.top, 0);
  }
  // No sideways scrolling on the page.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
}

describe('the chat panel layout', () => {
  for (const viewport of SIZES) {
    it(`widget at ${viewport.width}×${viewport.height}: the log fills the panel and every control is reachable`, async () => {
      const page = await newPage(viewport);
      await page.goto(`${clinic.origin}/`);
      await page.getByRole('button', { name: 'Chat with Riverside Family Clinic' }).click();
      const panel = page.getByRole('dialog', { name: 'Chat with Riverside Family Clinic' });
      await panel.getByRole('textbox', { name: 'Your name' }).fill(`Layla ${randomUUID().slice(0, 4)}`);
      await panel.getByRole('combobox', { name: 'Reason for contacting us' }).selectOption('Billing');
      await panel.getByRole('button', { name: 'Start chat' }).click();
      await expect.poll(() => textOf(panel.getByRole('log', { name: 'Messages' }))).toContain('Talk to a person');
      await expectUsableChat(page, panel, viewport);
      expect(await seriousAccessibilityViolations(page)).toEqual([]);
      await screenshot(page, `widget-${viewport.width}x${viewport.height}`);
    });
  }

  for (const viewport of [SIZES[0]!, SIZES[1]!]) {
    it(`portal at ${viewport.width}×${viewport.height}: a signed-in patient's chat is usable too`, async () => {
      const record = createPatient(server, `P${randomUUID().slice(0, 8)}`);
      const user = await createUser(server, { role: 'patient', patientId: record.id!, displayName: 'Ada Lovelace' });
      const page = await newPage(viewport);
      await page.goto(`${server.url}/portal/`);
      await page.getByRole('textbox', { name: 'Email' }).fill(user.email);
      await page.getByLabel('Password').fill(TEST_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      const panel = page.getByRole('region', { name: 'Chat with Carebridge' });
      // Signed in: no name or date of birth to give; the reason is optional.
      await panel.getByRole('button', { name: 'Start chat' }).click();
      await expect.poll(() => textOf(panel.getByRole('log', { name: 'Messages' }))).toContain('Talk to a person');
      await panel.scrollIntoViewIfNeeded();
      await expectUsableChat(page, panel, viewport);
      expect(await seriousAccessibilityViolations(page)).toEqual([]);
      await screenshot(page, `portal-${viewport.width}x${viewport.height}`);
    });
  }

  it('at 390×844 the survey after an agent chat scrolls inside the panel: focusing its comment box keeps the header', async () => {
    const viewport = SIZES[1]!;
    const page = await newPage(viewport);
    const name = `Sunny ${randomUUID().slice(0, 4)}`;
    await page.goto(`${clinic.origin}/`);
    await page.getByRole('button', { name: 'Chat with Riverside Family Clinic' }).click();
    const panel = page.getByRole('dialog', { name: 'Chat with Riverside Family Clinic' });
    await panel.getByRole('textbox', { name: 'Your name' }).fill(name);
    await panel.getByRole('combobox', { name: 'Reason for contacting us' }).selectOption('Something else');
    await panel.getByRole('button', { name: 'Start chat' }).click();
    await panel.getByRole('group', { name: 'Suggested replies' }).getByRole('button', { name: 'Talk to a person' }).click();
    const { id } = server.context.database.sqlite.prepare('SELECT id FROM conversations WHERE visitor_name = ?').get(name) as { id: string };
    const desk = await staffDesk(server, `agent-${randomUUID()}`);
    desks.push(desk);
    const offer = await until(() => desk.offers.find((o) => o.conversationId === id));
    expect(((await desk.socket.emitWithAck('offer:accept', { offerId: offer.offerId })) as { ok: boolean; conversation: ConversationView }).ok).toBe(true);
    await expect.poll(() => textOf(panel.getByRole('log', { name: 'Messages' }))).toContain('joined the chat.');
    await panel.getByRole('button', { name: 'End chat', exact: true }).click();
    await panel.getByRole('button', { name: 'Yes, end chat' }).click();
    const survey = panel.getByRole('form', { name: 'How did we do?' });
    await survey.waitFor();
    const header = await box(panel.getByRole('heading').first());
    await survey.getByRole('group', { name: /How satisfied are you/ }).getByRole('button', { name: '2 of 5' }).click();
    const comment = survey.getByRole('group', { name: /What could we do better/ }).getByRole('textbox');
    await comment.focus();
    await page.keyboard.type('Faster, please');
    expect((await box(panel.getByRole('heading').first())).top).toBeCloseTo(header.top, 0);
    const commentBox = await box(comment);
    const panelBox = await box(panel);
    expect(commentBox.top).toBeGreaterThanOrEqual(header.bottom);
    expect(commentBox.bottom).toBeLessThanOrEqual(panelBox.bottom);
    // The log still shows messages above the survey.
    expect((await box(panel.getByRole('log', { name: 'Messages' }))).height).toBeGreaterThanOrEqual(90);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'widget-survey-390x844');
  });
});
