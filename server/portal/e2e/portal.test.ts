/**
 * The patient portal at /portal/ in Debian's Chromium against a real server: a signed-in patient
 * chats (channel portal, as themselves), sign-in failures and the MFA prompt, and the survey page a
 * follow-up link opens (/survey/<token>).
 */
import { randomUUID } from 'node:crypto';
import { generate } from 'otplib';
import { io } from 'socket.io-client';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { startTestServer, type TestServer } from '../../src/testing/server.js';
import { call, createPatient, createUser, TEST_PASSWORD } from '../../src/testing/accounts.js';
import type { ConversationView } from '../../src/contracts/conversations.js';
import type { SurveyOffer } from '../../src/contracts/surveys.js';
import { launchChromium, seriousAccessibilityViolations, staffDesk, until, watchErrors } from './support.js';

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer({ PORTAL_DIR: inject('portalDir'), ROUTING_ALWAYS_OPEN: '1' }), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});
beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  page = await context.newPage();
  errors = watchErrors(page);
});
afterEach(async () => {
  await context.close();
  await server.context.conversations.idle();
  expect(errors).toEqual([]);
});

const textOf = (locator: Locator) => locator.evaluate((el) => (el as HTMLElement).innerText);

async function patientAccount() {
  const record = createPatient(server, `P${randomUUID().slice(0, 8)}`);
  return createUser(server, { role: 'patient', patientId: record.id!, displayName: 'Ada Lovelace' });
}

async function signIn(email: string, password = TEST_PASSWORD): Promise<void> {
  await page.getByRole('textbox', { name: 'Email' }).fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('/portal/', () => {
  it('a signed-in patient chats as themselves (channel portal) and the chat survives signing in again', async () => {
    const user = await patientAccount();
    await page.goto(`${server.url}/portal/`);
    await page.getByRole('heading', { name: 'Welcome to the Carebridge patient portal', level: 1 }).waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await signIn(user.email);
    await expect.poll(() => textOf(page.getByRole('banner'))).toContain('Signed in as Ada Lovelace');
    const chat = page.getByRole('region', { name: 'Chat with Carebridge' });
    const messages = chat.getByRole('log', { name: 'Messages' });
    // Known to us: only the (optional) reason is asked.
    expect(await chat.getByRole('textbox', { name: 'Your name' }).count()).toBe(0);
    expect(await chat.getByRole('textbox', { name: /Date of birth/ }).count()).toBe(0);
    await chat.getByRole('combobox', { name: /Reason for contacting us/ }).selectOption('Prescriptions');
    await chat.getByRole('button', { name: 'Start chat' }).click();
    await expect.poll(() => textOf(messages)).toContain("I'm the Carebridge assistant");
    await chat.getByRole('group', { name: 'Suggested replies' }).getByRole('button', { name: 'Refills' }).click();
    // Signed in: the bot takes the refill request itself.
    await expect.poll(() => textOf(messages)).toContain('Which medication needs a refill?');
    const rows = server.context.database.sqlite.prepare('SELECT channel, patient_id, prechat FROM conversations WHERE patient_id = ?').all(user.patient_id) as Array<{ channel: string }>;
    expect(rows).toEqual([{ channel: 'portal', patient_id: user.patient_id, prechat: JSON.stringify({ reason: 'Prescriptions' }) }]);

    // Tokens live in memory: a reload signs out; signing in again resumes the same chat.
    await page.reload();
    await signIn(user.email);
    await expect.poll(() => textOf(page.getByRole('region', { name: 'Chat with Carebridge' }).getByRole('log', { name: 'Messages' }))).toContain(
      'Which medication needs a refill?',
    );
    expect(server.context.database.sqlite.prepare('SELECT COUNT(*) AS n FROM conversations WHERE patient_id = ?').get(user.patient_id)).toEqual({ n: 1 });

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Patient sign-in' }).waitFor();
  });

  it('an anonymous visitor can chat from the portal too', async () => {
    await page.goto(`${server.url}/portal/`);
    await page.getByRole('button', { name: 'Chat with us' }).click();
    const chat = page.getByRole('region', { name: 'Chat with Carebridge' });
    await chat.getByRole('textbox', { name: 'Your name' }).fill('Walk-in Wanda');
    await chat.getByRole('combobox', { name: 'Reason for contacting us' }).selectOption('Billing');
    await chat.getByRole('button', { name: 'Start chat' }).click();
    await expect.poll(() => textOf(chat.getByRole('log', { name: 'Messages' }))).toContain('Hi Walk-in Wanda');
  });

  it('says what is wrong at sign-in: wrong password, staff account, and asks for the MFA code', async () => {
    const user = await patientAccount();
    await page.goto(`${server.url}/portal/`);
    await signIn(user.email, 'not the password at all');
    await expect.poll(() => textOf(page.getByRole('alert'))).toBe('The email address or password is wrong.');

    const agent = await createUser(server, { role: 'agent' });
    await signIn(agent.email);
    await expect.poll(() => textOf(page.getByRole('alert'))).toBe('This portal is for patients. Staff sign in to the Carebridge desk.');

    const login = await call(server, 'POST', '/api/auth/login', { body: { email: user.email, password: TEST_PASSWORD } });
    const token = login.body.accessToken as string;
    const stepUp = { currentPassword: TEST_PASSWORD };
    const secret = (await call(server, 'POST', '/api/auth/mfa/enrol', { token, body: stepUp })).body.secret as string;
    const codeAt = (offset: number) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + offset * 30 });
    expect((await call(server, 'POST', '/api/auth/mfa/activate', { token, body: { ...stepUp, code: await codeAt(-1) } })).status).toBe(200);
    await signIn(user.email);
    await expect.poll(() => textOf(page.getByRole('alert'))).toBe('Enter the 6-digit code from your authenticator app.');
    await page.getByRole('textbox', { name: 'Authenticator code' }).fill(await codeAt(0));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => textOf(page.getByRole('banner'))).toContain('Signed in as Ada Lovelace');
  });
});

