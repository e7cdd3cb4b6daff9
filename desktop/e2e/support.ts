/** Browser-test helpers: Debian's Chromium through playwright-core, pointed at a real server. */
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { spawnTsx } from '@carebridge/server/testing/processes';

export { launchChromium, seriousAccessibilityViolations, watchErrors } from '@carebridge/server/testing/browser';

export async function signIn(page: Page, credentials: { email: string; password: string; serverUrl?: string }): Promise<void> {
  if (credentials.serverUrl !== undefined) await page.getByLabel('Server address').fill(credentials.serverUrl);
  await page.getByLabel('Email').fill(credentials.email);
  await page.getByLabel('Password').fill(credentials.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export interface DemoServer {
  child: ChildProcess;
  output: () => string;
}

/**
 * The real server process in demo mode, as `npm start` runs it (demo accounts, synthetic patients,
 * queues always open), serving the built desk and portal; resolves once `/api/health` answers.
 */
export async function startDemoServer(options: { port: number; url: string; database: string; deskDir: string; portalDir: string; env?: Record<string, string> }): Promise<DemoServer> {
  const server = spawnTsx('src/main.ts', {
    cwd: path.resolve(import.meta.dirname, '../../server'),
    env: {
      ...process.env,
      NODE_ENV: 'development',
      PORT: String(options.port),
      HOST: '127.0.0.1',
      PUBLIC_URL: options.url,
      DATABASE_URL: `sqlite:${options.database}`,
      DEMO_MODE: '1',
      DESK_DIR: options.deskDir,
      PORTAL_DIR: options.portalDir,
      ROUTING_ALWAYS_OPEN: '1',
      ROUTING_OFFER_TIMEOUT_MS: '120000',
      LOG_LEVEL: 'warn',
      ...options.env,
    },
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && server.child.exitCode === null) {
    try {
      if ((await fetch(`${options.url}/api/health`)).ok) return server;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`the server did not start:\n${server.output()}`);
}

/**
 * A caller at the portal opens the chat widget, starts a chat ("Something else") and asks for a person;
 * the agent at `desk` accepts the offer. Resolves with the caller's message box once the caller reads
 * that the agent joined.
 */
export async function widgetChatAcceptedBy(patient: Page, desk: Page, serverUrl: string, name: string): Promise<Locator> {
  await patient.goto(`${serverUrl}/portal/`);
  await patient.getByRole('button', { name: 'Chat with us' }).click();
  const chat = patient.getByRole('region', { name: 'Chat with Carebridge' });
  await chat.getByRole('textbox', { name: 'Your name' }).fill(name);
  await chat.getByRole('combobox', { name: 'Reason for contacting us' }).selectOption('Something else');
  await chat.getByRole('button', { name: 'Start chat' }).click();
  const box = chat.getByRole('textbox', { name: 'Type your message' });
  await box.fill('Can I talk to a person please?');
  await box.press('Enter');
  await desk.getByRole('article', { name: /^Offer: / }).getByRole('button', { name: 'Accept' }).click();
  const log = patient.getByRole('log', { name: 'Messages' });
  await expect.poll(() => log.evaluate((el) => (el as HTMLElement).innerText)).toMatch(/joined the chat/);
  return box;
}

