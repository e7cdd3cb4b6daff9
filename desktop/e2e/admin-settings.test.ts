/**
 * The admin workspace's clinic settings in Debian's Chromium against a real server: an admin closes
 * a queue (hours and message) and changes the disposition list, and both take effect at once — routing
 * answers out of hours with the new message, the desk's disposition choices change; a save that
 * raced another admin's is refused with a way to reload; a supervisor edits quick replies only; the
 * tabs work by keyboard; axe and no sideways scrolling at desktop and phone sizes.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestServer, type TestServer } from '@carebridge/server/testing/server';
import { createUser, TEST_PASSWORD } from '@carebridge/server/testing/accounts';
import { launchChromium, seriousAccessibilityViolations, signIn, watchErrors } from './support.js';

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let errors: string[];
let admin: { id: string; email: string };
let supervisor: { id: string; email: string };

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer({ DESK_DIR: inject('deskDir') }), launchChromium()]);
  [admin, supervisor] = await Promise.all([createUser(server, { role: 'admin', displayName: 'Ada Admin' }), createUser(server, { role: 'supervisor', displayName: 'Sue Pervisor' })]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});
afterEach(async () => {
  await context?.close();
  expect(errors).toEqual([]);
});

async function openAdmin(user: { email: string }, firstHeading: string, viewport = { width: 1280, height: 800 }): Promise<Page> {
  context = await browser.newContext({ viewport, timezoneId: 'America/Chicago' });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  errors = watchErrors(page);
  await page.goto(`${server.url}/desk/`);
  await signIn(page, { email: user.email, password: TEST_PASSWORD });
  await page.getByRole('heading', { name: firstHeading, level: 1 }).waitFor();
  await page.getByRole('navigation', { name: 'Workspaces' }).getByRole('link', { name: 'Admin' }).click();
  await page.getByRole('heading', { name: 'Admin', level: 1 }).waitFor();
  return page;
}

const tabs = (page: Page) => page.getByRole('tablist', { name: 'Admin sections' }).getByRole('tab');
const fits = (page: Page, width: number) => page.evaluate((w) => document.documentElement.scrollWidth <= w, width);
const nurseLine = () => server.context.routing.config.queues.find((q) => q.id === 'nurse-line')!;

describe('admin workspace: clinic settings', () => {
  it('an admin closes the nurse line for a day of training and routing answers with the new message at once', async () => {
    const page = await openAdmin(admin, 'History');
    expect(await tabs(page).allTextContents()).toEqual(['Users', 'Queues and hours', 'Wrap-up', 'Quick replies', 'Survey']);
    // Tabs by keyboard: arrow keys move and open.
    await tabs(page).first().focus();
    await page.keyboard.press('ArrowRight');
    await page.getByRole('tabpanel', { name: 'Queues and hours' }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Queues and hours');
    expect(page.url()).toMatch(/#\/admin\/queues$/);

    const form = page.getByRole('form', { name: 'Queues and hours' });
    await form.getByLabel('Queue to edit').selectOption({ label: 'Nurse line' });
    const always = form.getByRole('checkbox', { name: 'Open around the clock' });
    expect(await always.isChecked()).toBe(true);
    await always.uncheck();
    // Weekday defaults appear in the browser's zone; close every day and add today as a holiday.
    expect(await form.getByLabel('Time zone').inputValue()).toBe('America/Chicago');
    for (const day of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday']) {
      await form.getByRole('button', { name: new RegExp(`^Remove ${day} `) }).click();
    }
    expect(await form.getByText('Closed', { exact: true }).count()).toBe(7);
    await form.getByLabel('Holiday to add').fill('2026-12-24');
    await form.getByRole('button', { name: 'Add holiday' }).click();
    await form.getByRole('button', { name: 'Remove the holiday 2026-12-24' }).waitFor();
    await form.getByLabel('Message when closed').fill('The nurse line is closed today for training. In an emergency call 911.');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: '/tmp/carebridge-admin-queues-1280.png', fullPage: true });
    await form.getByRole('button', { name: 'Save queues and hours' }).click();
    await expect.poll(() => form.getByRole('status').first().textContent()).toMatch(/Saved: in force now \(version 1\)/);

    // In force at once: no windows, the holiday, and a chat for the nurse line is answered with the message.
    expect(nurseLine().businessHours).toMatchObject({ timeZone: 'America/Chicago', weekly: {}, holidays: ['2026-12-24'] });
    const outcome = server.context.routing.enqueue({ conversationId: randomUUID(), queueId: 'nurse-line' });
    expect(outcome).toMatchObject({ ok: true, value: { outcome: 'out-of-hours', message: 'The nurse line is closed today for training. In an emergency call 911.' } });
    await expect.poll(() => form.getByText(/Last saved by Ada Admin/).count()).toBe(1);

    // Open it again around the clock.
    await always.check();
    await form.getByRole('button', { name: 'Save queues and hours' }).click();
    await expect.poll(() => form.getByRole('status').first().textContent()).toMatch(/version 2/);
    expect(nurseLine().businessHours).toBeNull();
  });

  it('an admin changes the disposition list and the desk offers the new one; a save that raced another admin is refused', async () => {
    const page = await openAdmin(admin, 'History');
    await page.getByRole('tab', { name: 'Wrap-up' }).click();
    const form = page.getByRole('form', { name: 'Wrap-up settings' });
    await form.getByRole('button', { name: 'Add a disposition' }).click();
    const labels = form.getByRole('textbox', { name: 'Label' });
    await labels.last().fill('Referred to care team');
    expect(await form.getByRole('textbox', { name: 'Code (for reports)' }).last().inputValue()).toBe('referred-to-care-team');
    await form.getByRole('button', { name: 'Remove Billing follow-up needed' }).click();
    await form.getByRole('button', { name: 'Save wrap-up settings' }).click();
    await expect.poll(() => form.getByRole('status').first().textContent()).toMatch(/Saved/);
    const codes = server.context.conversations.settings.dispositions.map((d) => d.code);
    expect(codes).toContain('referred-to-care-team');
    expect(codes).not.toContain('billing-followup');

    // The desk's disposition choices (History's filter reads them) change without a reload.
    await page.getByRole('navigation', { name: 'Workspaces' }).getByRole('link', { name: 'History' }).click();
    const choices = page.getByLabel('Disposition').locator('option');
    await expect.poll(() => choices.allTextContents()).toContain('Referred to care team');
    expect(await choices.allTextContents()).not.toContain('Billing follow-up needed');

    // Another admin saves first: this save is refused, says so, and Reload shows theirs.
    await page.getByRole('navigation', { name: 'Workspaces' }).getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('tab', { name: 'Wrap-up' }).click();
    await form.getByRole('spinbutton', { name: /Conversations an agent may have open/ }).fill('6');
    const current = server.context.clinicSettings.view('conversations');
    server.context.clinicSettings.update({ userId: admin.id, role: 'admin' }, 'conversations', { version: current.version, value: { ...current.value, maxSessions: 8 } });
    await form.getByRole('button', { name: 'Save wrap-up settings' }).click();
    const problem = form.getByRole('alert');
    await expect.poll(() => problem.textContent()).toMatch(/changed by someone else/);
    expect(server.context.conversations.settings.maxSessions).toBe(8);
    await problem.getByRole('button', { name: 'Reload the saved settings' }).click();
    await expect.poll(() => form.getByRole('spinbutton', { name: /Conversations an agent may have open/ }).inputValue()).toBe('8');
  });

  it('a desk already open picks up a saved disposition list without reloading', async () => {
    const agent = await createUser(server, { role: 'agent', displayName: 'Otto Open' });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    errors = watchErrors(page);
    await page.goto(`${server.url}/desk/`);
    await signIn(page, { email: agent.email, password: TEST_PASSWORD });
    await expect.poll(() => page.getByRole('status', { name: 'Connection' }).textContent()).toBe('Connected');
    await page.getByRole('navigation', { name: 'Workspaces' }).getByRole('link', { name: 'History' }).click();
    const choices = page.getByLabel('Disposition').locator('option');
    await expect.poll(() => choices.count()).toBeGreaterThan(1);
    expect(await choices.allTextContents()).not.toContain('Sent to the front desk');

    const current = server.context.clinicSettings.view('conversations');
    server.context.clinicSettings.update({ userId: admin.id, role: 'admin' }, 'conversations', {
      version: current.version,
      value: { ...current.value, dispositions: [...current.value.dispositions, { code: 'front-desk', label: 'Sent to the front desk' }] },
    });
    await expect.poll(() => choices.allTextContents()).toContain('Sent to the front desk');
  });

  it('a supervisor edits quick replies only', async () => {
    const page = await openAdmin(supervisor, 'Conversations');
    expect(await tabs(page).allTextContents()).toEqual(['Quick replies']);
    const form = page.getByRole('form', { name: 'Quick replies' });
    await form.getByRole('button', { name: 'Add a quick reply' }).click();
    await form.getByRole('textbox', { name: 'Shortcut' }).last().fill('parking');
    await form.getByRole('textbox', { name: 'Title' }).last().fill('Parking');
    await form.getByRole('textbox', { name: 'Text' }).last().fill('Visitor parking is free in the garage on Elm Street.');
    await form.getByRole('button', { name: 'Save quick replies' }).click();
    await expect.poll(() => form.getByRole('status').first().textContent()).toMatch(/Saved/);
    expect(server.context.conversations.settings.quickReplies.find((r) => r.shortcut === 'parking')?.title).toBe('Parking');
    // Finding one narrows the list.
    await form.getByLabel('Find a quick reply').fill('garage');
    await expect.poll(() => form.getByRole('textbox', { name: 'Shortcut' }).count()).toBe(1);
  });

  it('every tab passes axe and fits a phone-sized window', async () => {
    const page = await openAdmin(admin, 'History', { width: 390, height: 844 });
    for (const name of ['Users', 'Queues and hours', 'Wrap-up', 'Quick replies', 'Survey']) {
      await page.getByRole('tab', { name }).click();
      await page.getByRole('tabpanel', { name }).getByRole('heading', { name, level: 2 }).waitFor();
      await page.waitForFunction(() => !document.querySelector('.admin-panel .loading'));
      expect(await seriousAccessibilityViolations(page), name).toEqual([]);
      expect(await fits(page, 390), `${name} at 390 px`).toBe(true);
      if (name === 'Queues and hours') await page.screenshot({ path: '/tmp/carebridge-admin-queues-390.png', fullPage: true });
    }
    // The survey's JSON is checked as it is typed, and the server names what does not fit.
    const survey = page.getByRole('form', { name: 'Follow-up survey' });
    const text = survey.getByLabel('Survey definition (JSON)');
    const original = await text.inputValue();
    await text.fill(original.replace(/"questions": \[/, '"questions": [ oops'));
    await expect.poll(() => survey.getByRole('alert').textContent()).toMatch(/not valid JSON/);
    expect(await survey.getByRole('button', { name: 'Save the survey' }).isDisabled()).toBe(true);
    await text.fill(original.replace(/"type": "csat"/, '"type": "stars"'));
    await survey.getByRole('button', { name: 'Save the survey' }).click();
    await expect.poll(() => survey.getByRole('alert').textContent()).toMatch(/Question 1 \(type\): Invalid option/);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: '/tmp/carebridge-admin-survey-390.png', fullPage: true });
  });
});
