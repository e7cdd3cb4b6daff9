/**
 * Smart assist end to end, in Debian's Chromium against a real server: a caller chats from the
 * portal's widget and asks for a person; the agent accepts. The caller asks to book a flu shot → the
 * Smart assist panel suggests the booking action, a reply (inserted into the message box, to edit) and
 * articles, each with its confidence and the words it matched; the agent rates one. Then the caller
 * writes "my chest hurts and my left arm is numb" → the red-flag banner appears above the transcript
 * with the call-911 instruction, and the Script panel switches to the nurse-escalation script.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { SHIPPED_AGENT_SCRIPTS, startTestServer, type TestServer } from '@carebridge/server/testing/server';
import { createUser, TEST_PASSWORD } from '@carebridge/server/testing/accounts';
import { launchChromium, seriousAccessibilityViolations, signIn, watchErrors, widgetChatAcceptedBy } from './support.js';

let server: TestServer;
let browser: Browser;
let contexts: BrowserContext[] = [];
let pageErrors: string[][] = [];

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  server = await startTestServer({ DESK_DIR: inject('deskDir'), PORTAL_DIR: inject('portalDir'), AGENT_SCRIPTS_DIR: SHIPPED_AGENT_SCRIPTS, ROUTING_ALWAYS_OPEN: '1', PRESENCE_GRACE_MS: '60000', ROUTING_OFFER_TIMEOUT_MS: '60000' });
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

describe('smart assist', () => {
  it('suggests what fits the caller’s words with the reason, and a red flag raises the banner and loads the nurse script', async () => {
    const desk = await newPage({ width: 1280, height: 800 });
    const agent = await createUser(server, { role: 'agent', displayName: 'Avery Agent' });
    await desk.goto(`${server.url}/desk/`);
    await signIn(desk, { email: agent.email, password: TEST_PASSWORD });
    await expect.poll(() => desk.getByRole('status', { name: 'Connection' }).textContent()).toBe('Connected');

    const patient = await newPage({ width: 390, height: 844 });
    const box = await widgetChatAcceptedBy(patient, desk, server.url, 'Rosa Delgado');
    const context = desk.getByRole('complementary', { name: 'Conversation context' });
    const assist = context.getByRole('region', { name: 'Smart assist' });
    await assist.waitFor();

    // Booking: the action, a reply and articles, each with its confidence and reason.
    await box.fill('I need to book an appointment for my flu shot');
    await box.press('Enter');
    const actions = assist.getByRole('group', { name: 'Suggested actions' });
    await actions.getByRole('button', { name: 'Open appointments' }).waitFor();
    const articles = assist.getByRole('group', { name: 'Knowledge articles' });
    expect(await articles.getByRole('listitem').count()).toBeGreaterThanOrEqual(1);
    expect(await articles.getByRole('listitem').count()).toBeLessThanOrEqual(3);
    expect(await innerText(articles)).toMatch(/Matched: .*flu/);
    expect(await innerText(articles)).toMatch(/\d+ %/);
    const replies = assist.getByRole('group', { name: 'Suggested replies' });
    await replies.getByRole('button', { name: /^Insert reply: I can book that for you/ }).click();
    const composer = desk.getByRole('combobox', { name: 'Message', exact: true });
    await expect.poll(() => composer.inputValue()).toContain('I can book that for you.');
    const helpful = articles.getByRole('button', { name: /^Helpful: / }).first();
    await helpful.click();
    await expect.poll(() => helpful.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => (server.context.database.sqlite.prepare("SELECT count(*) AS n FROM assist_ratings WHERE rating IN ('helpful', 'used')").get() as { n: number }).n).toBe(2);
    await desk.screenshot({ path: '/tmp/smart-assist-1280.png' });
    expect(await seriousAccessibilityViolations(desk)).toEqual([]);

    // The red flag: the banner above the transcript, the nurse-escalation script in the Script panel.
    await box.fill('my chest hurts and my left arm is numb');
    await box.press('Enter');
    const banner = desk.getByRole('alert', { name: 'Red flag' });
    await banner.waitFor();
    expect(await innerText(banner)).toMatch(/Red flag — Emergency.*911/s);
    expect(await innerText(banner)).toMatch(/nurse-escalation script is loaded/);
    const script = context.getByRole('region', { name: 'Script' });
    await script.getByRole('heading', { name: /Nurse triage escalation/ }).waitFor();
    await desk.screenshot({ path: '/tmp/smart-assist-red-flag-1280.png' });
    expect(await seriousAccessibilityViolations(desk)).toEqual([]);

    // The same desk on a phone-sized window: the banner is still the first thing above the transcript.
    await desk.setViewportSize({ width: 390, height: 844 });
    await banner.waitFor();
    await desk.screenshot({ path: '/tmp/smart-assist-red-flag-390.png' });
    expect(await seriousAccessibilityViolations(desk)).toEqual([]);

    // The agent follows the script's required emergency steps, then wraps up: the notes start from a
    // summary drafted from the conversation, for the agent to edit.
    await desk.setViewportSize({ width: 1280, height: 800 });
    const step = script.getByRole('region', { name: /^Step \d+/ });
    await step.getByRole('button', { name: 'Yes, an emergency sign' }).click();
    await expect.poll(() => step.textContent()).toContain('This needs emergency care now');
    await step.getByRole('button', { name: 'Mark step done' }).click();
    await expect.poll(() => step.textContent()).not.toContain('This needs emergency care now');
    await desk.getByRole('combobox', { name: 'Message', exact: true }).fill("I've transferred you to our nurse line. A nurse will call you back within 10 minutes.");
    await desk.getByRole('button', { name: 'Send', exact: true }).click();
    await desk.getByRole('button', { name: 'End chat' }).click();
    await desk.getByRole('alertdialog', { name: /^End the chat/ }).getByRole('button', { name: 'End chat' }).click();
    const wrapup = desk.getByRole('form', { name: 'Wrap-up' });
    const notes = wrapup.getByLabel('Wrap-up notes');
    await expect.poll(() => notes.inputValue()).toMatch(/^Reason: .*my chest hurts and my left arm is numb/);
    const drafted = await notes.inputValue();
    expect(drafted).toMatch(/Done: Red flag \(emergency/);
    expect(drafted).toContain("I've transferred you to our nurse line.");
    expect(drafted).toContain('Follow-up: A nurse will call you back within 10 minutes.');
    await wrapup.getByText('A summary drafted from the conversation: check and edit it before closing.').waitFor();
    await desk.screenshot({ path: '/tmp/smart-assist-wrapup-1280.png' });
    expect(await seriousAccessibilityViolations(desk)).toEqual([]);
  });
});
