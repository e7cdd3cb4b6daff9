/**
 * Bot cards in the one-tag widget on a clinic site of another origin, against a real server whose bot
 * runs a small scenario imported over the API: a choice prompt's suggested actions (tap → the bot
 * continues, the buttons go inactive), an Adaptive Card with a choice set and a text input (submitted
 * → the bot receives the inputs as the message's value and answers with them), a hero card's
 * buttons, and a card whose renderer cannot load (its fallback text, and the chat goes on). The card
 * renderer (/widget-cards.js) loads only once a card arrives. In the portal (inline widget, strict
 * CSP without inline styles) the renderer is a chunk of its own and breaks no CSP rule.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { call, createPatient, createUser, TEST_PASSWORD } from '../../src/testing/accounts.js';
import { staffPrincipal } from '../../src/testing/conversations.js';
import { startTestServer, type TestServer } from '../../src/testing/server.js';
import { launchChromium, seriousAccessibilityViolations, startClinicSite, watchErrors, type ClinicSite } from './support.js';

let server: TestServer;
let clinic: ClinicSite;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];
let cardScriptRequests: number;

const step = (id: string, type: string, extra: object = {}, next?: string) => ({ id, type, designer: { xLocation: 0, yLocation: 0, ...(next ? { next } : {}) }, ...extra });
const contactCard = {
  type: 'AdaptiveCard',
  version: '1.3',
  fallbackText: 'Reply with phone or email.',
  body: [
    { type: 'TextBlock', text: 'How should we **reach** you?', wrap: true, weight: 'bolder' },
    { type: 'Input.ChoiceSet', id: 'how', label: 'Contact by', style: 'expanded', choices: [{ title: 'Phone call', value: 'phone' }, { title: 'Email', value: 'email' }] },
    { type: 'Input.Text', id: 'note', label: 'Best time or note', placeholder: 'e.g. after 5 pm' },
  ],
  actions: [{ type: 'Action.Submit', title: 'Send my answer' }],
};
const heroCard = {
  title: 'Flu shots',
  subtitle: 'Walk-in clinic',
  text: 'Saturdays from 9 to 12.',
  buttons: [
    { type: 'imBack', title: 'Book a flu shot', value: 'book' },
    { type: 'openUrl', title: 'Read about flu', value: '/portal/#/library/flu' },
  ],
};
const scenario = {
  name: 'Card check',
  scenario_trigger: 'cardcheck',
  description: 'Suggested actions, an Adaptive Card and a hero card, for the widget tests.',
  active: true,
  code: JSON.stringify({
    version: 1,
    breaking: true,
    steps: [
      step('pick', 'prompt', { text: 'When suits you best?', variable: 'when', dataType: 'choice', choices: "['Morning', 'Afternoon']" }, 'contact'),
      step('contact', 'prompt', { text: '', variable: 'contact', dataType: 'object', attachment: [{ type: 'AdaptiveCard', cardCode: JSON.stringify(contactCard) }] }, 'thanks'),
      step('thanks', 'statement', { text: 'Thanks! We will contact you by ${scenario.contact.how} in the ${scenario.when.entity}. Note: ${scenario.contact.note}' }, 'hero'),
      step('hero', 'prompt', { text: '', variable: 'flu', dataType: 'string', attachment: [{ type: 'HeroCard', cardCode: JSON.stringify(heroCard) }] }, 'booked'),
      step('booked', 'statement', { text: 'You said ${scenario.flu}: see you on Saturday.' }),
    ],
  }),
};

beforeAll(async () => {
  clinic = await startClinicSite();
  [server, browser] = await Promise.all([startTestServer({ PORTAL_DIR: inject('portalDir'), WIDGET_ORIGINS: clinic.origin, ROUTING_ALWAYS_OPEN: '1' }), launchChromium()]);
  clinic.setServer(server.url);
  const author = await server.tokenFor(staffPrincipal('author-cards', 'bot-author'));
  const imported = await call(server, 'POST', '/api/bot/scenarios/import', { token: author, body: scenario });
  expect(imported.status, JSON.stringify(imported.body)).toBe(201);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await clinic?.close();
});
beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
  page = await context.newPage();
  errors = watchErrors(page);
  cardScriptRequests = 0;
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/widget-cards.js') cardScriptRequests++;
  });
});
afterEach(async () => {
  await context.close();
  await server.context.conversations.idle();
  expect(errors).toEqual([]);
});

const chat = () => page.getByRole('dialog', { name: 'Chat with Riverside Family Clinic' });
const messages = () => chat().getByRole('log', { name: 'Messages' });
const textOf = (locator: Locator) => locator.evaluate((el) => (el as HTMLElement).innerText);

async function startCardCheck(name: string): Promise<void> {
  await page.goto(`${clinic.origin}/`);
  await page.getByRole('button', { name: 'Chat with Riverside Family Clinic' }).click();
  await chat().getByRole('textbox', { name: 'Your name' }).fill(name);
  await chat().getByRole('combobox', { name: 'Reason for contacting us' }).selectOption('Appointments');
  await chat().getByRole('button', { name: 'Start chat' }).click();
  await expect.poll(() => textOf(messages())).toContain("I'm the Carebridge assistant");
  await chat().getByRole('textbox', { name: 'Type your message' }).fill('cardcheck');
  await chat().getByRole('button', { name: 'Send' }).click();
  await expect.poll(() => textOf(messages())).toContain('When suits you best?');
}

const visitorMessages = (name: string) =>
  server.context.database.sqlite
    .prepare("SELECT m.body, m.bot_content FROM conversation_messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.visitor_name = ? AND m.sender_kind = 'visitor' ORDER BY m.seq")
    .all(name) as Array<{ body: string; bot_content: string | null }>;

describe('bot cards and suggested actions in the widget', () => {
  it('keeps the Adaptive Cards renderer out of /widget.js (it is /widget-cards.js, fetched when a card arrives)', async () => {
    const widget = await (await fetch(`${server.url}/widget.js`)).text();
    const cards = await (await fetch(`${server.url}/widget-cards.js`)).text();
    expect(cards).toContain('Action.ToggleVisibility');
    expect(widget).not.toContain('Action.ToggleVisibility');
    expect(widget.length).toBeLessThan(cards.length);
  });

  it('suggested actions → tap → the bot continues; an Adaptive Card is filled in and submitted → the bot answers with its inputs; a hero card button answers too', async () => {
    const name = `Cora ${randomUUID().slice(0, 6)}`;
    await startCardCheck(name);
    // The choices are buttons under the bot's message; the numbered list is not offered again as quick replies.
    // (The greeting's menu buttons above are the first group: these are the last.)
    const choices = chat().getByRole('group', { name: 'Suggested replies' }).last();
    await expect.poll(() => choices.getByRole('button').allTextContents()).toEqual(['Morning', 'Afternoon']);
    expect(await chat().getByRole('group', { name: 'Quick replies' }).getByRole('button').count()).toBe(0);
    // No card yet: the card renderer has not been fetched.
    expect(cardScriptRequests).toBe(0);

    await choices.getByRole('button', { name: 'Afternoon' }).click();
    const card = chat().getByRole('group', { name: 'Card: How should we reach you?' });
    await card.getByRole('button', { name: 'Send my answer' }).waitFor();
    expect(cardScriptRequests).toBe(1);
    // The tapped answer is the patient's message; the old choices no longer answer.
    expect(await messages().getByRole('listitem').filter({ hasText: 'You:' }).last().innerText()).toContain('Afternoon');
    expect(await choices.getByRole('button', { name: 'Morning' }).isDisabled()).toBe(true);
    // Markdown in the card is drawn (bold), never as raw asterisks.
    expect(await card.locator('strong').allTextContents()).toEqual(['reach']);

    await card.getByRole('radio', { name: 'Email' }).check();
    await card.getByRole('textbox', { name: 'Best time or note' }).fill('after 5 pm');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: '/tmp/cards-widget-1280.png' });
    await page.setViewportSize({ width: 390, height: 844 });
    await card.getByRole('button', { name: 'Send my answer' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: '/tmp/cards-widget-390.png' });
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    // Keyboard: the submit button is reached and pressed with the keyboard.
    await card.getByRole('button', { name: 'Send my answer' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => textOf(messages())).toContain('Thanks! We will contact you by email in the Afternoon. Note: after 5 pm');
    expect(await messages().getByRole('listitem').filter({ hasText: 'You:' }).nth(-1).innerText()).toContain('Contact by: Email\nBest time or note: after 5 pm');
    // The bot got the inputs as the message's value; the transcript got words.
    expect(visitorMessages(name).at(-1)).toEqual({ body: 'Contact by: Email\nBest time or note: after 5 pm', bot_content: JSON.stringify({ value: { how: 'email', note: 'after 5 pm' } }) });
    // The submitted card is inactive now.
    expect(await card.getByRole('textbox', { name: 'Best time or note' }).isDisabled()).toBe(true);
    expect(await card.getByRole('button', { name: 'Send my answer' }).isDisabled()).toBe(true);

    // The hero card: its title, text and buttons; the link opens on the Carebridge server in a new tab.
    const hero = chat().getByRole('group', { name: 'Card: Flu shots' });
    await hero.getByRole('button', { name: 'Book a flu shot' }).waitFor();
    expect(await hero.innerText()).toContain('Saturdays from 9 to 12.');
    const link = hero.getByRole('link', { name: 'Read about flu' });
    expect(await link.getAttribute('href')).toBe(`${server.url}/portal/#/library/flu`);
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.getAttribute('rel')).toContain('noopener');
    // Its words are readable: white on the accent colour, not the accent on itself.
    expect(await link.evaluate((el) => getComputedStyle(el).color)).not.toBe(await link.evaluate((el) => getComputedStyle(el).backgroundColor));
    await page.screenshot({ path: '/tmp/cards-widget-hero-390.png' });
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await hero.getByRole('button', { name: 'Book a flu shot' }).click();
    await expect.poll(() => textOf(messages())).toContain('You said book: see you on Saturday.');
    expect(await hero.getByRole('button', { name: 'Book a flu shot' }).isDisabled()).toBe(true);
    // One renderer fetch for the whole chat.
    expect(cardScriptRequests).toBe(1);
  });

  it('shows the bot’s Markdown as formatting, never as asterisks', async () => {
    await page.goto(`${clinic.origin}/`);
    await page.getByRole('button', { name: 'Chat with Riverside Family Clinic' }).click();
    await chat().getByRole('textbox', { name: 'Your name' }).fill(`Mara ${randomUUID().slice(0, 6)}`);
    await chat().getByRole('combobox', { name: 'Reason for contacting us' }).selectOption('Appointments');
    await chat().getByRole('button', { name: 'Start chat' }).click();
    await expect.poll(() => textOf(messages())).toContain("I'm the Carebridge assistant");
    await chat().getByRole('textbox', { name: 'Type your message' }).fill('help');
    await chat().getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => textOf(messages())).toContain('Type cancel to stop what we are doing');
    // "*cancel*" is emphasis in the help text; the words are there, the asterisks are not.
    expect(await messages().locator('em', { hasText: 'cancel' }).count()).toBeGreaterThan(0);
    expect(await textOf(messages())).not.toContain('*cancel*');
  });

  it('shows a card’s fallback text when the renderer cannot load, and the chat goes on by typing', async () => {
    await page.route('**/widget-cards.js', (route) => route.abort());
    const name = `Finn ${randomUUID().slice(0, 6)}`;
    await startCardCheck(name);
    await chat().getByRole('group', { name: 'Suggested replies' }).getByRole('button', { name: 'Morning' }).click();
    const card = chat().getByRole('group', { name: 'Card: How should we reach you?' });
    await expect.poll(() => card.innerText()).toBe('Reply with phone or email.');
    expect(await chat().getByRole('button', { name: 'Send my answer' }).count()).toBe(0);
    // Typed text answers the card (the bot reads it against the card's choice set).
    await chat().getByRole('textbox', { name: 'Type your message' }).fill('phone');
    await chat().getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => textOf(messages())).toContain('Thanks! We will contact you by phone in the Morning.');
  });

  it('draws the card in the portal’s inline chat under its strict CSP (the renderer in its own chunk), readable in dark mode', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
    const record = createPatient(server, `P${randomUUID().slice(0, 8)}`);
    const user = await createUser(server, { role: 'patient', patientId: record.id!, displayName: 'Ada Lovelace' });
    await page.goto(`${server.url}/portal/`);
    await page.getByRole('textbox', { name: 'Email' }).fill(user.email);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const portalChat = page.getByRole('region', { name: 'Chat with Carebridge' });
    await portalChat.getByRole('button', { name: 'Start chat' }).click();
    const log = portalChat.getByRole('log', { name: 'Messages' });
    await expect.poll(() => textOf(log)).toContain("I'm the Carebridge assistant");
    await portalChat.getByRole('textbox', { name: 'Type your message' }).fill('cardcheck');
    await portalChat.getByRole('button', { name: 'Send' }).click();
    await portalChat.getByRole('group', { name: 'Suggested replies' }).getByRole('button', { name: 'Morning' }).click();
    const card = portalChat.getByRole('group', { name: 'Card: How should we reach you?' });
    await card.getByRole('radio', { name: 'Phone call' }).check();
    await card.getByRole('button', { name: 'Send my answer' }).click();
    await expect.poll(() => textOf(log)).toContain('Thanks! We will contact you by phone in the Morning.');
    // The portal never loads the embed's script: its own chunk draws the card.
    expect(cardScriptRequests).toBe(0);
    expect(violations).toEqual([]);
    // Dark mode: the card's colours come from the widget's dark theme (axe checks the contrast).
    expect(await card.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(13, 17, 23)');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });
});
