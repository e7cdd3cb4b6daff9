/**
 * Issue 4's "done when", end to end in Debian's Chromium against the real server process (demo mode,
 * as `npm start` runs it): a patient signs in to the portal and opens the chat → the greeting bot →
 * asks for a person → an agent in /desk gets the offer, sees the handoff packet and accepts → they
 * exchange messages → the server is killed (SIGKILL) and started again mid-conversation, and nothing
 * typed on either side is lost or doubled → the agent transfers to a second agent, who wraps up with a
 * disposition and closes → the patient answers the follow-up survey, stored as a QuestionnaireResponse.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { exited, freePort } from '@carebridge/server/testing/processes';
import { launchChromium, signIn, startDemoServer, watchErrors, type DemoServer } from './support.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The portal build (server/portal/e2e/global-setup.ts). */
    portalDir: string;
  }
}

const PASSWORD = 'carebridge-demo';
const demo = (local: string) => `${local}@demo.carebridge.local`;

let dir = '';
let port = 0;
let url = '';
let server: DemoServer | undefined;
let browser: Browser;
const contexts: BrowserContext[] = [];
const errors: string[][] = [];

async function startServer(): Promise<void> {
  server = await startDemoServer({
    port,
    url,
    database: path.join(dir, 'journey.db'),
    deskDir: inject('deskDir'),
    portalDir: inject('portalDir'),
    env: {
      SEED_PATIENTS: '25',
      // Without agent scripts, whose required steps would hold the wrap-up (scripts.test.ts covers them).
      AGENT_SCRIPTS_DIR: path.join(dir, 'no-agent-scripts'),
      PRESENCE_GRACE_MS: '60000',
    },
  });
}

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  context.setDefaultTimeout(15_000);
  contexts.push(context);
  const page = await context.newPage();
  errors.push(watchErrors(page));
  return page;
}

async function deskFor(local: string): Promise<Page> {
  const page = await newPage();
  await page.goto(`${url}/desk/`);
  await signIn(page, { email: demo(local), password: PASSWORD });
  await expect.poll(() => page.getByRole('status', { name: 'Connection' }).textContent()).toBe('Connected');
  await page.getByRole('heading', { name: 'Conversations', level: 1 }).waitFor();
  return page;
}

const textOf = (locator: Locator) => locator.evaluate((el) => (el as HTMLElement).innerText);
const occurrences = (text: string, needle: string) => text.split(needle).length - 1;

async function api<T>(method: string, route: string, token?: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${url}${route}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as T };
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-journey-'));
  port = await freePort();
  url = `http://127.0.0.1:${port}`;
  [browser] = await Promise.all([launchChromium(), startServer()]);
}, 90_000);

afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  if (server && server.child.exitCode === null) {
    server.child.kill('SIGTERM');
    await exited(server.child);
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('live chat, patient to agents and back (issue 4, done when)', () => {
  it('portal chat → bot → offer with packet → messages across a crash → transfer → wrap-up → survey', async () => {
    // The first agent is at the desk before the patient asks for a person, so the offer goes to them.
    const alex = await deskFor('agent1');

    // The patient signs in to the portal and starts the chat: the greeting bot answers.
    const patient = await newPage();
    await patient.goto(`${url}/portal/`);
    await patient.getByRole('textbox', { name: 'Email' }).fill(demo('patient1'));
    await patient.getByLabel('Password').fill(PASSWORD);
    await patient.getByRole('button', { name: 'Sign in' }).click();
    const chat = patient.getByRole('region', { name: 'Chat with Carebridge' });
    // Signed in, the pre-chat form asks only for an optional reason.
    await chat.getByRole('button', { name: 'Start chat' }).click();
    const log = chat.getByRole('log', { name: 'Messages' });
    await expect.poll(() => textOf(log)).toContain("I'm the Carebridge assistant");
    const say = async (text: string) => {
      await chat.getByRole('textbox', { name: 'Type your message' }).fill(text);
      await chat.getByRole('button', { name: 'Send' }).click();
    };
    await say('I would like to talk to a person about moving my appointment');
    await expect.poll(() => textOf(log)).toContain('Waiting for a person from our team.');

    // The agent's offer carries the bot's handoff packet; accepting opens the conversation.
    const offer = alex.getByRole('article', { name: /^Offer: / });
    await offer.waitFor();
    expect(await offer.getByRole('definition').allTextContents()).toEqual(expect.arrayContaining(['Patient asked for a person']));
    await offer.getByRole('button', { name: 'Accept' }).click();
    const alexTab = alex.getByRole('tab', { name: /.+/ }).first();
    await expect.poll(() => alexTab.getAttribute('aria-selected')).toBe('true');
    const alexLog = alex.getByRole('log', { name: /^Transcript with / });
    await expect.poll(() => textOf(alexLog)).toContain('moving my appointment');
    await expect.poll(() => textOf(log)).toMatch(/joined the chat/);

    // They talk.
    const alexComposer = alex.getByRole('combobox', { name: 'Message' });
    await alexComposer.fill('Hello, this is Alex. Which appointment would you like to move?');
    await alexComposer.press('Enter');
    await expect.poll(() => textOf(log)).toContain('Which appointment would you like to move?');
    await say('The one next Tuesday, please.');
    await expect.poll(() => textOf(alexLog)).toContain('The one next Tuesday, please.');

    // The server dies mid-conversation (no graceful shutdown) and comes back on the same database.
    server!.child.kill('SIGKILL');
    await exited(server!.child);
    await expect.poll(() => alex.getByRole('status', { name: 'Connection' }).textContent()).toBe('Reconnecting…');
    await say('Are you still there? Typed while the server was down.');
    await alexComposer.fill('Typed by the agent while the server was down.');
    await alexComposer.press('Enter');
    await startServer();
    await expect.poll(() => alex.getByRole('status', { name: 'Connection' }).textContent(), { timeout: 20_000 }).toBe('Connected');
    await expect.poll(() => textOf(alexLog), { timeout: 20_000 }).toContain('Typed while the server was down.');
    await expect.poll(() => textOf(log), { timeout: 20_000 }).toContain('Typed by the agent while the server was down.');
    await say('Thanks, Tuesday afternoon works better.');
    await expect.poll(() => textOf(alexLog)).toContain('Tuesday afternoon works better.');

    // A second agent signs in; the first transfers the chat to them with a note.
    const blair = await deskFor('agent2');
    const supervisor = await api<{ accessToken: string }>('POST', '/api/auth/login', undefined, { email: demo('supervisor'), password: PASSWORD });
    const agents = await api<{ items: { userId: string; displayName: string }[] }>('GET', '/api/conversations/agents', supervisor.body.accessToken);
    const blairId = agents.body.items.find((a) => a.displayName === 'Demo Agent 2')!.userId;
    await alexComposer.fill('/t');
    await alexComposer.press('Enter');
    const transfer = alex.getByRole('dialog', { name: 'Transfer conversation' });
    await transfer.getByRole('combobox', { name: 'Colleague', exact: true }).selectOption(blairId);
    await transfer.getByLabel('Note for the colleague (optional)').fill('Wants Tuesday afternoon instead');
    await transfer.getByRole('button', { name: 'Transfer' }).click();
    await expect.poll(() => alex.getByRole('tablist', { name: 'Open conversations' }).getByRole('tab').count()).toBe(0);

    const blairTab = blair.getByRole('tablist', { name: 'Open conversations' }).getByRole('tab').first();
    await blairTab.click();
    await expect.poll(() => blair.getByRole('note', { name: 'Note from your colleague' }).textContent()).toBe('Wants Tuesday afternoon instead');
    const blairLog = blair.getByRole('log', { name: /^Transcript with / });
    await expect.poll(() => textOf(blairLog)).toContain('Typed while the server was down.');
    const blairComposer = blair.getByRole('combobox', { name: 'Message' });
    await blairComposer.fill('Hi, Blair here. You are booked for Tuesday at 2 pm.');
    await blairComposer.press('Enter');
    await expect.poll(() => textOf(log)).toContain('You are booked for Tuesday at 2 pm.');

    // The second agent ends the chat, wraps up with a disposition and closes it.
    await blair.getByRole('button', { name: 'End chat' }).click();
    await blair.getByRole('alertdialog', { name: /^End the chat with/ }).getByRole('button', { name: 'End chat' }).click();
    const wrapup = blair.getByRole('form', { name: 'Wrap-up' });
    await wrapup.getByLabel('Disposition (required)').selectOption({ label: 'Resolved' });
    await wrapup.getByLabel('Wrap-up notes').fill('Moved to Tuesday 2 pm.');
    await wrapup.getByRole('button', { name: 'Close conversation' }).click();
    // Closed: the tab goes away (if not, say what the wrap-up form shows).
    await expect
      .poll(async () => {
        if ((await blair.getByRole('tablist', { name: 'Open conversations' }).getByRole('tab').count()) === 0) return 'closed';
        return `still open: ${(await wrapup.count()) ? (await wrapup.getByRole('alert').allTextContents()).join(' ') || 'no error shown' : 'no wrap-up form'}`;
      })
      .toBe('closed');

    // The patient answers the survey in the chat.
    const survey = chat.getByRole('form', { name: 'How did we do?' });
    await survey.waitFor();
    await survey.getByRole('group', { name: /How satisfied are you/ }).getByRole('button', { name: '5 of 5' }).click();
    await survey.getByRole('group', { name: /recommend us/ }).getByRole('button', { name: '10 of 10' }).click();
    await survey.getByRole('group', { name: /resolved/ }).getByRole('button', { name: 'Yes' }).click();
    await survey.getByRole('button', { name: 'Send answers' }).click();
    await chat.getByRole('heading', { name: 'Thank you for your feedback!' }).waitFor();

    // Nothing lost, nothing doubled: each line appears exactly once on the patient's screen.
    const seen = await textOf(log);
    for (const line of [
      'Which appointment would you like to move?',
      'The one next Tuesday, please.',
      'Typed while the server was down.',
      'Typed by the agent while the server was down.',
      'Tuesday afternoon works better.',
      'You are booked for Tuesday at 2 pm.',
    ]) {
      expect(occurrences(seen, line), line).toBe(1);
    }

    // The answers are stored, attributed to the agent who closed, and the supervisor reads them.
    const responses = await api<{ items: { agentId: string | null; answers: Record<string, unknown> }[] }>(
      'GET',
      `/api/surveys/responses?agentId=${encodeURIComponent(blairId)}`,
      supervisor.body.accessToken,
    );
    expect(responses.status).toBe(200);
    expect(responses.body.items).toHaveLength(1);
    expect(responses.body.items[0]!.answers).toEqual({ csat: 5, nps: 10, resolved: true });
    expect(errors.flat()).toEqual([]);
  }, 180_000);
});