describe('/survey/<token>', () => {
  /** A visitor chats with an agent over sockets and ends the chat; the survey offer carries the token. */
  async function surveyToken(): Promise<string> {
    const visitor = await call<{ token: string }>(server, 'POST', '/api/chat/visitor', { body: { displayName: 'Sam Survey' } });
    const socket = io(`${server.url}/patient`, { auth: { token: visitor.body.token }, transports: ['websocket'], forceNew: true });
    const offers: SurveyOffer[] = [];
    socket.on('survey:offer', (o: SurveyOffer) => offers.push(o));
    const desk = await staffDesk(server, `agent-${randomUUID()}`);
    try {
      await until(() => socket.connected);
      const start = (await socket.emitWithAck('conversation:start', { channel: 'widget' })) as { conversation: ConversationView };
      const id = start.conversation.id;
      await socket.emitWithAck('message:send', { conversationId: id, clientMessageId: randomUUID(), body: 'talk to a person' });
      const offer = await until(() => desk.offers.find((o) => o.conversationId === id));
      await desk.socket.emitWithAck('offer:accept', { offerId: offer.offerId });
      await socket.emitWithAck('conversation:end', { conversationId: id });
      return (await until(() => offers[0])).token;
    } finally {
      socket.disconnect();
      desk.socket.disconnect();
    }
  }

  it('answers the survey from its link once; the link then says it was answered; an unknown link says so', async () => {
    const token = await surveyToken();
    await page.goto(`${server.url}/survey/${token}`);
    const form = page.getByRole('form', { name: 'How did we do?' });
    await form.waitFor();
    await form.getByRole('button', { name: 'Send answers' }).click();
    await expect.poll(() => textOf(form.getByRole('alert'))).toBe('Please answer the questions marked required.');
    await form.getByRole('group', { name: /How satisfied are you/ }).getByRole('button', { name: '5 of 5' }).click();
    expect(await form.getByRole('group', { name: /What could we do better/ }).isVisible()).toBe(false);
    await form.getByRole('group', { name: /resolved/ }).getByRole('button', { name: 'No' }).click();
    await form.getByRole('button', { name: 'Send answers' }).click();
    await page.getByRole('heading', { name: 'Thank you for your feedback!' }).waitFor();

    await page.reload();
    await expect.poll(() => textOf(page.getByRole('status'))).toBe('You have already answered this survey. Thank you!');

    await page.goto(`${server.url}/survey/${'x'.repeat(43)}`);
    await expect.poll(() => textOf(page.getByRole('alert'))).toBe('This survey link is not valid. Check that you copied the whole link.');
  });
});
