/**
 * The supervisor workspace in Debian's Chromium against a real server, with real agent and patient
 * sockets: the live table, queues and agents; monitor (notes included, live); whisper (the agent
 * gets it, the patient never); reassign; join; force close with a required reason.
 */
import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { ConversationAssignedEvent, ConversationRemovedEvent, ConversationView, MessageView, OfferEvent, SurveyOffer } from '@carebridge/server/contracts';
import { startTestServer, type TestServer } from '@carebridge/server/testing/server';
import { createUser, TEST_PASSWORD } from '@carebridge/server/testing/accounts';
import { launchChromium, seriousAccessibilityViolations, signIn, watchErrors } from './support.js';
import { visitorAsksForPerson, waitFor, type Visitor } from './patient-chat.js';

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];
const sockets: Socket[] = [];
const agentSockets: Socket[] = [];

beforeAll(async () => {
  [server, browser] = await Promise.all([
    startTestServer({ DESK_DIR: inject('deskDir'), ROUTING_ALWAYS_OPEN: '1', PRESENCE_GRACE_MS: '60000', ROUTING_OFFER_TIMEOUT_MS: '60000' }),
    launchChromium(),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});
beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  errors = watchErrors(page);
});
afterEach(async () => {
  // Agents sign off for real (no presence grace), so the next test's chats are not offered to them.
  await Promise.all(agentSockets.splice(0).map((s) => s.timeout(2000).emitWithAck('presence:set', { state: 'offline' }).catch(() => undefined)));
  for (const s of sockets.splice(0)) s.disconnect();
  await context.close();
  expect(errors).toEqual([]);
});

interface AgentSocket {
  id: string;
  socket: Socket;
  offers: OfferEvent[];
  messages: MessageView[];
  assigned: ConversationAssignedEvent[];
  removed: ConversationRemovedEvent[];
}

async function agentSocket(displayName: string): Promise<AgentSocket> {
  const user = await createUser(server, { role: 'agent', displayName });
  const token = await server.tokenFor({ kind: 'staff', userId: user.id, email: user.email, role: 'agent', practitionerId: null });
  const socket = io(`${server.url}/staff`, { auth: { token }, transports: ['websocket'], forceNew: true });
  sockets.push(socket);
  agentSockets.push(socket);
  const agent: AgentSocket = { id: user.id, socket, offers: [], messages: [], assigned: [], removed: [] };
  socket.on('offer:new', (o: OfferEvent) => agent.offers.push(o));
  socket.on('message:new', (m: MessageView) => agent.messages.push(m));
  socket.on('conversation:assigned', (e: ConversationAssignedEvent) => agent.assigned.push(e));
  socket.on('conversation:removed', (e: ConversationRemovedEvent) => agent.removed.push(e));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  expect(await socket.emitWithAck('presence:set', { state: 'available' })).toMatchObject({ ok: true });
  return agent;
}

async function supervisorDesk(existing?: { email: string }): Promise<{ email: string }> {
  const user = existing ?? (await createUser(server, { role: 'supervisor', displayName: 'Sky Supervisor' }));
  await page.goto(`${server.url}/desk/#/supervisor`);
  await signIn(page, { email: user.email, password: TEST_PASSWORD });
  await expect.poll(() => page.getByRole('status', { name: 'Connection' }).textContent()).toBe('Connected');
  await page.getByRole('heading', { name: 'Supervisor', level: 1 }).waitFor();
  return user;
}

