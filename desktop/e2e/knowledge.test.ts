/**
 * The knowledge base in the desk, in Debian's Chromium against a real server with the shipped
 * articles: an agent in a chat searches "high blood pressure" in the Knowledge panel, sees the
 * hypertension article first, puts a passage in the message box and sends the article; the patient's
 * chat widget (in the portal, in another browser context) shows the card and its link opens the
 * article. A supervisor writes an article in the Knowledge workspace, submits it, publishes it and
 * finds it by search. axe on every step; screenshots at 1280×800 and 390×844.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { startTestServer, type TestServer } from '@carebridge/server/testing/server';
import { createUser, TEST_PASSWORD } from '@carebridge/server/testing/accounts';
import { launchChromium, seriousAccessibilityViolations, signIn, watchErrors } from './support.js';

let server: TestServer;
let browser: Browser;
let contexts: BrowserContext[] = [];
let pageErrors: string[][] = [];
const SHOTS = process.env.SCREENSHOT_DIR ?? path.join(process.env.TMPDIR ?? '/tmp', 'carebridge-knowledge-screenshots');

beforeAll(async () => {
  browser = await launchChromium();
  fs.mkdirSync(SHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  server = await startTestServer({ DESK_DIR: inject('deskDir'), PORTAL_DIR: inject('portalDir'), ROUTING_ALWAYS_OPEN: '1', PRESENCE_GRACE_MS: '60000', ROUTING_OFFER_TIMEOUT_MS: '60000' });
});
afterEach(async () => {
  for (const c of contexts) await c.close();
  contexts = [];
  await server.close();
  expect(pageErrors.flat()).toEqual([]);
  pageErrors = [];
});

async function newPage(viewport = { width: 1280, height: 800 }): Promise<Page> {
  // Clipboard access: text goes into the Monaco editor by paste, as people often do.
  const context = await browser.newContext({ viewport, permissions: ['clipboard-read', 'clipboard-write'] });
  contexts.push(context);
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  pageErrors.push(watchErrors(page));
  return page;
}

async function staffDesk(role: 'agent' | 'supervisor', viewport?: { width: number; height: number }): Promise<Page> {
  const page = await newPage(viewport);
  const user = await createUser(server, { role, displayName: role === 'agent' ? 'Avery Agent' : 'Sam Supervisor' });
  await page.goto(`${server.url}/desk/`);
  await signIn(page, { email: user.email, password: TEST_PASSWORD });
  await expect.poll(() => page.getByRole('status', { name: 'Connection' }).textContent()).toBe('Connected');
  return page;
}

const textOf = (page: Page, selector: Parameters<Page['getByRole']>) => page.getByRole(...selector).evaluate((el) => (el as HTMLElement).innerText);

describe('Knowledge panel', () => {
  it('finds the hypertension article first, inserts a passage and sends it; the widget shows the card', async () => {
    const desk = await staffDesk('agent');
    // The patient: an anonymous visitor chatting from the portal's widget.
    const patient = await newPage({ width: 390, height: 844 });
    await patient.goto(`${server.url}/portal/`);
    await patient.getByRole('button', { name: 'Chat with us' }).click();
    const chat = patient.getByRole('region', { name: 'Chat with Carebridge' });
    await chat.getByRole('textbox', { name: 'Your name' }).fill('Hana Patel');
    await chat.getByRole('combobox', { name: 'Reason for contacting us' }).selectOption('Prescriptions');
    await chat.getByRole('button', { name: 'Start chat' }).click();
    await chat.getByRole('group', { name: 'Suggested replies' }).getByRole('button', { name: 'Talk to a person' }).click();

    await desk.getByRole('article', { name: /^Offer:/ }).getByRole('button', { name: 'Accept' }).click();
    const context = desk.getByRole('complementary', { name: 'Conversation context' });
    const panel = context.getByRole('region', { name: 'Knowledge' });
    await panel.waitFor();
    await panel.getByRole('searchbox', { name: 'Search articles' }).fill('high blood pressure');
    const results = panel.getByRole('list', { name: 'Articles found' });
    await expect.poll(async () => (await results.getByRole('listitem').first().getByRole('button').textContent()) ?? '').toBe('High blood pressure (hypertension)');
    expect(await results.getByRole('listitem').first().locator('mark').count()).toBeGreaterThan(0);
    expect(await seriousAccessibilityViolations(desk)).toEqual([]);

    // Preview by keyboard, choose the second passage, insert it into the message box.
    await results.getByRole('button', { name: 'High blood pressure (hypertension)' }).focus();
    await desk.keyboard.press('Enter');
    const preview = panel.getByRole('region', { name: 'High blood pressure (hypertension)' });
    await preview.waitFor();
    const passages = preview.getByRole('group', { name: 'Choose a passage to insert' }).getByRole('radio');
    await passages.nth(1).check();
    await preview.getByRole('button', { name: 'Insert excerpt' }).click();
    const message = desk.getByRole('combobox', { name: 'Message' });
    await expect.poll(() => message.inputValue()).toContain('A reading has two numbers, such as 128/82.');
    await expect.poll(() => message.evaluate((el) => el === document.activeElement)).toBe(true);
    await desk.screenshot({ path: path.join(SHOTS, 'desk-knowledge-panel-1280.png') });

    await preview.getByRole('button', { name: 'Send to patient' }).click();
    await preview.getByRole('status').filter({ hasText: 'Sent “High blood pressure (hypertension)” to the patient.' }).waitFor();
    expect(await seriousAccessibilityViolations(desk)).toEqual([]);

    // The patient sees the card, with a link that opens the article in the portal.
    const card = chat.getByRole('log', { name: 'Messages' });
    await expect.poll(() => card.evaluate((el) => (el as HTMLElement).innerText)).toContain('High blood pressure (hypertension)');
    await expect.poll(() => card.evaluate((el) => (el as HTMLElement).innerText)).toContain('What high blood pressure is, the numbers that matter');
    const link = chat.getByRole('link', { name: 'Read the article' });
    expect(await link.getAttribute('href')).toBe(`${server.url}/portal/#/library/high-blood-pressure`);
    expect(await seriousAccessibilityViolations(patient)).toEqual([]);
    await patient.screenshot({ path: path.join(SHOTS, 'widget-article-card-390.png') });
    const [article] = await Promise.all([patient.context().waitForEvent('page'), link.click()]);
    pageErrors.push(watchErrors(article));
    await article.getByRole('heading', { name: 'High blood pressure (hypertension)', level: 1 }).waitFor();

    // The card is in the conversation as a message of kind card.
    const cards = server.context.database.sqlite.prepare("SELECT body FROM conversation_messages WHERE kind = 'card'").all() as Array<{ body: string }>;
    expect(cards).toHaveLength(1);
  });

  it('works at 390 px: the context pane opens and the panel searches', async () => {
    const desk = await staffDesk('agent', { width: 390, height: 844 });
    const patient = await newPage({ width: 390, height: 844 });
    await patient.goto(`${server.url}/portal/`);
    await patient.getByRole('button', { name: 'Chat with us' }).click();
    const chat = patient.getByRole('region', { name: 'Chat with Carebridge' });
    await chat.getByRole('textbox', { name: 'Your name' }).fill('Luis Ortega');
    await chat.getByRole('combobox', { name: 'Reason for contacting us' }).selectOption('Billing');
    await chat.getByRole('button', { name: 'Start chat' }).click();
    await chat.getByRole('group', { name: 'Suggested replies' }).getByRole('button', { name: 'Talk to a person' }).click();
    await desk.getByRole('article', { name: /^Offer:/ }).getByRole('button', { name: 'Accept' }).click();
    await desk.getByRole('button', { name: 'Context' }).click();
    const panel = desk.getByRole('region', { name: 'Knowledge' });
    await panel.getByRole('searchbox', { name: 'Search articles' }).fill('presion alta');
    await panel.getByRole('combobox', { name: 'Language' }).selectOption('es');
    await expect.poll(async () => (await panel.getByRole('list', { name: 'Articles found' }).getByRole('listitem').first().getByRole('button').textContent()) ?? '').toBe('Presión alta (hipertensión)');
    await panel.scrollIntoViewIfNeeded();
    expect(await seriousAccessibilityViolations(desk)).toEqual([]);
    await desk.screenshot({ path: path.join(SHOTS, 'desk-knowledge-panel-390.png') });
  });
});

describe('Knowledge workspace', () => {
  it('a supervisor writes an article with a live preview, submits it, publishes it and finds it', async () => {
    const desk = await staffDesk('supervisor');
    await desk.getByRole('link', { name: 'Knowledge' }).first().click();
    await desk.getByRole('heading', { name: 'Knowledge', level: 1 }).waitFor();
    await desk.getByRole('list').filter({ hasText: 'High blood pressure (hypertension)' }).first().waitFor();
    expect(await seriousAccessibilityViolations(desk)).toEqual([]);

    await desk.getByRole('link', { name: 'New article' }).click();
    const form = desk.getByRole('form', { name: 'New article' });
    await form.getByRole('textbox', { name: 'Title' }).fill('Flu clinic Saturdays');
    await form.getByRole('textbox', { name: 'Summary' }).fill('Walk-in flu shots on Saturday mornings in October and November.');
    await form.getByRole('textbox', { name: 'Category' }).fill('vaccines');
    await form.getByRole('textbox', { name: 'Tags (comma-separated)' }).fill('flu shot, walk in, saturday');
    await form.getByRole('textbox', { name: 'Owner' }).fill('Preventive Care Coordinator');
    // The Markdown editor is Monaco: text goes in by keyboard (select all, paste).
    await form.getByRole('textbox', { name: 'Article text (Markdown)' }).focus();
    await desk.keyboard.press('Control+A');
    await desk.evaluate((t) => navigator.clipboard.writeText(t), '## When\n\nEvery **Saturday** from 9 a.m. to noon in October and November.\n\n- No appointment needed\n- Bring your insurance card');
    await desk.keyboard.press('Control+V');
    const preview = form.getByRole('region', { name: 'Preview' });
    await preview.getByRole('heading', { name: 'When' }).waitFor();
    expect(await preview.locator('strong').textContent()).toBe('Saturday');
    expect(await seriousAccessibilityViolations(desk)).toEqual([]);
    await desk.screenshot({ path: path.join(SHOTS, 'desk-knowledge-editor-1280.png') });
    await form.getByRole('button', { name: 'Save draft' }).click();

    const article = desk.getByRole('article', { name: 'Flu clinic Saturdays' });
    await article.getByText(/^Draft · version 1/).waitFor();
    await article.getByRole('button', { name: 'Submit for review' }).click();
    await article.getByRole('status').filter({ hasText: 'Version 1 is waiting for review.' }).waitFor();
    await article.getByRole('button', { name: 'Publish version 1' }).click();
    await article.getByRole('status').filter({ hasText: 'Version 1 is published.' }).waitFor();
    await article.getByText(/^Published · version 1/).waitFor();
    expect(await seriousAccessibilityViolations(desk)).toEqual([]);

    // Found by search (a misspelling corrected), and shown in the history of versions.
    await desk.getByRole('navigation', { name: 'Knowledge' }).getByRole('link', { name: 'Browse' }).click();
    await desk.getByRole('searchbox', { name: 'Words' }).fill('saturdy flu clinic');
    await desk.getByRole('search', { name: 'Search articles' }).getByRole('button', { name: 'Search', exact: true }).click();
    const found = desk.getByRole('region', { name: 'Search results' });
    await expect.poll(async () => (await found.getByRole('link').first().textContent()) ?? '').toBe('Flu clinic Saturdays');
    expect(await textOf(desk, ['region', { name: 'Search results' }])).toContain('Showing results for “saturday flu clinic”');
    await found.getByRole('link', { name: 'Flu clinic Saturdays' }).click();
    await desk.getByRole('article', { name: 'Flu clinic Saturdays' }).getByRole('link', { name: 'Versions' }).click();
    await desk.getByRole('table').getByRole('row').nth(1).getByText('Published').waitFor();

    // Review due: the list editors work from.
    await desk.getByRole('link', { name: 'Review due' }).click();
    await desk.getByRole('heading', { name: 'Due for review' }).waitFor();
    expect(await seriousAccessibilityViolations(desk)).toEqual([]);
  });

  it('fits a phone: the workspace at 390 px', async () => {
    const desk = await staffDesk('supervisor', { width: 390, height: 844 });
    await desk.goto(`${desk.url().split('#')[0]}#/knowledge/asthma-basics`);
    await desk.getByRole('heading', { name: 'Asthma: control and flare-ups', level: 2 }).waitFor();
    expect(await seriousAccessibilityViolations(desk)).toEqual([]);
    await desk.screenshot({ path: path.join(SHOTS, 'desk-knowledge-article-390.png') });
  });
});
