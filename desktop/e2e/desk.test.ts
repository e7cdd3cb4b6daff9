/**
 * The /desk renderer in Debian's Chromium against a real server: sign-in and its failures, the
 * role's workspaces, presence, reconnect after a restart, conversation links, inactivity logoff.
 */
import net from 'node:net';
import { generate } from 'otplib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { startTestServer, type TestServer } from '@carebridge/server/testing/server';
import { call, createPatient, createUser, TEST_PASSWORD } from '@carebridge/server/testing/accounts';
import { launchChromium, seriousAccessibilityViolations, signIn, watchErrors } from './support.js';

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer({ DESK_DIR: inject('deskDir'), PRESENCE_GRACE_MS: '60000' }), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});
beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  errors = watchErrors(page);
});
afterEach(async () => {
  await context.close();
  expect(errors).toEqual([]);
});

const deskUrl = () => `${server.url}/desk/`;
const navLinks = async () => page.getByRole('navigation', { name: 'Workspaces' }).getByRole('link').allTextContents();

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function signedInAs(role: string, path = ''): Promise<{ id: string; email: string }> {
  const user = await createUser(server, { role });
  await page.goto(`${deskUrl()}${path}`);
  await signIn(page, { email: user.email, password: TEST_PASSWORD });
  await expect.poll(() => page.getByRole('status', { name: 'Connection' }).textContent()).toBe('Connected');
  return user;
}

