/**
 * Conversation history in Debian's Chromium against a real server: an agent finds last week's
 * conversation by a word from it, opens it read-only with its wrap-up, by mouse and by keyboard;
 * a supervisor lists everyone's by agent; empty results say so; axe at desktop and phone sizes.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestServer, type TestServer } from '@carebridge/server/testing/server';
import { createUser, TEST_PASSWORD } from '@carebridge/server/testing/accounts';
import { launchChromium, seriousAccessibilityViolations, signIn, watchErrors } from './support.js';

let server: TestServer;
type Actor = Parameters<TestServer['context']['conversations']['core']['createConversation']>[0];
let browser: Browser;
let context: BrowserContext;
let errors: string[];
let agent: { id: string; email: string };
let colleague: { id: string; email: string };

const staffActor = (userId: string): Actor => ({ kind: 'staff', userId, role: 'agent', displayName: null });

/** A visitor's chat with `agentId` in `queue`, closed with a disposition, started `daysAgo` days ago. */
function closedChat(visitorName: string, agentId: string, lines: [who: 'patient' | 'agent' | 'note', body: string][], daysAgo: number, disposition = 'resolved'): string {
  const { core, staff } = server.context.conversations;
  const visitor: Actor = { kind: 'visitor', userId: `visitor-${randomUUID()}`, displayName: visitorName };
  const row = core.createConversation(visitor, 'widget');
  core.handoff(row.id, { reason: 'patient-asked', intent: 'general', language: 'en', collectedAnswers: {}, summary: 'Asked for a person' });
  core.assignAgent(row.id, agentId);
  for (const [who, body] of lines) {
    core.sendMessage(who === 'patient' ? visitor : staffActor(agentId), { conversationId: row.id, clientMessageId: randomUUID(), body, ...(who === 'note' ? { kind: 'note' as const } : {}) });
  }
  staff.wrapup(staffActor(agentId), row.id);
  staff.close(staffActor(agentId), { conversationId: row.id, disposition, notes: `Notes for ${visitorName}` });
  const at = new Date(Date.now() - daysAgo * 86_400_000).toISOString();
  server.context.database.sqlite.prepare('UPDATE conversations SET created_at = ? WHERE id = ?').run(at, row.id);
  return row.id;
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer({ DESK_DIR: inject('deskDir'), PRESENCE_GRACE_MS: '60000' }), launchChromium()]);
  [agent, colleague] = await Promise.all([createUser(server, { role: 'agent', displayName: 'Hana History' }), createUser(server, { role: 'agent', displayName: 'Cole League' })]);
  closedChat('Rita Refill', agent.id, [['patient', 'My inhaler prescription needs a refill before the weekend'], ['agent', 'I have sent the refill request to the pharmacy.']], 7, 'info-provided');
  closedChat('Bill Payer', agent.id, [['patient', 'There is a double charge on my invoice'], ['note', 'Check the ledger first']], 3, 'billing-followup');
  closedChat('Ola Other', colleague.id, [['patient', 'Can I get a refill of my allergy tablets?']], 1);
  await server.context.conversations.idle();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});
afterEach(async () => {
  await context?.close();
  expect(errors).toEqual([]);
});

async function open(user: { email: string }, viewport = { width: 1280, height: 800 }): Promise<Page> {
  context = await browser.newContext({ viewport });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  errors = watchErrors(page);
  await page.goto(`${server.url}/desk/`);
  await signIn(page, { email: user.email, password: TEST_PASSWORD });
  await page.getByRole('heading', { name: 'Conversations', level: 1 }).waitFor();
  await page.getByRole('navigation', { name: 'Workspaces' }).getByRole('link', { name: 'History' }).click();
  await page.getByRole('heading', { name: 'History', level: 1 }).waitFor();
  return page;
}

const results = (page: Page) => page.getByRole('region', { name: 'Conversations found' });
const patientLinks = (page: Page) => results(page).getByRole('link', { name: /^Open the conversation with/ });
const linkNames = async (page: Page) => (await patientLinks(page).allTextContents()).map((t) => t.trim());

