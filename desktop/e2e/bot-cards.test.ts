/**
 * An agent taking over from the bot sees what the patient saw, in Debian's Chromium against a real
 * server: a patient answers a choice prompt (suggested actions) and an Adaptive Card (submitted
 * inputs as the message's value) from a small scenario imported over the API, the bot hands off, and
 * the agent's transcript shows the card drawn read-only (inputs and buttons disabled, the patient's
 * answers in them) and the
 * suggested replies as chips nobody can press.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestServer, type TestServer } from '@carebridge/server/testing/server';
import { call, createUser, TEST_PASSWORD } from '@carebridge/server/testing/accounts';
import { staffPrincipal } from '@carebridge/server/testing/conversations';
import { launchChromium, seriousAccessibilityViolations, signIn, watchErrors } from './support.js';
import { visitorAsksForPerson, waitFor, type Visitor } from './patient-chat.js';

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let errors: string[] = [];
let visitor: Visitor | null = null;

const step = (id: string, type: string, extra: object = {}, next?: string) => ({ id, type, designer: { xLocation: 0, yLocation: 0, ...(next ? { next } : {}) }, ...extra });
const contactCard = {
  type: 'AdaptiveCard',
  version: '1.3',
  body: [
    { type: 'TextBlock', text: 'How should we reach you?', wrap: true, weight: 'bolder' },
    { type: 'Input.ChoiceSet', id: 'how', label: 'Contact by', style: 'expanded', choices: [{ title: 'Phone call', value: 'phone' }, { title: 'Email', value: 'email' }] },
    { type: 'Input.Text', id: 'note', label: 'Best time or note' },
    { type: 'Image', url: 'https://images.example/nurse.png', altText: 'A nurse on the phone' },
  ],
  actions: [{ type: 'Action.Submit', title: 'Send my answer' }],
};
const scenario = {
  name: 'Desk card check',
  scenario_trigger: 'deskcards',
  description: 'A choice prompt and a card, then a hand-off, for the desk transcript test.',
  active: true,
  code: JSON.stringify({
    version: 1,
    breaking: true,
    steps: [
      step('pick', 'prompt', { text: 'When suits you best?', variable: 'when', dataType: 'choice', choices: "['Morning', 'Afternoon']" }, 'contact'),
      step('contact', 'prompt', { text: '', variable: 'contact', dataType: 'object', attachment: [{ type: 'AdaptiveCard', cardCode: JSON.stringify(contactCard) }] }, 'handoff'),
      step('handoff', 'handoff', { text: 'I am passing you to our team.', reason: 'card-check' }),
    ],
  }),
};

beforeAll(async () => {
  [server, browser] = await Promise.all([
    startTestServer({ DESK_DIR: inject('deskDir'), ROUTING_ALWAYS_OPEN: '1', PRESENCE_GRACE_MS: '60000', ROUTING_OFFER_TIMEOUT_MS: '60000' }),
    launchChromium(),
  ]);
  const author = await server.tokenFor(staffPrincipal('author-desk-cards', 'bot-author'));
  const imported = await call(server, 'POST', '/api/bot/scenarios/import', { token: author, body: scenario });
  expect(imported.status, JSON.stringify(imported.body)).toBe(201);
});
afterAll(async () => {
  visitor?.socket.disconnect();
  await context?.close();
  await browser?.close();
  await server?.close();
});
afterEach(() => {
  expect(errors).toEqual([]);
});

async function agentDesk(): Promise<Page> {
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  errors = watchErrors(page);
  const user = await createUser(server, { role: 'agent', displayName: 'Casey Cards' });
  await page.goto(`${server.url}/desk/`);
  await signIn(page, { email: user.email, password: TEST_PASSWORD });
  await expect.poll(() => page.getByRole('status', { name: 'Connection' }).textContent()).toBe('Connected');
  return page;
}

describe('bot cards in the desk transcript', () => {
  it('an agent taking over sees the card the patient answered, read-only, and the suggested replies as chips', async () => {
    const page = await agentDesk();
    const name = `Dana ${randomUUID().slice(0, 4)}`;
    visitor = await visitorAsksForPerson(server, name, 'deskcards');
    const v = visitor;
    await waitFor(() => v.messages.find((m) => m.bot?.suggestedActions?.length), 5000, 'the choice prompt');
    expect((await v.send('Afternoon')).ok).toBe(true);
    await waitFor(() => v.messages.find((m) => m.bot?.attachments?.length), 5000, 'the card');
    const answered = (await v.socket.timeout(5000).emitWithAck('message:send', {
      conversationId: v.conversationId,
      clientMessageId: randomUUID(),
      body: 'Contact by: Email\nBest time or note: after 5 pm',
      value: { how: 'email', note: 'after 5 pm' },
    })) as { ok: boolean };
    expect(answered.ok).toBe(true);
    await v.received('I am passing you to our team.');

    await page.getByRole('article', { name: 'Offer: general queue' }).getByRole('button', { name: 'Accept' }).click();
    const log = page.getByRole('log', { name: `Transcript with ${name}` });
    const card = log.getByRole('region', { name: 'Bot card: How should we reach you?' });
    await card.getByRole('button', { name: 'Send my answer' }).waitFor();
    // Drawn as the patient saw it, but nothing in it can be used from the desk.
    expect(await card.getByRole('button', { name: 'Send my answer' }).isDisabled()).toBe(true);
    expect(await card.getByRole('radio', { name: 'Email' }).isDisabled()).toBe(true);
    expect(await card.getByRole('textbox', { name: 'Best time or note' }).isDisabled()).toBe(true);
    // …and it shows what the patient submitted.
    expect(await card.getByRole('radio', { name: 'Email' }).isChecked()).toBe(true);
    expect(await card.getByRole('radio', { name: 'Phone call' }).isChecked()).toBe(false);
    expect(await card.getByRole('textbox', { name: 'Best time or note' }).inputValue()).toBe('after 5 pm');
    // An outside image is not loaded (the desk's CSP): its alt text stands in.
    expect(await card.locator('img').count()).toBe(0);
    expect(await card.innerText()).toContain('[A nurse on the phone]');
    // The choice prompt's suggested replies: chips, not buttons.
    const chips = log.getByRole('list', { name: 'Suggested replies offered to the patient' }).last();
    expect(await chips.getByRole('listitem').allTextContents()).toEqual(['Morning', 'Afternoon']);
    expect(await chips.getByRole('button').count()).toBe(0);
    // What the patient answered reads as words.
    expect(await log.innerText()).toContain('Contact by: Email');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await card.scrollIntoViewIfNeeded();
    await page.screenshot({ path: '/tmp/cards-desk-1280.png' });
    await page.setViewportSize({ width: 390, height: 844 });
    await card.scrollIntoViewIfNeeded();
    await page.screenshot({ path: '/tmp/cards-desk-390.png' });
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });
});