describe('/desk sign-in', () => {
  it('loads the sign-in form with the server address prefilled', async () => {
    await page.goto(deskUrl());
    await expect.poll(() => page.getByRole('heading', { name: 'Sign in to the desk' }).isVisible()).toBe(true);
    expect(await page.getByLabel('Server address').inputValue()).toBe(server.url);
    expect(await page.getByLabel('Email').isEnabled()).toBe(true);
    expect(await page.getByLabel('Authenticator code').count()).toBe(0);
  });

  it('an agent sees only the agent workspaces', async () => {
    await signedInAs('agent');
    await page.getByRole('heading', { name: 'Conversations', level: 1 }).waitFor();
    expect(await navLinks()).toEqual(['Conversations', 'Patients', 'History', 'Knowledge', 'Scripts', 'Settings']);
    expect(page.url()).toMatch(/#\/conversations$/);
    await page.getByRole('link', { name: 'Knowledge' }).click();
    await page.getByRole('heading', { name: 'Knowledge', level: 1 }).waitFor();
    await page.getByRole('search', { name: 'Search articles' }).waitFor();
    // A workspace outside the role falls back to the first one.
    await page.evaluate(() => {
      window.location.hash = '#/supervisor';
    });
    await expect.poll(() => page.url()).toMatch(/#\/conversations$/);
    await page.getByRole('heading', { name: 'Conversations', level: 1 }).waitFor();
    await page.evaluate(() => {
      window.location.hash = '#/insights';
    });
    await expect.poll(() => page.url()).toMatch(/#\/conversations$/);
  });

  it('a supervisor sees the supervisor workspaces', async () => {
    await signedInAs('supervisor');
    expect(await navLinks()).toEqual(['Conversations', 'Patients', 'History', 'Supervisor', 'Insights', 'Knowledge', 'Scripts', 'Admin', 'Settings']);
    await page.getByRole('link', { name: 'Supervisor' }).click();
    await page.getByRole('heading', { name: 'Supervisor', level: 1 }).waitFor();
    expect(await page.getByText('Signed in as').count()).toBe(0);
    expect(await page.getByText('Supervisor', { exact: true }).count()).toBeGreaterThan(0);
  });

  it('shows clear messages for a wrong password, a bad address, a server that is down and a patient account', async () => {
    const user = await createUser(server, { role: 'agent' });
    await page.goto(deskUrl());
    await signIn(page, { email: user.email, password: 'not the password' });
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('The email address or password is wrong.');

    await signIn(page, { email: user.email, password: TEST_PASSWORD, serverUrl: 'not a server' });
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('is not a server address');

    const otherPort = await freePort();
    await signIn(page, { email: user.email, password: TEST_PASSWORD, serverUrl: `http://127.0.0.1:${otherPort}` });
    await expect.poll(() => page.getByRole('alert').textContent()).toContain(
      `In a browser, the desk signs in only to the server it was opened from (${server.url}). To use http://127.0.0.1:${otherPort}, open http://127.0.0.1:${otherPort}/desk/ instead.`,
    );

    await server.restart({
      whileDown: async () => {
        await signIn(page, { email: user.email, password: TEST_PASSWORD, serverUrl: server.url });
        await expect.poll(() => page.getByRole('alert').textContent()).toBe(
          `Cannot reach the server at ${server.url}. Check the address and your network connection; the server may be down.`,
        );
        expect(await page.getByRole('button', { name: 'Sign in' }).isEnabled()).toBe(true);
      },
    });

    const patientRecord = createPatient(server, `E2E${Date.now()}`);
    const patient = await createUser(server, { role: 'patient', patientId: patientRecord.id! });
    await signIn(page, { email: patient.email, password: TEST_PASSWORD, serverUrl: server.url });
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('This app is for Carebridge staff');
  });

  it('asks for the authenticator code when the account uses MFA, and says when the code is wrong', async () => {
    const user = await createUser(server, { role: 'agent' });
    const login = await call(server, 'POST', '/api/auth/login', { body: { email: user.email, password: TEST_PASSWORD } });
    const token = login.body.accessToken as string;
    const stepUp = { currentPassword: TEST_PASSWORD };
    const secret = (await call(server, 'POST', '/api/auth/mfa/enrol', { token, body: stepUp })).body.secret as string;
    const codeAt = (offset: number) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + offset * 30 });
    expect((await call(server, 'POST', '/api/auth/mfa/activate', { token, body: { ...stepUp, code: await codeAt(-1) } })).status).toBe(200);

    await page.goto(deskUrl());
    await signIn(page, { email: user.email, password: TEST_PASSWORD });
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Enter the 6-digit code from your authenticator app.');
    const right = await codeAt(0);
    await page.getByLabel('Authenticator code').fill(String((Number(right) + 500_000) % 1_000_000).padStart(6, '0'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('That authenticator code is wrong or has expired');
    await page.getByLabel('Authenticator code').fill(right);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Conversations', level: 1 }).waitFor();
  });
});

describe('/desk signed in', () => {
  it('presence changes reach the server, and survive a server restart through reconnect', async () => {
    const user = await signedInAs('agent');
    const token = await server.tokenFor({ kind: 'staff', userId: user.id, email: user.email, role: 'agent', practitionerId: null });
    const serverState = async () => {
      const res = await call(server, 'GET', '/api/presence', { token });
      return res.body.items.find((p: { userId: string }) => p.userId === user.id)?.state as string | undefined;
    };
    await expect.poll(serverState).toBe('available');
    await page.getByRole('combobox', { name: 'Presence' }).selectOption({ label: 'Busy' });
    await expect.poll(serverState).toBe('busy');

    await server.restart({
      whileDown: async () => {
        await expect.poll(() => page.getByRole('status', { name: 'Connection' }).textContent()).toBe('Reconnecting…');
        // Forget presence as a fresh server process would.
        server.context.presence.set(user.id, 'offline');
      },
    });
    await expect.poll(() => page.getByRole('status', { name: 'Connection' }).textContent(), { timeout: 10_000 }).toBe('Connected');
    await expect.poll(serverState).toBe('busy');
    expect(await page.getByRole('combobox', { name: 'Presence' }).inputValue()).toBe('busy');

    // Set elsewhere (another device, over REST): the selector follows.
    expect((await call(server, 'PUT', '/api/presence/me', { token, body: { state: 'away' } })).status).toBe(200);
    await expect.poll(() => page.getByRole('combobox', { name: 'Presence' }).inputValue()).toBe('away');
  });

  // Drafts per conversation across a reload: desktop/e2e/inbox.test.ts (a real conversation).
  it('a link to a conversation that is not yours says so', async () => {
    await signedInAs('agent', '#/conversations/conv-42');
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Could not open the conversation: Conversation conv-42 not found.');
    expect(await page.getByText('No conversations yet — offers appear here').isVisible()).toBe(true);
  });

  it('warns before the automatic sign-out after inactivity, then shows the sign-in screen', async () => {
    await signedInAs('agent', '?inactivitySeconds=4');
    const warning = page.getByRole('alertdialog', { name: 'Are you still there?' });
    await warning.waitFor({ timeout: 5000 });
    // The safe answer has the focus, so a stray Enter keeps the user signed in.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Stay signed in');
    await warning.getByRole('button', { name: 'Stay signed in' }).click();
    expect(await page.getByRole('heading', { name: 'Conversations', level: 1 }).isVisible()).toBe(true);
    await warning.waitFor({ timeout: 5000 });
    await page.getByRole('heading', { name: 'Sign in to the desk' }).waitFor({ timeout: 5000 });
    expect(await page.getByText('You were signed out after 4 seconds without activity. Your drafts are kept.').isVisible()).toBe(true);
  });

  it('the command palette navigates and the shortcut reference opens; light and dark themes', async () => {
    await signedInAs('supervisor');
    await page.keyboard.press('Control+k');
    const palette = page.getByRole('dialog', { name: 'Command palette' });
    await palette.getByRole('combobox', { name: 'Search commands' }).fill('settings');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();

    await page.getByLabel('Theme').selectOption('light');
    await page.screenshot({ path: '/tmp/carebridge-desk-light.png' });
    await page.getByLabel('Theme').selectOption('dark');
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.getByRole('link', { name: 'Conversations' }).click();
    await page.getByRole('heading', { name: 'Conversations', level: 1 }).waitFor();
    await page.screenshot({ path: '/tmp/carebridge-desk-dark.png' });

    await page.keyboard.press('Shift+?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+Shift+A');
    await expect.poll(() => page.getByRole('status', { name: 'Status message' }).textContent()).toContain('no offers are waiting');
  });

  it('every workspace of every role passes axe (light and dark) and fits a 320 px wide window', async () => {
    await page.goto(deskUrl());
    await page.getByRole('heading', { name: 'Sign in to the desk' }).waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    const seen: string[] = [];
    for (const role of ['agent', 'supervisor', 'admin', 'outreach', 'bot-author', 'practitioner']) {
      await context.clearCookies();
      await page.setViewportSize({ width: 1280, height: 800 });
      await signedInAs(role);
      // Only those who take chats have a presence to set.
      expect(await page.getByRole('combobox', { name: 'Presence' }).count(), role).toBe(role === 'agent' || role === 'supervisor' ? 1 : 0);
      for (const link of await navLinks()) {
        await page.getByRole('navigation', { name: 'Workspaces' }).getByRole('link', { name: link }).click();
        await page.getByRole('heading', { name: link, level: 1 }).waitFor();
        for (const theme of ['light', 'dark']) {
          await page.evaluate((t) => (document.documentElement.dataset.theme = t), theme);
          const violations = await seriousAccessibilityViolations(page);
          expect(violations, `${role} · ${link} · ${theme}`).toEqual([]);
        }
        await page.setViewportSize({ width: 320, height: 640 });
        expect(await page.evaluate(() => document.documentElement.scrollWidth), `${role} · ${link} at 320 px`).toBeLessThanOrEqual(320);
        await page.setViewportSize({ width: 1280, height: 800 });
        seen.push(`${role}:${link}`);
      }
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in to the desk' }).waitFor();
    }
    // Every workspace was visited by at least one role.
    expect(new Set(seen.map((s) => s.split(':')[1]))).toEqual(new Set(['Conversations', 'Patients', 'History', 'Supervisor', 'Insights', 'Knowledge', 'Scripts', 'Outreach', 'Bot studio', 'Admin', 'Settings']));
  }, 120_000);
});
