/**
 * The agent inbox in Debian's Chromium against a real server and real patient sockets: an offer
 * with its handoff packet, accept, messages both ways (notes never reach the patient), quick
 * replies, receipts and typing, keyboard tab switching with unread counts, wrap-up with a
 * disposition; resend and resync across a server restart; drafts across a reload; transfer.
 */
import fs from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { startTestServer, type TestServer } from '@carebridge/server/testing/server';
import { createUser, TEST_PASSWORD } from '@carebridge/server/testing/accounts';
import { launchChromium, seriousAccessibilityViolations, signIn, watchErrors } from './support.js';
import { visitorAsksForPerson, waitFor, type Visitor } from './patient-chat.js';

let server: TestServer;
let browser: Browser;
let contexts: BrowserContext[] = [];
let pageErrors: string[][] = [];
let visitors: Visitor[] = [];

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
// One server per test: every agent has every skill, so one test's agents must not get another's offers.
beforeEach(async () => {
  server = await startTestServer({ DESK_DIR: inject('deskDir'), ROUTING_ALWAYS_OPEN: '1', PRESENCE_GRACE_MS: '60000', ROUTING_OFFER_TIMEOUT_MS: '60000' });
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

async function agentDesk(displayName: string, role = 'agent'): Promise<{ page: Page; user: { id: string; email: string } }> {
  // A time zone of its own, so downloads show the reader's local times (not the server's).
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, timezoneId: 'America/Chicago' });
  contexts.push(context);
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  pageErrors.push(watchErrors(page));
  const user = await createUser(server, { role, displayName });
  await page.goto(`${server.url}/desk/`);
  await signIn(page, { email: user.email, password: TEST_PASSWORD });
  await expect.poll(() => page.getByRole('status', { name: 'Connection' }).textContent()).toBe('Connected');
  await page.getByRole('heading', { name: 'Conversations', level: 1 }).waitFor();
  return { page, user };
}

async function visitor(name: string): Promise<Visitor> {
  const v = await visitorAsksForPerson(server, name);
  visitors.push(v);
  return v;
}

const transcript = (page: Page, name: string) => page.getByRole('log', { name: `Transcript with ${name}` });
const composer = (page: Page) => page.getByRole('combobox', { name: 'Message' });