describe('supervisor workspace', () => {
  it('shows the chat live; monitor incl. notes, whisper to the agent only, reassign, join, force close', async () => {
    const alex = await agentSocket('Alex Agent');
    const visitors: Visitor[] = [];
    const vera = await visitorAsksForPerson(server, 'Vera');
    visitors.push(vera);
    sockets.push(vera.socket);
    const offer = await waitFor(() => alex.offers[0], 5000, 'the offer');
    expect(await alex.socket.emitWithAck('offer:accept', { offerId: offer.offerId })).toMatchObject({ ok: true });

    await supervisorDesk();
    const table = page.getByRole('table', { name: 'Ongoing conversations' });
    const row = table.getByRole('row', { name: /Vera/ });
    await expect.poll(() => row.textContent()).toContain('Alex Agent');
    expect(await row.textContent()).toContain('Active');
    const why = row.getByRole('button', { name: /Chosen as the only eligible agent/ });
    await why.click();
    expect(await why.getAttribute('aria-expanded')).toBe('true');
    expect(await row.textContent()).toContain('agents considered');

    // Queues (with the chart) and agents with their load.
    expect(await page.getByRole('table', { name: 'Queues' }).getByRole('row').count()).toBeGreaterThan(1);
    expect(await page.getByRole('img', { name: /waiting$/ }).count()).toBeGreaterThan(0);
    const alexRow = page.getByRole('table', { name: 'Agents' }).getByRole('row', { name: /Alex Agent/ });
    expect(await alexRow.textContent()).toContain('Available');
    await expect.poll(() => alexRow.getByRole('meter', { name: 'Load of Alex Agent' }).evaluate((el) => (el as HTMLMeterElement).value)).toBe(1);

    // Monitor: the transcript so far, then live; the agent's internal note is included.
    await row.getByRole('button', { name: 'Monitor' }).click();
    const monitor = page.getByRole('region', { name: 'Monitoring Vera' });
    const log = monitor.getByRole('log', { name: 'Monitored transcript with Vera' });
    await expect.poll(() => log.textContent()).toContain('I want to talk to a person');
    await vera.send('Can someone check my bill?');
    await expect.poll(() => log.textContent()).toContain('Can someone check my bill?');
    expect(await alex.socket.emitWithAck('message:send', { conversationId: vera.conversationId, clientMessageId: randomUUID(), body: 'Supervisor, please look', kind: 'note' })).toMatchObject({ ok: true });
    await expect.poll(() => log.getByRole('article', { name: /internal note/ }).textContent()).toContain('Supervisor, please look');

    // Whisper: the agent receives it, the patient never does.
    await monitor.getByRole('textbox', { name: 'Whisper to the agent' }).fill('Offer the payment plan');
    await monitor.getByRole('button', { name: 'Send whisper' }).click();
    const whisper = await waitFor(() => alex.messages.find((m) => m.body === 'Offer the payment plan'), 5000, 'the whisper');
    expect(whisper.kind).toBe('whisper');
    await expect.poll(() => log.getByRole('article', { name: /whisper/ }).textContent()).toContain('Offer the payment plan');
    expect(await alex.socket.emitWithAck('message:send', { conversationId: vera.conversationId, clientMessageId: randomUUID(), body: 'We have a payment plan.' })).toMatchObject({ ok: true });
    await vera.received('We have a payment plan.');
    expect(vera.messages.some((m) => m.kind === 'whisper' || m.kind === 'note' || m.body === 'Offer the payment plan')).toBe(false);
    await monitor.getByRole('button', { name: 'Stop monitoring' }).click();
    await expect.poll(() => monitor.count()).toBe(0);

    // Reassign to another agent: she gets it, he loses it.
    const blair = await agentSocket('Blair Agent');
    await row.getByRole('button', { name: 'Reassign' }).click();
    const reassign = page.getByRole('dialog', { name: 'Reassign Vera' });
    await reassign.getByRole('combobox', { name: 'Agent' }).selectOption(blair.id);
    await reassign.getByRole('button', { name: 'Reassign' }).click();
    await waitFor(() => blair.assigned.find((e) => e.conversation.id === vera.conversationId && e.cause === 'reassign'), 5000, 'the reassignment');
    await waitFor(() => alex.removed.find((e) => e.conversationId === vera.conversationId), 5000, 'the removal');
    await expect.poll(() => row.textContent()).toContain('Blair Agent');

    // Join: the conversation opens in the supervisor's inbox, and the patient reads them.
    await row.getByRole('button', { name: 'Join' }).click();
    await expect.poll(() => page.getByRole('tab', { name: /Vera/ }).getAttribute('aria-selected')).toBe('true');
    await page.getByRole('combobox', { name: 'Message' }).fill('Hello Vera, I am the team lead.');
    await page.getByRole('combobox', { name: 'Message' }).press('Enter');
    await vera.received('Hello Vera, I am the team lead.');

    // Force close: a reason is required, then the chat ends for everyone.
    await page.getByRole('link', { name: 'Supervisor' }).click();
    await row.getByRole('button', { name: 'Force close' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Force close conversation' });
    await confirm.getByRole('button', { name: 'Force close' }).click();
    await expect.poll(() => confirm.getByRole('alert').textContent()).toBe('Give a reason: it is recorded in the audit log.');
    await confirm.getByRole('textbox', { name: 'Reason' }).fill('Abusive language');
    await confirm.getByRole('button', { name: 'Force close' }).click();
    await waitFor(() => vera.conversations.find((c: ConversationView) => c.state === 'closed'), 5000, 'the patient to see the chat closed');
    expect(server.context.conversations.core.get(vera.conversationId)?.state).toBe('closed');
    await expect.poll(() => row.count()).toBe(0);
    await page.screenshot({ path: '/tmp/carebridge-supervisor.png' });
  }, 90_000);

  it('rescues a queued chat: joins it (composer and Leave), leaves, then assigns it to a chosen agent', async () => {
    const wes = await visitorAsksForPerson(server, 'Wes');
    sockets.push(wes.socket);
    await waitFor(() => server.context.conversations.core.get(wes.conversationId)?.state === 'queued', 5000, 'the chat to wait in line');
    await supervisorDesk();
    const row = page.getByRole('table', { name: 'Ongoing conversations' }).getByRole('row', { name: /Wes/ });
    await row.waitFor();

    // Join while it waits: the tab has a composer and a way out.
    await row.getByRole('button', { name: 'Join' }).click();
    await expect.poll(() => page.getByRole('tab', { name: /Wes/ }).getAttribute('aria-selected')).toBe('true');
    await page.getByRole('combobox', { name: 'Message' }).fill('Hi Wes, someone will be with you shortly.');
    await page.getByRole('combobox', { name: 'Message' }).press('Enter');
    await wes.received('Hi Wes, someone will be with you shortly.');
    await page.getByRole('button', { name: 'Leave conversation' }).click();
    await waitFor(() => wes.messages.find((m) => m.body === 'The supervisor left the chat.'), 5000, 'the patient to read that the supervisor left');
    await expect.poll(() => page.getByRole('status').allTextContents()).toContain('You left the conversation.');

    // Assign it to an agent who is signed in but busy: she has it at once.
    const dana = await agentSocket('Dana Agent');
    await dana.socket.emitWithAck('presence:set', { state: 'busy' });
    await page.getByRole('link', { name: 'Supervisor' }).click();
    await row.getByRole('button', { name: 'Assign Wes' }).click();
    const dialog = page.getByRole('dialog', { name: 'Assign Wes' });
    await dialog.waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: '/tmp/carebridge-supervisor-assign.png' });
    await dialog.getByRole('combobox', { name: 'Agent' }).selectOption(dana.id);
    await dialog.getByRole('button', { name: 'Assign' }).click();
    await waitFor(() => dana.assigned.find((e) => e.conversation.id === wes.conversationId && e.cause === 'reassign'), 5000, 'the assignment');
    await expect.poll(() => page.getByRole('status').allTextContents()).toContain('Assigned the conversation with Wes to Dana Agent.');
    await expect.poll(() => row.textContent()).toContain('Dana Agent');
    await waitFor(() => wes.messages.find((m) => m.body === 'You are now chatting with Dana Agent.'), 5000, 'the patient to read who took it');
  }, 60_000);

  it('shows follow-up survey results per agent and queue, with the latest comments', async () => {
    const supervisor = await supervisorDesk();
    const surveys = page.getByRole('region', { name: 'Follow-up surveys' });
    await surveys.getByText('No survey answers yet').waitFor();

    // A chat with an agent ends; the patient answers the survey in the chat.
    const sam = await agentSocket('Sam Surveyed');
    const vera = await visitorAsksForPerson(server, 'Vera');
    sockets.push(vera.socket);
    const offers: SurveyOffer[] = [];
    vera.socket.on('survey:offer', (o: SurveyOffer) => offers.push(o));
    const offer = await waitFor(() => sam.offers.find((o) => o.conversationId === vera.conversationId), 5000, 'the offer');
    expect(await sam.socket.emitWithAck('offer:accept', { offerId: offer.offerId })).toMatchObject({ ok: true });
    expect(await sam.socket.emitWithAck('conversation:wrapup', { conversationId: vera.conversationId })).toMatchObject({ ok: true });
    const survey = await waitFor(() => offers[0], 5000, 'the survey offer');
    const answers = { csat: 2, nps: 3, resolved: false, improve: 'Shorter wait, please' };
    expect(await vera.socket.emitWithAck('survey:submit', { token: survey.token, answers })).toMatchObject({ ok: true });

    // The panel fetches again when the workspace opens (and every 30 s while it is open).
    await page.reload();
    await supervisorDesk(supervisor);
    const totals = page.getByRole('region', { name: 'Follow-up surveys' }).getByLabel('Survey totals');
    await expect.poll(() => totals.textContent()).toContain('Answers1');
    expect(await totals.textContent()).toContain('CSAT (1–5)2.0');
    expect(await totals.textContent()).toContain('NPS-100');
    const byAgent = page.getByRole('table', { name: 'By agent' });
    expect(await byAgent.getByRole('row', { name: /Sam Surveyed/ }).textContent()).toContain('2.0');
    expect(await page.getByRole('table', { name: 'By queue' }).getByRole('row', { name: /general/ }).count()).toBe(1);
    expect(await page.getByRole('region', { name: 'Follow-up surveys' }).getByRole('listitem').first().textContent()).toContain('Shorter wait, please');
  });

  it('an agent does not get the supervisor workspace, even by its address', async () => {
    const user = await createUser(server, { role: 'agent' });
    await page.goto(`${server.url}/desk/#/supervisor`);
    await signIn(page, { email: user.email, password: TEST_PASSWORD });
    await page.getByRole('heading', { name: 'Conversations', level: 1 }).waitFor();
    expect(await page.getByRole('link', { name: 'Supervisor' }).count()).toBe(0);
  });
});
