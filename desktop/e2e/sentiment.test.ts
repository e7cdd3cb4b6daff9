/**
 * Live sentiment end to end, in Debian's Chromium against a real server: a caller chats from the
 * portal's widget and an agent accepts; a supervisor watches the Supervisor workspace. The caller's
 * messages grow angrier → the agent's session tab badge turns negative with an alert, the Sentiment
 * panel's trend names the message behind the drop, and the supervisor's heat view shows the
 * conversation as negative.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { startTestServer, type TestServer } from '@carebridge/server/testing/server';
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
  server = await startTestServer({ DESK_DIR: inject('deskDir'), PORTAL_DIR: inject('portalDir'), ROUTING_ALWAYS_OPEN: '1', PRESENCE_GRACE_MS: '60000', ROUTING_OFFER_TIMEOUT_MS: '60000' });
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

describe('live sentiment (issue 13, done when)', () => {
  it('increasingly angry messages turn the agent’s tab badge and the supervisor’s view negative, with an alert', async () => {
    const desk = await newPage({ width: 1280, height: 800 });
    const agent = await createUser(server, { role: 'agent', displayName: 'Avery Agent' });
    await desk.goto(`${server.url}/desk/`);
    await signIn(desk, { email: agent.email, password: TEST_PASSWORD });
    await expect.poll(() => desk.getByRole('status', { name: 'Connection' }).textContent()).toBe('Connected');

    const patient = await newPage({ width: 390, height: 844 });
    const box = await widgetChatAcceptedBy(patient, desk, server.url, 'Rosa Delgado');

    // The supervisor watches (signed in once the chat is the agent's, so routing offers it to nobody else).
    const supervisor = await newPage({ width: 1280, height: 800 });
    const sky = await createUser(server, { role: 'supervisor', displayName: 'Sky Supervisor' });
    await supervisor.goto(`${server.url}/desk/#/supervisor`);
    await signIn(supervisor, { email: sky.email, password: TEST_PASSWORD });
    await supervisor.getByRole('heading', { name: 'Supervisor', level: 1 }).waitFor();


    const tab = desk.getByRole('tab', { name: /Rosa Delgado/ });
    for (const text of [
      'Hi, I am calling about my refill, it still has not been sent.',
      'I have been waiting for three days and nobody called me back.',
      'This is ridiculous. I am really frustrated and angry.',
      'This is the worst service ever, absolutely terrible and useless!!',
    ]) {
      await box.fill(text);
      await box.press('Enter');
      await expect.poll(() => innerText(desk.getByRole('log', { name: /^Transcript with / }))).toContain(text);
    }

    // The agent: the tab's badge is negative with an alert; the panel alerts and names the drop.
    await expect.poll(() => tab.textContent()).toMatch(/negative · alert/i);
    const panel = desk.getByRole('complementary', { name: 'Conversation context' }).getByRole('region', { name: 'Sentiment' });
    await panel.getByRole('alert').waitFor();
    expect(await innerText(panel)).toMatch(/negative/i);
    await expect.poll(() => innerText(panel.getByRole('list', { name: 'Drops in sentiment' }))).toMatch(/→ .*negative after/i);
    await desk.screenshot({ path: '/tmp/sentiment-agent-1280.png' });
    expect(await seriousAccessibilityViolations(desk)).toEqual([]);

    // The supervisor: the heat view shows the conversation as negative.
    const heat = supervisor.getByRole('region', { name: 'Patient sentiment' });
    const tile = heat.getByRole('button', { name: /^Rosa Delgado .*negative\s*: monitor$/i });
    await tile.waitFor();
    await expect.poll(() => innerText(heat.getByRole('status'))).toMatch(/1 conversation negative or worse/);
    await supervisor.screenshot({ path: '/tmp/sentiment-supervisor-1280.png' });
    expect(await seriousAccessibilityViolations(supervisor)).toEqual([]);
    await supervisor.setViewportSize({ width: 390, height: 844 });
    await tile.waitFor();
    await supervisor.screenshot({ path: '/tmp/sentiment-supervisor-390.png' });
    expect(await seriousAccessibilityViolations(supervisor)).toEqual([]);
  });
});