describe('agent inbox', () => {
  it('an agent’s own quick replies, kept in Settings, come first and replace the clinic’s with the same shortcut', async () => {
    const { page } = await agentDesk('Quinn Quick');
    await page.getByRole('navigation', { name: 'Workspaces' }).getByRole('link', { name: 'Settings' }).click();
    const mine = page.getByRole('form', { name: 'My quick replies' });
    await mine.getByText('No quick replies yet.').waitFor();
    for (const [shortcut, title, body] of [
      ['hours', 'My hours', 'I am at the desk until 3 pm today; a colleague takes over after that.'],
      ['parking', 'Parking', 'Visitor parking is free in the garage on Elm Street.'],
    ]) {
      await mine.getByRole('button', { name: 'Add a quick reply' }).click();
      await mine.getByRole('textbox', { name: 'Shortcut' }).last().fill(shortcut!);
      await mine.getByRole('textbox', { name: 'Title' }).last().fill(title!);
      await mine.getByRole('textbox', { name: 'Text' }).last().fill(body!);
    }
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await mine.getByRole('button', { name: 'Save my quick replies' }).click();
    await expect.poll(() => mine.getByRole('status').textContent()).toBe('Saved: 2 quick replies of your own.');

    await page.getByRole('navigation', { name: 'Workspaces' }).getByRole('link', { name: 'Conversations' }).click();
    const quinnie = await visitor('Quinnie');
    await page.getByRole('article', { name: 'Offer: general queue' }).getByRole('button', { name: 'Accept' }).click();
    await composer(page).waitFor();
    await composer(page).fill('/q ho');
    const suggestions = page.getByRole('listbox', { name: 'Quick replies' });
    await expect.poll(() => suggestions.getByRole('option').allTextContents()).toEqual(['/hours My hours', '/hold Please hold']);
    await composer(page).fill('/q parking');
    await composer(page).press('Tab');
    await composer(page).press('Enter');
    await quinnie.received('Visitor parking is free in the garage on Elm Street.');
  });

  it('offer → accept → messages both ways, notes stay internal, /q, receipts, typing, tabs by keyboard, wrap-up and close', async () => {
    const { page } = await agentDesk('Alex Agent');
    await page.getByText('No conversations yet — offers appear here').waitFor();

    const vera = await visitor('Vera');
    const offer = page.getByRole('article', { name: 'Offer: general queue' });
    await offer.waitFor();
    // The handoff packet, the queue, a countdown and why this agent was chosen.
    const packet = offer.getByRole('definition');
    expect(await packet.allTextContents()).toEqual(expect.arrayContaining(['Patient asked for a person']));
    expect(await offer.getByLabel(/Expires in \d+ seconds/).count()).toBe(1);
    expect(await offer.textContent()).toContain('Chosen as the only eligible agent');
    await offer.getByRole('button', { name: 'Accept' }).click();

    const veraTab = page.getByRole('tab', { name: /Vera/ });
    await expect.poll(() => veraTab.getAttribute('aria-selected')).toBe('true');
    expect(page.url()).toContain(`#/conversations/${vera.conversationId}`);
    expect(await page.getByRole('tabpanel').getByRole('heading', { name: 'Vera' }).count()).toBe(1);
    // The bot part of the transcript came along, and the agent's arrival is a system line.
    const log = transcript(page, 'Vera');
    await expect.poll(() => log.getByRole('article', { name: /^Bot/ }).count()).toBeGreaterThan(0);
    await expect.poll(() => log.textContent()).toContain('I want to talk to a person');

    // Patient → agent, with typing shown while the patient types.
    await vera.socket.emitWithAck('typing', { conversationId: vera.conversationId, typing: true });
    await expect.poll(() => page.getByRole('status', { name: 'Typing' }).textContent()).toBe('Vera is typing…');
    await vera.send('Hello, is anyone there?');
    await expect.poll(() => log.getByRole('article', { name: /^Vera/ }).last().textContent()).toContain('Hello, is anyone there?');
    await expect.poll(() => page.getByRole('status', { name: 'Typing' }).textContent()).toBe('');

    // Agent → patient with Enter; Shift+Enter makes a new line.
    await composer(page).fill('Hi Vera, I can help.');
    await composer(page).press('Shift+Enter');
    await composer(page).pressSequentially('What do you need?');
    await composer(page).press('Enter');
    const hello = await vera.received('Hi Vera, I can help.\nWhat do you need?');
    expect(hello.sender.kind).toBe('agent');
    expect(await composer(page).inputValue()).toBe('');
    // The patient's read receipt turns the tick into "Read".
    await vera.socket.emitWithAck('receipt', { conversationId: vera.conversationId, seq: hello.seq, kind: 'read' });
    await expect.poll(() => log.getByRole('article', { name: /^You/ }).last().getByLabel('Read').count()).toBe(1);

    // An internal note with /n: shown as a note, never sent to the patient.
    await composer(page).fill('/n Check the chart before answering');
    // The note switch shows that what is typed is a note.
    expect(await page.getByRole('switch', { name: 'Internal note' }).isChecked()).toBe(true);
    await composer(page).press('Enter');
    await expect.poll(() => log.getByRole('article', { name: /internal note/ }).textContent()).toContain('Check the chart before answering');

    // /q: the suggestion list filters, Tab picks, Enter sends.
    await composer(page).fill('/q ho');
    const suggestions = page.getByRole('listbox', { name: 'Quick replies' });
    expect(await suggestions.getByRole('option').allTextContents()).toEqual(['/hours Opening hours', '/hold Please hold']);
    await composer(page).press('Tab');
    expect(await composer(page).inputValue()).toContain('Our patient service center is open Monday to Friday');
    await composer(page).press('Enter');
    await vera.received('Our patient service center is open Monday to Friday 8 am to 6 pm and Saturday 9 am to 1 pm (Eastern). The nurse line answers around the clock.');
    expect(vera.messages.some((m) => m.kind === 'note' || m.body.includes('Check the chart'))).toBe(false);
    // A typo'd command is not sent to the patient.
    await composer(page).fill('/w whatever');
    await composer(page).press('Enter');
    await expect.poll(() => page.getByRole('tabpanel').getByRole('alert').textContent()).toContain('/w is not a command');
    await composer(page).fill('');

    // A second chat, accepted with Ctrl+Shift+A.
    const walt = await visitor('Walt');
    await page.getByRole('article', { name: 'Offer: general queue' }).waitFor();
    await page.keyboard.press('Control+Shift+A');
    const waltTab = page.getByRole('tab', { name: /Walt/ });
    await expect.poll(() => waltTab.getAttribute('aria-selected')).toBe('true');
    expect(await page.getByRole('tablist', { name: 'Open conversations' }).getByRole('tab').count()).toBe(2);

    // A message in the background tab counts as unread (and on the badge/title).
    await vera.send('Are you still with me?');
    await expect.poll(() => veraTab.textContent()).toContain('1 unread');
    await expect.poll(() => page.title()).toMatch(/^\(1\) /);
    await page.keyboard.press('Control+Alt+1');
    await expect.poll(() => veraTab.getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => veraTab.textContent()).not.toContain('unread');
    await page.keyboard.press('Control+Alt+ArrowRight');
    await expect.poll(() => waltTab.getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('Control+Alt+ArrowRight');
    await expect.poll(() => veraTab.getAttribute('aria-selected')).toBe('true');

    // End chat asks first; Cancel leaves the chat as it was. Hand back to bot asks too.
    await page.getByRole('button', { name: 'End chat' }).click();
    const confirmEnd = page.getByRole('alertdialog', { name: 'End the chat with Vera?' });
    expect(await confirmEnd.textContent()).toContain('Vera can no longer write in this chat');
    await confirmEnd.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => confirmEnd.count()).toBe(0);
    expect(server.context.conversations.core.get(vera.conversationId)!.state).toBe('active');
    await page.getByRole('button', { name: 'Hand back to bot' }).click();
    const confirmHandBack = page.getByRole('alertdialog', { name: 'Hand Vera back to the bot?' });
    await confirmHandBack.getByRole('button', { name: 'Cancel' }).click();
    expect(server.context.conversations.core.get(vera.conversationId)!.state).toBe('active');
    // End chat → wrap-up: the disposition is required.
    await page.getByRole('button', { name: 'End chat' }).click();
    await confirmEnd.getByRole('button', { name: 'End chat' }).click();
    const wrapup = page.getByRole('form', { name: 'Wrap-up' });
    await wrapup.waitFor();
    await wrapup.getByRole('button', { name: 'Close conversation' }).click();
    await expect.poll(() => wrapup.getByRole('alert').textContent()).toBe('Choose a disposition before closing.');
    await wrapup.getByLabel('Disposition (required)').selectOption({ label: 'Resolved' });
    await wrapup.getByLabel('Wrap-up notes').fill('Explained opening hours.');
    await wrapup.getByRole('button', { name: 'Close conversation' }).click();
    await expect.poll(() => veraTab.count()).toBe(0);
    await expect.poll(() => waltTab.getAttribute('aria-selected')).toBe('true');
    const closed = server.context.conversations.core.get(vera.conversationId)!;
    expect(closed.state).toBe('closed');
    expect(server.context.conversations.core.view(closed, 'staff').wrapup).toMatchObject({ disposition: 'resolved', notes: 'Explained opening hours.' });
    await page.screenshot({ path: '/tmp/carebridge-inbox.png' });

    // Walt ends the chat himself: the agent still records the wrap-up (the tab says so).
    await walt.socket.emitWithAck('conversation:end', { conversationId: walt.conversationId });
    const waltWrapup = page.getByRole('form', { name: 'Wrap-up' });
    await expect.poll(() => waltWrapup.textContent()).toContain('The patient ended the chat.');
    expect(await waltTab.textContent()).toContain('wrap-up');
    expect(await page.getByRole('button', { name: 'Close tab' }).count()).toBe(0);
    await waltWrapup.getByLabel('Disposition (required)').selectOption({ label: 'Resolved' });
    await waltWrapup.getByRole('button', { name: 'Save wrap-up' }).click();
    await expect.poll(() => waltTab.count()).toBe(0);
    const ended = server.context.conversations.core.get(walt.conversationId)!;
    expect(server.context.conversations.core.view(ended, 'staff').wrapup).toMatchObject({ disposition: 'resolved' });
  }, 90_000);

  it('missed offers pause new chats and say so; the open chat stays; Available brings the waiting chats back', async () => {
    // Short offers for this test only.
    await server.close();
    server = await startTestServer({ DESK_DIR: inject('deskDir'), ROUTING_ALWAYS_OPEN: '1', PRESENCE_GRACE_MS: '60000', ROUTING_OFFER_TIMEOUT_MS: '1500' });
    const { page } = await agentDesk('Alex Agent');
    const vera = await visitor('Vera');
    await page.getByRole('article', { name: 'Offer: general queue' }).getByRole('button', { name: 'Accept' }).click();
    await transcript(page, 'Vera').waitFor();
    await visitor('Kim');
    await visitor('Lee');
    await expect.poll(() => page.getByRole('article', { name: 'Offer: general queue' }).count()).toBe(2);
    // Both expire unanswered: new chats pause, the desk says why, and Vera's chat is still here.
    const presence = page.getByRole('combobox', { name: 'Presence' });
    await expect.poll(() => presence.inputValue(), { timeout: 6000 }).toBe('away');
    await expect.poll(() => page.getByRole('banner').textContent()).toContain('New chats paused');
    expect(await presence.evaluate((el) => document.getElementById(el.getAttribute('aria-describedby') ?? '')?.textContent)).toContain('Your open chats stay yours');
    expect(await page.getByRole('article', { name: 'Offer: general queue' }).count()).toBe(0);
    await composer(page).fill('Still with you, Vera.');
    await composer(page).press('Enter');
    await vera.received('Still with you, Vera.');
    // Available again: both waiting chats are offered at once.
    await presence.selectOption('available');
    await expect.poll(() => page.getByRole('article', { name: 'Offer: general queue' }).count()).toBe(2);
    expect(await page.getByRole('banner').textContent()).not.toContain('New chats paused');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });

  it('layout: offers have their own pane, the header and the composer stay in view; offers stay compact on a phone', async () => {
    const { page } = await agentDesk('Lou Layout');
    await page.setViewportSize({ width: 1280, height: 800 });
    const vera = await visitor('Vera');
    await page.getByRole('article', { name: 'Offer: general queue' }).getByRole('button', { name: 'Accept' }).click();
    const log = transcript(page, 'Vera');
    await log.waitFor();
    for (let i = 1; i <= 16; i++) await vera.send(`Question ${i} about my appointment next week`);
    await expect.poll(() => log.textContent()).toContain('Question 16');
    await visitor('Walt');
    await visitor('Wanda');
    await expect.poll(() => page.getByRole('article', { name: 'Offer: general queue' }).count()).toBe(2);

    const inView = async (name: 'End chat' | 'Transfer') => {
      const box = await page.getByRole('tabpanel').getByRole('button', { name, exact: true }).boundingBox();
      return box !== null && box.y >= 0 && box.y + box.height <= 800;
    };
    const composerBox = async () => (await composer(page).boundingBox())!;
    // Offers beside the conversation, not above it: the conversation starts at the top of the panes.
    const offersBox = (await page.getByRole('list', { name: 'Offers waiting for an answer' }).boundingBox())!;
    const panelBox = (await page.getByRole('tabpanel').boundingBox())!;
    expect(panelBox.x).toBeGreaterThanOrEqual(offersBox.x + offersBox.width);
    expect(panelBox.y).toBeLessThan(offersBox.y + 40);
    expect(await inView('End chat')).toBe(true);
    expect(await inView('Transfer')).toBe(true);
    const c = await composerBox();
    expect(c.y + c.height).toBeLessThanOrEqual(800);
    // Scrolling back through the transcript moves the messages only.
    // New messages from the patient are announced once, by a live region of their own; the
    // virtualized log is not live, so scrolling back (which renders old messages) announces nothing.
    const announcer = page.getByTestId('transcript-announcer');
    await expect.poll(() => announcer.textContent()).toContain('Vera: Question 16 about my appointment next week');
    expect(await log.getAttribute('aria-live')).toBe('off');
    const announced = await announcer.textContent();
    await log.evaluate((el) => (el.scrollTop = 0));
    await page.mouse.wheel(0, -2000);
    await expect.poll(() => log.textContent()).toContain('Question 1 about');
    expect(await announcer.textContent()).toBe(announced);
    expect(await announcer.textContent()).not.toContain('Question 1 about');
    expect(await inView('End chat')).toBe(true);
    expect((await composerBox()).y).toBeCloseTo(c.y, 0);
    expect(await page.evaluate(() => document.scrollingElement!.scrollTop)).toBe(0);

    // A phone-sized window: each offer is a short card (reason, countdown, Accept, Decline), the
    // offers take at most about a third of the screen, and the conversation follows.
    await page.setViewportSize({ width: 390, height: 844 });
    const cards = page.getByRole('article', { name: 'Offer: general queue' });
    await expect.poll(async () => (await cards.first().boundingBox())!.height).toBeLessThan(160);
    expect(await cards.first().textContent()).toContain('Patient asked for a person');
    expect((await page.getByRole('list', { name: 'Offers waiting for an answer' }).boundingBox())!.height).toBeLessThanOrEqual(844 * 0.35);
    const heading = page.getByRole('tabpanel').getByRole('heading', { name: 'Vera' });
    expect((await heading.boundingBox())!.y).toBeLessThan(844);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    // Hand back to the bot, confirmed: the chat leaves the tabs and the bot has it again.
    await page.getByRole('button', { name: 'Hand back to bot' }).click();
    await page.getByRole('alertdialog', { name: 'Hand Vera back to the bot?' }).getByRole('button', { name: 'Hand back to bot' }).click();
    await expect.poll(() => page.getByRole('tab', { name: /Vera/ }).count()).toBe(0);
    expect(server.context.conversations.core.get(vera.conversationId)!.state).toBe('bot');
  });

  it('keyboard: focus is never left on the page body; shortcuts reach the message box and end the chat; offers are announced', async () => {
    const { page } = await agentDesk('Kai Keyboard');
    const focused = () => page.evaluate(() => (document.activeElement === document.body ? 'BODY' : (document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.id ?? document.activeElement?.tagName)));
    // Signed in: focus is on the workspace.
    await expect.poll(focused).toBe('main');
    const status = page.getByRole('status', { name: 'Status message' });
    const vera = await visitor('Vera');
    await expect.poll(() => status.textContent()).toContain('New offer from the general queue');
    // Accept by keyboard: focus lands in the message box once the transcript is there.
    await page.keyboard.press('Control+Shift+A');
    await transcript(page, 'Vera').waitFor();
    await expect.poll(focused).toBe('Message');
    await page.keyboard.type('Hello Vera');
    await page.keyboard.press('Enter');
    await vera.received('Hello Vera');
    // Away from it and back with Ctrl+Shift+M.
    await page.getByRole('button', { name: 'Download transcript' }).focus();
    await page.keyboard.press('Control+Shift+M');
    await expect.poll(focused).toBe('Message');
    // A dialog gives focus back to what opened it.
    await page.getByRole('button', { name: 'Transfer' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Transfer conversation' });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Transfer');
    // Ctrl+Shift+E asks first (Cancel is the default), then ends the chat; focus moves to the wrap-up.
    await page.keyboard.press('Control+Shift+E');
    const confirmEnd = page.getByRole('alertdialog', { name: 'End the chat with Vera?' });
    await confirmEnd.waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('form', { name: 'Wrap-up' }).waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest('form.wrapup') !== null && document.activeElement?.tagName === 'SELECT')).toBe(true);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });

  it('resends what was typed while the server was down exactly once, and resyncs what was missed', async () => {
    const { page, user } = await agentDesk('Robin Agent');
    const vera = await visitor('Vera');
    await page.getByRole('article', { name: 'Offer: general queue' }).getByRole('button', { name: 'Accept' }).click();
    const log = transcript(page, 'Vera');
    await expect.poll(() => log.textContent()).toContain('I want to talk to a person');

    await server.restart({
      whileDown: async () => {
        await expect.poll(() => page.getByRole('status', { name: 'Connection' }).textContent()).toBe('Reconnecting…');
        await composer(page).fill('Sent while offline');
        await composer(page).press('Enter');
        await expect.poll(() => log.getByRole('article', { name: 'You, Waiting for the connection' }).count()).toBe(1);
      },
    });
    await expect.poll(() => page.getByRole('status', { name: 'Connection' }).textContent(), { timeout: 10_000 }).toBe('Connected');
    await expect.poll(() => log.getByRole('article', { name: /^You, \d/ }).last().textContent(), { timeout: 10_000 }).toContain('Sent while offline');
    expect(await log.getByRole('article', { name: /^You, (Sending|Waiting)/ }).count()).toBe(0);
    const stored = server.context.conversations.core.sync({ kind: 'staff', userId: user.id, role: 'agent', displayName: null }, vera.conversationId, 0);
    expect(stored.messages.filter((m) => m.body === 'Sent while offline')).toHaveLength(1);

    // The patient's socket reconnects by itself; what it says now reaches the desk.
    await waitFor(() => vera.socket.connected, 10_000, 'the patient to reconnect');
    await vera.send('I am back too');
    await expect.poll(() => log.textContent()).toContain('I am back too');
  });

  it('keeps a draft per conversation across a reload', async () => {
    const { page, user } = await agentDesk('Drew Agent');
    const vera = await visitor('Vera');
    await page.getByRole('article', { name: 'Offer: general queue' }).getByRole('button', { name: 'Accept' }).click();
    await composer(page).fill('Half-written answer about the bill');
    await page.waitForTimeout(600);
    await page.reload();
    await signIn(page, { email: user.email, password: TEST_PASSWORD });
    await expect.poll(() => page.getByRole('tab', { name: /Vera/ }).getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => composer(page).inputValue()).toBe('Half-written answer about the bill');
    void vera;
  });

  it('transfers a chat to a colleague with a note; the colleague gets it at once', async () => {
    const first = await agentDesk('Alex Agent');
    const vera = await visitor('Vera');
    await first.page.getByRole('article', { name: 'Offer: general queue' }).getByRole('button', { name: 'Accept' }).click();
    await first.page.getByRole('tab', { name: /Vera/ }).waitFor();
    const second = await agentDesk('Blair Agent');

    await composer(first.page).fill('/t');
    await composer(first.page).press('Enter');
    const dialog = first.page.getByRole('dialog', { name: 'Transfer conversation' });
    await dialog.getByRole('combobox', { name: 'Colleague', exact: true }).selectOption(second.user.id);
    await dialog.getByLabel('Note for the colleague (optional)').fill('Billing question, already verified');
    await dialog.getByRole('button', { name: 'Transfer' }).click();
    await expect.poll(() => first.page.getByRole('tab', { name: /Vera/ }).count()).toBe(0);

    const tab = second.page.getByRole('tab', { name: /Vera/ });
    await tab.waitFor();
    await tab.click();
    await expect.poll(() => second.page.getByRole('note', { name: 'Note from your colleague' }).textContent()).toBe('Billing question, already verified');
    await expect.poll(() => transcript(second.page, 'Vera').textContent()).toContain('I want to talk to a person');
    await composer(second.page).fill('Hello Vera, Blair here.');
    await composer(second.page).press('Enter');
    await vera.received('Hello Vera, Blair here.');
  });

  it('consults a colleague, who writes notes only until added to the chat', async () => {
    const alex = await agentDesk('Alex Agent');
    const vera = await visitor('Vera');
    await alex.page.getByRole('article', { name: 'Offer: general queue' }).getByRole('button', { name: 'Accept' }).click();
    await alex.page.getByRole('tab', { name: /Vera/ }).waitFor();
    const blair = await agentDesk('Blair Agent');

    await composer(alex.page).fill('/c');
    await composer(alex.page).press('Enter');
    const dialog = alex.page.getByRole('dialog', { name: 'Consult a colleague' });
    await dialog.getByRole('combobox', { name: 'Colleague' }).selectOption(blair.user.id);
    await dialog.getByRole('textbox', { name: 'Question for the colleague (optional)' }).fill('Can we waive the fee?');
    await dialog.getByRole('button', { name: 'Invite' }).click();

    const tab = blair.page.getByRole('tab', { name: /Vera/ });
    await tab.click();
    const noteSwitch = blair.page.getByRole('switch', { name: 'Internal note' });
    await expect.poll(() => noteSwitch.isChecked()).toBe(true);
    expect(await noteSwitch.isDisabled()).toBe(true);
    // A mention autocompletes from the colleagues list and is highlighted in the note.
    await composer(blair.page).pressSequentially('Yes @Al');
    await blair.page.getByRole('listbox', { name: 'Colleagues' }).getByRole('option', { name: /Alex Agent/ }).waitFor();
    await composer(blair.page).press('Enter');
    // The pick replaces the typed prefix and moves the caret after the name; type on once it has.
    await expect.poll(() => composer(blair.page).inputValue()).toBe('Yes @Alex Agent ');
    await composer(blair.page).pressSequentially('may approve it');
    await composer(blair.page).press('Enter');
    const note = transcript(alex.page, 'Vera').getByRole('article', { name: /internal note/ }).last();
    await expect.poll(() => note.textContent()).toContain('Yes @Alex Agent may approve it');
    expect(await note.getByText('@Alex Agent').evaluate((el) => el.tagName)).toBe('MARK');
    // The mentioned colleague is told.
    await expect.poll(() => alex.page.getByRole('status', { name: 'Status message' }).textContent()).toContain('A colleague mentioned you in a note (Vera): “Yes @Alex Agent may approve it”');

    await alex.page.getByRole('button', { name: 'Add Blair Agent to the chat' }).click();
    await expect.poll(() => noteSwitch.isDisabled()).toBe(false);
    await noteSwitch.uncheck();
    await composer(blair.page).fill('Hello Vera, I can waive the fee.');
    await composer(blair.page).press('Enter');
    await vera.received('Hello Vera, I can waive the fee.');
    expect(vera.messages.some((m) => m.body.includes('may approve it'))).toBe(false);
  });

  it('the context pane shows the registered panels for the selected conversation, an empty state without one, and folds by keyboard', async () => {
    const { page } = await agentDesk('Alex Agent');
    const context = page.getByRole('complementary', { name: 'Conversation context' });
    await expect.poll(() => context.textContent()).toContain('No conversation selected');
    expect(await context.getByRole('region').count()).toBe(0);

    const vera = await visitor('Vera');
    await page.getByRole('article', { name: 'Offer: general queue' }).getByRole('button', { name: 'Accept' }).click();
    await page.getByRole('tab', { name: /Vera/ }).waitFor();
    // The registered "Conversation details" panel, for this conversation.
    const details = context.getByRole('region', { name: 'Conversation details' });
    await details.waitFor();
    expect(await context.textContent()).not.toContain('No conversation selected');
    await expect.poll(() => details.getByRole('definition').allTextContents()).toEqual(expect.arrayContaining(['Vera', 'Portal chat', 'Active', 'general', 'Patient asked for a person']));
    expect(await details.getByRole('list', { name: 'Participants' }).textContent()).toContain('Alex Agent');
    // Collapsible with a named toggle, reachable and operable from the keyboard.
    const toggle = details.getByRole('button', { name: 'Conversation details' });
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    await toggle.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await details.getByRole('definition').count()).toBe(0);
    await page.keyboard.press('Space');
    await expect.poll(() => toggle.getAttribute('aria-expanded')).toBe('true');
    // Three panes side by side at 1280×800 with the composer in view.
    await page.setViewportSize({ width: 1280, height: 800 });
    const [tabs, panel, aside] = await Promise.all([
      page.getByRole('tablist', { name: 'Open conversations' }).boundingBox(),
      page.getByRole('tabpanel').boundingBox(),
      context.boundingBox(),
    ]);
    expect(tabs!.x + tabs!.width).toBeLessThanOrEqual(panel!.x);
    expect(panel!.x + panel!.width).toBeLessThanOrEqual(aside!.x);
    const box = await composer(page).boundingBox();
    expect(box!.y + box!.height).toBeLessThanOrEqual(800);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    // A phone-sized window: the panes stack, the context pane opens on request.
    await page.setViewportSize({ width: 390, height: 844 });
    await expect.poll(() => context.isVisible()).toBe(false);
    const contextButton = page.getByRole('button', { name: 'Context', exact: true });
    expect(await contextButton.getAttribute('aria-expanded')).toBe('false');
    await contextButton.click();
    await expect.poll(() => details.isVisible()).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await composer(page).fill('Hello from a small window');
    await composer(page).press('Enter');
    await vera.received('Hello from a small window');
  });

  it('attaches a PDF and an image; the image shows inline, the PDF and the transcript download', async () => {
    const { page } = await agentDesk('Alex Agent');
    const vera = await visitor('Vera');
    await page.getByRole('article', { name: 'Offer: general queue' }).getByRole('button', { name: 'Accept' }).click();
    await page.getByRole('tab', { name: /Vera/ }).waitFor();
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');
    await page.getByLabel('File to attach').setInputFiles({ name: 'lab-results.pdf', mimeType: 'application/pdf', buffer: pdf });
    const log = transcript(page, 'Vera');
    const download = log.getByRole('button', { name: /Download lab-results\.pdf/ });
    await download.waitFor();
    const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
    expect(file.suggestedFilename()).toBe('lab-results.pdf');
    const sent = await waitFor(() => vera.messages.find((m) => m.kind === 'attachment'), 5000, 'the attachment');
    expect(sent.attachment).toMatchObject({ fileName: 'lab-results.pdf', contentType: 'application/pdf' });

    // A 1×1 PNG: shown inline (a blob: URL, or a data: URL where the page's CSP forbids blob: images).
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
    await page.getByLabel('File to attach').setInputFiles({ name: 'rash.png', mimeType: 'image/png', buffer: png });
    const image = log.getByRole('img', { name: 'rash.png' });
    await image.waitFor();
    await expect.poll(() => image.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(1);

    // A type the clinic does not accept is refused before upload, with the reason.
    await page.getByLabel('File to attach').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    await expect.poll(() => page.getByRole('tabpanel').getByRole('alert').textContent()).toContain('only images (PNG, JPEG, GIF, WebP) and PDF files can');
    // The transcript as a text download.
    const [text] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download transcript' }).click()]);
    expect(text.suggestedFilename()).toBe(`conversation-${vera.conversationId}.txt`);
    const saved = await fs.readFile((await text.path())!, 'utf8');
    // The patient by name, the bot as the assistant, times in the reader's zone.
    expect(saved).toMatch(/\] Vera: I want to talk to a person/);
    expect(saved).toContain('\nTimes: America/Chicago\n');
    expect(saved).toMatch(/\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d C[SD]T\] Assistant: /);
  });
});
