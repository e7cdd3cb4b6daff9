/**
 * The health bot's "done when", end to end in Debian's Chromium against the real server process
 * (demo mode, as `npm start` runs it): a patient signed in to the portal writes "crushing chest pain
 * and I'm sweating" → the bot answers at once with call-911 advice and hands off at the highest
 * priority → an agent at /desk receives the offer marked urgent, with the triage disposition in the
 * hand-off packet, and accepts it with the patient's words in the transcript.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { exited, freePort } from '@carebridge/server/testing/processes';
import { launchChromium, seriousAccessibilityViolations, signIn, startDemoServer, watchErrors, type DemoServer } from './support.js';

const PASSWORD = 'carebridge-demo';
const demo = (local: string) => `${local}@demo.carebridge.local`;

let dir = '';
let url = '';
let server: DemoServer | undefined;
let browser: Browser;
const contexts: BrowserContext[] = [];
const errors: string[][] = [];

async function newPage(viewport = { width: 1280, height: 800 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(15_000);
  contexts.push(context);
  const page = await context.newPage();
  errors.push(watchErrors(page));
  return page;
}

const textOf = (locator: Locator) => locator.evaluate((el) => (el as HTMLElement).innerText);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-red-flag-'));
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  const database = path.join(dir, 'red-flag.db');
  [browser, server] = await Promise.all([
    launchChromium(),
    startDemoServer({ port, url, database, deskDir: inject('deskDir'), portalDir: inject('portalDir'), env: { SEED_PATIENTS: '10' } }),
  ]);
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

describe('the health bot (issue 12, done when)', () => {
  it('"crushing chest pain and I\'m sweating" in the portal → call-911 advice at once → an urgent offer with the triage disposition at the desk', async () => {
    const agent = await newPage();
    await agent.goto(`${url}/desk/`);
    await signIn(agent, { email: demo('agent1'), password: PASSWORD });
    await expect.poll(() => agent.getByRole('status', { name: 'Connection' }).textContent()).toBe('Connected');

    const patient = await newPage({ width: 390, height: 844 });
    await patient.goto(`${url}/portal/`);
    await patient.getByRole('textbox', { name: 'Email' }).fill(demo('patient1'));
    await patient.getByLabel('Password').fill(PASSWORD);
    await patient.getByRole('button', { name: 'Sign in' }).click();
    const chat = patient.getByRole('region', { name: 'Chat with Carebridge' });
    await chat.getByRole('button', { name: 'Start chat' }).click();
    const log = chat.getByRole('log', { name: 'Messages' });
    await expect.poll(() => textOf(log)).toContain("I'm the Carebridge assistant");

    // Typed in the middle of nothing in particular: the bot's first answer is the emergency advice.
    await chat.getByRole('textbox', { name: 'Type your message' }).fill("crushing chest pain and I'm sweating");
    const sentAt = Date.now();
    await chat.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => textOf(log)).toMatch(/call 911 now/i);
    const answeredMs = Date.now() - sentAt;
    const after = (await textOf(log)).split("crushing chest pain and I'm sweating")[1]!;
    // Nothing else comes first: no menu, no question.
    expect(after.replace(/^\s*(Sent|Delivered|Read)?\s*/, '')).toMatch(/^Assistant:\s*Call 911 now: what you describe can be a medical emergency/);
    expect(answeredMs).toBeLessThan(5_000);
    await expect.poll(() => textOf(log)).toContain('Waiting for a person from our team.');
    await patient.screenshot({ path: '/tmp/red-flag-portal-390.png' });
    expect(await seriousAccessibilityViolations(patient)).toEqual([]);

    // The agent's offer: urgent, the red flag and the triage disposition in the packet.
    const offer = agent.getByRole('article', { name: /^Offer: / });
    await offer.waitFor();
    const offerText = await textOf(offer);
    expect(offerText).toMatch(/urgent/i);
    const packet = offer.getByRole('definition');
    expect(await packet.allTextContents()).toEqual(expect.arrayContaining(['Red flag: possible emergency', 'Emergency: call 911 (emergency_ambulance)']));
    expect(offerText).toContain("crushing chest pain and I'm sweating");
    await agent.screenshot({ path: '/tmp/red-flag-desk-1280.png' });
    expect(await seriousAccessibilityViolations(agent)).toEqual([]);

    await offer.getByRole('button', { name: 'Accept' }).click();
    const transcript = agent.getByRole('log', { name: /^Transcript with / });
    await expect.poll(() => textOf(transcript)).toContain("crushing chest pain and I'm sweating");
    await expect.poll(() => textOf(log)).toMatch(/joined the chat/);
    for (const e of errors) expect(e).toEqual([]);
  });
});