describe('conversation history', () => {
  it('an agent finds last week’s conversation by a word from it and reads it back with its wrap-up', async () => {
    const page = await open(agent);
    // Mine, newest first; the colleague's chat is not mine.
    await expect.poll(() => linkNames(page)).toEqual(['Bill Payer', 'Rita Refill']);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    // "/" puts the cursor in the search box; a word from the chat (stemmed: "refills") finds it, marked.
    await page.locator('body').click({ position: { x: 5, y: 400 } });
    await page.keyboard.press('/');
    const search = page.getByRole('searchbox', { name: 'Words or patient name' });
    expect(await search.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.type('refills');
    await page.keyboard.press('Enter');
    await expect.poll(() => linkNames(page)).toEqual(['Rita Refill']);
    expect(await results(page).locator('mark').first().textContent()).toMatch(/refill/i);
    // A word nobody wrote: said plainly.
    await search.fill('zeppelin');
    await search.press('Enter');
    await expect.poll(() => results(page).getByRole('status').textContent()).toContain('No conversations match “zeppelin”');
    await search.fill('inhaler');
    await search.press('Enter');
    await expect.poll(() => linkNames(page)).toEqual(['Rita Refill']);

    // Open it (keyboard): details, wrap-up, survey state and the transcript, read-only.
    await patientLinks(page).first().focus();
    await page.keyboard.press('Enter');
    const detail = page.getByRole('article', { name: 'Rita Refill', exact: true });
    await detail.waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Rita Refill');
    const wrapup = detail.getByRole('region', { name: 'Wrap-up' });
    await expect.poll(() => wrapup.textContent()).toContain('Information provided');
    expect(await wrapup.textContent()).toContain('Notes for Rita Refill');
    expect(await wrapup.textContent()).toContain('Hana History');
    await expect.poll(() => detail.getByRole('region', { name: 'Follow-up survey' }).textContent()).toMatch(/survey was offered|Offered, not answered/);
    const log = detail.getByRole('log', { name: 'Transcript with Rita Refill' });
    await expect.poll(() => log.textContent()).toContain('I have sent the refill request to the pharmacy.');
    expect(await detail.getByRole('combobox', { name: 'Message' }).count()).toBe(0);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: '/tmp/carebridge-history-1280.png' });

    // Filters apply at once: by disposition.
    await page.getByRole('button', { name: 'Back to the list' }).click();
    await search.fill('');
    await search.press('Enter');
    await page.getByLabel('Disposition').selectOption({ label: 'Billing follow-up needed' });
    await expect.poll(() => linkNames(page)).toEqual(['Bill Payer']);
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => linkNames(page)).toEqual(['Bill Payer', 'Rita Refill']);
    // Internal notes are found too, and "Everyone’s" is not an agent's choice.
    expect(await page.getByLabel('Whose').locator('option').allTextContents()).toEqual(['Mine', 'My queues']);
  });

  it('on a phone-sized window the list, the search and a conversation fit and pass axe', async () => {
    const page = await open(agent, { width: 390, height: 844 });
    await expect.poll(() => linkNames(page)).toEqual(['Bill Payer', 'Rita Refill']);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await patientLinks(page).first().click();
    const detail = page.getByRole('article', { name: 'Bill Payer', exact: true });
    await expect.poll(() => detail.getByRole('log').textContent()).toContain('Check the ledger first');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: '/tmp/carebridge-history-390.png', fullPage: true });
  });

  it('a supervisor sees everyone’s conversations and narrows them by agent', async () => {
    const supervisor = await createUser(server, { role: 'supervisor', displayName: 'Sue Pervisor' });
    const page = await open(supervisor);
    await expect.poll(() => linkNames(page)).toEqual(['Ola Other', 'Bill Payer', 'Rita Refill']);
    await page.getByLabel('Agent').selectOption({ label: 'Cole League' });
    await expect.poll(() => linkNames(page)).toEqual(['Ola Other']);
    await page.getByLabel('Agent').selectOption({ label: 'Any agent' });
    const search = page.getByRole('searchbox', { name: 'Words or patient name' });
    await search.fill('refill');
    await search.press('Enter');
    await expect.poll(() => linkNames(page)).toEqual(['Ola Other', 'Rita Refill']);
  });
});
