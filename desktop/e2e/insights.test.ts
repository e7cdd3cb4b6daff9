/**
 * The Insights workspace in Debian's Chromium against a real server: two real chats are answered
 * and closed by a real agent socket; the supervisor opens Insights, picks Today, reads today's
 * conversations with the median and p90 first-response time the event log gives, exports the CSV
 * (with the keyboard) and the CSV has the same figures. Screenshots at 1280×800 and 390×844.
 */
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { InsightsReport, OfferEvent } from '@carebridge/server/contracts';
import { startTestServer, type TestServer } from '@carebridge/server/testing/server';
import { createUser, TEST_PASSWORD } from '@carebridge/server/testing/accounts';
import { launchChromium, seriousAccessibilityViolations, signIn, watchErrors } from './support.js';
import { visitorAsksForPerson, waitFor } from './patient-chat.js';

let server: TestServer;
let browser: Browser;
const sockets: Socket[] = [];

beforeAll(async () => {
  [server, browser] = await Promise.all([
    startTestServer({ DESK_DIR: inject('deskDir'), ROUTING_ALWAYS_OPEN: '1', ROUTING_OFFER_TIMEOUT_MS: '60000', CLINIC_TIME_ZONE: 'UTC' }),
    launchChromium(),
  ]);
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await browser?.close();
  await server?.close();
});

const seconds = (ms: number | null) => (ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`);

/** A real agent answers two chats (after different delays) and closes them. */
async function twoAnsweredChats(): Promise<void> {
  const agent = await createUser(server, { role: 'agent', displayName: 'Alex Agent' });
  const token = await server.tokenFor({ kind: 'staff', userId: agent.id, email: agent.email, role: 'agent', practitionerId: null });
  const socket = io(`${server.url}/staff`, { auth: { token }, transports: ['websocket'], forceNew: true });
  sockets.push(socket);
  const offers: OfferEvent[] = [];
  socket.on('offer:new', (o: OfferEvent) => offers.push(o));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  expect(await socket.emitWithAck('presence:set', { state: 'available' })).toMatchObject({ ok: true });
  for (const [name, delayMs] of [
    ['Vera', 300],
    ['Wes', 1200],
  ] as const) {
    const visitor = await visitorAsksForPerson(server, name);
    sockets.push(visitor.socket);
    const offer = await waitFor(() => offers.find((o) => o.conversationId === visitor.conversationId), 5000, 'the offer');
    expect(await socket.emitWithAck('offer:accept', { offerId: offer.offerId })).toMatchObject({ ok: true });
    await new Promise((r) => setTimeout(r, delayMs));
    expect(await socket.emitWithAck('message:send', { conversationId: visitor.conversationId, clientMessageId: randomUUID(), body: `Hello ${name}, how can I help?` })).toMatchObject({ ok: true });
    await visitor.received(`Hello ${name}, how can I help?`);
    expect(await socket.emitWithAck('conversation:close', { conversationId: visitor.conversationId, disposition: 'resolved' })).toMatchObject({ ok: true });
  }
}

async function openInsights(context: BrowserContext): Promise<{ page: Page; errors: string[]; token: string }> {
  const page = await context.newPage();
  const errors = watchErrors(page);
  const supervisor = await createUser(server, { role: 'supervisor', displayName: 'Sky Supervisor' });
  const token = await server.tokenFor({ kind: 'staff', userId: supervisor.id, email: supervisor.email, role: 'supervisor', practitionerId: null });
  await page.goto(`${server.url}/desk/#/conversations`);
  await signIn(page, { email: supervisor.email, password: TEST_PASSWORD });
  await page.getByRole('link', { name: 'Insights' }).click();
  await page.getByRole('heading', { name: 'Insights', level: 1 }).waitFor();
  return { page, errors, token };
}

describe('insights workspace', () => {
  it("shows today's conversations with median and p90 first-response time and exports the same figures as CSV", async () => {
    await twoAnsweredChats();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    context.setDefaultTimeout(10_000);
    const { page, errors, token } = await openInsights(context);
    const today = new Date().toISOString().slice(0, 10);

    await page.getByRole('group', { name: 'Date range' }).getByRole('button', { name: 'Today' }).click();
    expect(await page.getByRole('button', { name: 'Today' }).getAttribute('aria-pressed')).toBe('true');
    const table = page.getByRole('region', { name: `Report by day, ${today}` });
    const total = table.getByRole('row', { name: /^Total/ });
    await total.waitFor();

    // What the event log says, through the API: two conversations answered.
    const res = await fetch(`${server.url}/api/insights/report?from=${today}&to=${today}&groupBy=day`, { headers: { authorization: `Bearer ${token}` } });
    const report = (await res.json()) as InsightsReport;
    const fr = report.totals.firstResponse;
    expect(report.totals).toMatchObject({ conversations: 2, accepted: 2, handleTime: { count: 2 } });
    expect(fr.count).toBe(2);
    // Two answers, ~0.3 s and ~1.2 s after accept: the median is their mean, p90 the slower one.
    expect(fr.p90Ms!).toBeGreaterThan(fr.medianMs!);
    expect(fr.p90Ms!).toBeGreaterThanOrEqual(1200);

    const headers = await table.getByRole('columnheader').allTextContents();
    const cells = await total.getByRole('cell').allTextContents();
    const cell = (label: string) => cells[headers.indexOf(label) - 1];
    expect(cell('Conversations')).toBe('2');
    expect(cell('First response median')).toBe(seconds(fr.medianMs));
    expect(cell('First response p90')).toBe(seconds(fr.p90Ms));
    const tiles = page.getByLabel('Totals');
    expect(await tiles.textContent()).toContain(`First response median${seconds(fr.medianMs)}`);
    expect(await tiles.textContent()).toContain(`First response p90${seconds(fr.p90Ms)}`);
    // Charts speak a summary; the drawing itself is hidden from assistive technology.
    expect(await page.getByRole('img', { name: /^First response time, / }).getAttribute('aria-label')).toContain(`Median: ${Math.round(fr.medianMs! / 100) / 10} s`);

    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: '/tmp/carebridge-insights-1280.png' });
    await page.getByRole('region', { name: 'Charts per day' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: '/tmp/carebridge-insights-1280-charts.png' });

    // Export with the keyboard: the CSV holds the same figures as the page and the API.
    const exportButton = page.getByRole('button', { name: 'Export CSV' });
    await exportButton.focus();
    const [download] = await Promise.all([page.waitForEvent('download'), exportButton.press('Enter')]);
    expect(download.suggestedFilename()).toBe(`insights-${today}-to-${today}-by-day.csv`);
    const csv = fs.readFileSync((await download.path())!, 'utf8').trimEnd().split('\r\n').map((l) => l.split(','));
    const header = csv[0]!;
    const totalRow = csv.find((r) => r[0] === 'total')!;
    const csvValue = (column: string) => totalRow[header.indexOf(column)];
    expect(csvValue('conversations')).toBe('2');
    expect(csvValue('first_response_median_ms')).toBe(String(fr.medianMs));
    expect(csvValue('first_response_p90_ms')).toBe(String(fr.p90Ms));
    expect(seconds(Number(csvValue('first_response_median_ms')))).toBe(cell('First response median'));
    expect(seconds(Number(csvValue('first_response_p90_ms')))).toBe(cell('First response p90'));
    expect(csv.find((r) => r[0] === today)![header.indexOf('conversations')]).toBe('2');
    await expect.poll(() => page.getByRole('status').allTextContents()).toContain(`Exported the report from ${today} to ${today} by day as CSV.`);

    // The phone layout: the same page, one column.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('heading', { name: 'Figures' }).scrollIntoViewIfNeeded();
    expect(await page.getByRole('button', { name: 'Export CSV' }).isVisible()).toBe(true);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: '/tmp/carebridge-insights-390-table.png' });
    await page.getByRole('heading', { name: 'Insights', level: 1 }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: '/tmp/carebridge-insights-390.png' });
    await context.close();
    expect(errors).toEqual([]);
  }, 90_000);

  it('an empty range says so; grouping by agent names the agent', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(10_000);
    const { page, errors } = await openInsights(context);
    // The end first: a start before it more than 400 days back would be refused.
    await page.getByLabel('To', { exact: true }).fill('2024-01-31');
    await page.getByRole('alert').filter({ hasText: 'The start date is after the end date.' }).waitFor();
    await page.getByLabel('From', { exact: true }).fill('2024-01-01');
    await page.getByRole('status').filter({ hasText: 'No conversations from 2024-01-01 to 2024-01-31.' }).waitFor();
    await page.getByRole('button', { name: 'Today' }).click();
    await page.getByLabel('Group by').selectOption('agent');
    const today = new Date().toISOString().slice(0, 10);
    const row = page.getByRole('region', { name: `Report by agent, ${today}` }).getByRole('row', { name: /Alex Agent/ });
    await row.waitFor();
    expect((await row.getByRole('cell').allTextContents())[0]).toBe('2');
    await context.close();
    expect(errors).toEqual([]);
  }, 60_000);
});
