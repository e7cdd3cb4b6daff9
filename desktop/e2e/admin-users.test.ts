/**
 * The admin workspace's Users tab in Debian's Chromium against a real server: an admin creates a
 * staff account (a too-short password and a taken e-mail are refused, naming the field), finds it,
 * changes its role and routing profile and disables it after confirming; cannot disable their own
 * account; resets two-step sign-in; pages with "Show more"; the disable flow by keyboard alone;
 * axe and no sideways scrolling at desktop and phone sizes.
 */
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestServer, type TestServer } from '@carebridge/server/testing/server';
import { createUser, TEST_PASSWORD } from '@carebridge/server/testing/accounts';
import { launchChromium, seriousAccessibilityViolations, signIn, watchErrors } from './support.js';

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let errors: string[];
let admin: { id: string; email: string };
let hana: { id: string; email: string };
let kai: { id: string; email: string };

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer({ DESK_DIR: inject('deskDir') }), launchChromium()]);
  [admin, hana, kai] = await Promise.all([
    createUser(server, { role: 'admin', displayName: 'Ada Admin' }),
    createUser(server, { role: 'agent', displayName: 'Hana Agent' }),
    createUser(server, { role: 'agent', displayName: 'Kai Keyboard' }),
  ]);
  // More than a page (25) of accounts that one search finds.
  await Promise.all(Array.from({ length: 27 }, (_, i) => createUser(server, { role: 'outreach', displayName: `Pager ${String(i + 1).padStart(2, '0')}`, email: `pager-${String(i + 1).padStart(2, '0')}@example.test` })));
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});
afterEach(async () => {
  await context?.close();
  expect(errors).toEqual([]);
});

/** Signs the admin in (their first workspace is History: admins take no chats) and opens Admin → Users. */
async function openUsers(viewport = { width: 1280, height: 800 }): Promise<Page> {
  context = await browser.newContext({ viewport });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  errors = watchErrors(page);
  await page.goto(`${server.url}/desk/`);
  await signIn(page, { email: admin.email, password: TEST_PASSWORD });
  await page.getByRole('heading', { name: 'History', level: 1 }).waitFor();
  await page.getByRole('navigation', { name: 'Workspaces' }).getByRole('link', { name: 'Admin' }).click();
  await page.getByRole('tab', { name: 'Users', selected: true }).waitFor();
  await page.getByRole('heading', { name: 'Users', level: 2 }).waitFor();
  await results(page).getByRole('button', { name: /^Manage / }).first().waitFor();
  return page;
}

const results = (page: Page) => page.getByRole('region', { name: 'Accounts found' });
const manageNames = async (page: Page) => (await results(page).getByRole('button', { name: /^Manage / }).allTextContents()).map((t) => t.replace(/^Manage\s*/, '').trim());
const searchFor = async (page: Page, words: string) => {
  const box = page.getByRole('search', { name: 'Search accounts' }).getByRole('searchbox', { name: 'Name or e-mail' });
  await box.fill(words);
  await box.press('Enter');
};
const account = (page: Page, name: string): Locator => page.getByRole('region', { name: `${name}’s account` });
/** Every status line in there, as one text (an account panel has one per part). */
const statusOf = async (where: Locator) => (await where.getByRole('status').allTextContents()).join(' ');
const focusedText = (page: Page) => page.evaluate(() => document.activeElement?.textContent?.replace(/\s+/g, ' ').trim() ?? '');
/**
 * The content scrolls inside the shell, so a full-page shot stops at the window: for one of the whole
 * tab, the window grows to the content's height (same width) and back.
 */
async function wholeTabScreenshot(page: Page, path: string): Promise<void> {
  const viewport = page.viewportSize()!;
  const overflow = await page.evaluate(() => {
    const content = document.getElementById('main')!;
    return content.scrollHeight - content.clientHeight;
  });
  await page.setViewportSize({ width: viewport.width, height: viewport.height + Math.max(0, overflow) });
  await page.screenshot({ path });
  await page.setViewportSize(viewport);
}
const stored = (email: string) =>
  server.context.database.sqlite.prepare('SELECT id, role, disabled FROM users WHERE email = ?').get(email) as { id: string; role: string; disabled: number } | undefined;

describe('admin: users', () => {
  it('creates an account (refusing a short password), finds it, changes its role and routing, and disables it after confirming', async () => {
    const page = await openUsers();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    // A too-short password: the server's refusal is shown next to the form, naming the field.
    await page.getByRole('button', { name: 'New account' }).click();
    const form = page.getByRole('form', { name: 'New staff account' });
    await form.getByLabel('E-mail').fill('nia.new@example.test');
    await form.getByLabel('Display name').fill('Nia New');
    await form.getByLabel('Role').selectOption({ label: 'Agent' });
    await form.getByLabel('Temporary password').fill('short');
    await form.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => form.getByRole('alert').textContent()).toContain('Temporary password: must be at least 12 characters long');
    expect(await form.getByLabel('Temporary password').getAttribute('aria-invalid')).toBe('true');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('type'))).toBe('password');
    expect(stored('nia.new@example.test')).toBeUndefined();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    // A taken e-mail: 409, named as the e-mail's problem.
    await form.getByLabel('E-mail').fill(hana.email);
    await form.getByLabel('Temporary password').fill('a long enough secret 42');
    await form.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => form.getByRole('alert').textContent()).toContain('E-mail: is already used by another account');

    await form.getByLabel('E-mail').fill('nia.new@example.test');
    await form.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Account created' }).textContent()).toContain('Account created for Nia New');
    expect(stored('nia.new@example.test')).toMatchObject({ role: 'agent', disabled: 0 });
    expect(await form.getByLabel('E-mail').inputValue()).toBe('');
    // The list refreshed: the new account is in it.
    await expect.poll(() => manageNames(page)).toContain('Nia New');

    // Found by search; its panel: change the role.
    await searchFor(page, 'nia');
    await expect.poll(() => manageNames(page)).toEqual(['Nia New']);
    await results(page).getByRole('button', { name: 'Manage Nia New' }).click();
    const panel = account(page, 'Nia New');
    await panel.getByLabel('Role of Nia New').selectOption({ label: 'Supervisor' });
    await panel.getByRole('button', { name: 'Save role of Nia New' }).click();
    await expect.poll(() => statusOf(panel)).toContain('Nia New is now a Supervisor');
    expect(stored('nia.new@example.test')?.role).toBe('supervisor');
    expect(await focusedText(page)).toBe('Save role of Nia New');
    await expect.poll(() => results(page).getByRole('row').filter({ hasText: 'nia.new@example.test' }).first().textContent()).toContain('Supervisor');

    // Routing: skills and capacity, stored on the server.
    const routing = panel.getByRole('form', { name: 'Routing', exact: true });
    const skills = routing.getByRole('group', { name: 'Skills of Nia New' });
    for (const skill of ['Scheduling', 'Nurse line', 'Pharmacy', 'General']) await skills.getByLabel(skill).uncheck();
    await skills.getByLabel('Spanish').check();
    await routing.getByLabel('Capacity of Nia New').fill('11');
    await routing.getByRole('button', { name: 'Save routing of Nia New' }).click();
    await expect.poll(() => routing.getByRole('alert').textContent()).toContain('from 0 to 10');
    await routing.getByLabel('Capacity of Nia New').fill('2');
    await routing.getByRole('button', { name: 'Save routing of Nia New' }).click();
    await expect.poll(() => routing.getByRole('status').textContent()).toContain('Routing of Nia New saved: Billing, Spanish; up to 2 at once.');
    const niaId = stored('nia.new@example.test')!.id;
    expect(server.context.agentProfiles.get(niaId)).toEqual({ skills: ['billing', 'spanish'], capacity: 2 });

    // Disable: asks first (Cancel is the default and changes nothing), then disables.
    const disable = panel.getByRole('button', { name: 'Disable Nia New' });
    await disable.click();
    const dialog = page.getByRole('alertdialog', { name: 'Disable Nia New?' });
    await dialog.waitFor();
    await expect.poll(() => focusedText(page)).toBe('Cancel');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => focusedText(page)).toBe('Disable Nia New');
    expect(stored('nia.new@example.test')?.disabled).toBe(0);
    await disable.click();
    await dialog.getByRole('button', { name: 'Disable account' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => statusOf(panel)).toContain('Nia New is disabled');
    expect(stored('nia.new@example.test')?.disabled).toBe(1);
    await expect.poll(() => results(page).getByRole('row').filter({ hasText: 'nia.new@example.test' }).first().textContent()).toContain('Disabled');
    await expect.poll(() => focusedText(page)).toBe('Enable Nia New');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await panel.scrollIntoViewIfNeeded();
    await page.screenshot({ path: '/tmp/admin-users-1280.png' });
    await wholeTabScreenshot(page, '/tmp/admin-users-1280-full.png');

    // Enabling needs no confirmation.
    await panel.getByRole('button', { name: 'Enable Nia New' }).click();
    await expect.poll(() => statusOf(panel)).toContain('Nia New is enabled again');
    expect(stored('nia.new@example.test')?.disabled).toBe(0);

    // The admin's own account: no disable, no role change, and the panel says why.
    await searchFor(page, 'Ada');
    await expect.poll(() => manageNames(page)).toEqual(['Ada Admin']);
    await results(page).getByRole('button', { name: 'Manage Ada Admin' }).click();
    const own = account(page, 'Ada Admin');
    await expect.poll(() => own.textContent()).toContain('This is your account. You cannot disable it or take away its administrator role here');
    expect(await own.getByRole('button', { name: /^Disable/ }).count()).toBe(0);
    expect(await own.getByRole('combobox', { name: /^Role of/ }).count()).toBe(0);
    expect(stored(admin.email)).toMatchObject({ role: 'admin', disabled: 0 });
  });

  it('pages with "Show more", filters by role and says when nothing matches', async () => {
    const page = await openUsers();
    await searchFor(page, 'pager');
    await expect.poll(async () => (await manageNames(page)).length).toBe(25);
    await results(page).getByRole('button', { name: 'Show more accounts' }).click();
    await expect.poll(async () => (await manageNames(page)).length).toBe(27);
    // The focus goes to the first account the new page brought.
    await expect.poll(() => focusedText(page)).toBe('Manage Pager 26');
    expect(await results(page).getByRole('button', { name: 'Show more accounts' }).count()).toBe(0);

    await searchFor(page, 'zeppelin');
    await expect.poll(() => results(page).getByRole('status').textContent()).toContain('No accounts match “zeppelin”');
    await searchFor(page, '');
    await page.getByRole('search', { name: 'Search accounts' }).getByLabel('Role').selectOption({ label: 'Agent' });
    // Agents only (Nia New became a supervisor in the first test), by e-mail.
    await expect.poll(() => manageNames(page)).toEqual(['Hana Agent', 'Kai Keyboard']);
  });

  it('disables an account by keyboard alone', async () => {
    const page = await openUsers();
    const box = page.getByRole('searchbox', { name: 'Name or e-mail' });
    await box.focus();
    await page.keyboard.type('Kai');
    await page.keyboard.press('Enter');
    await expect.poll(() => manageNames(page)).toEqual(['Kai Keyboard']);
    const tabTo = async (text: string) => {
      for (let i = 0; i < 30 && (await focusedText(page)) !== text; i++) await page.keyboard.press('Tab');
      expect(await focusedText(page)).toBe(text);
    };
    await tabTo('Manage Kai Keyboard');
    await page.keyboard.press('Enter');
    await account(page, 'Kai Keyboard').waitFor();
    await tabTo('Disable Kai Keyboard');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('alertdialog', { name: 'Disable Kai Keyboard?' });
    await dialog.waitFor();
    await expect.poll(() => focusedText(page)).toBe('Cancel');
    // Escape backs out, to the button that opened it.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => focusedText(page)).toBe('Disable Kai Keyboard');
    expect(stored(kai.email)?.disabled).toBe(0);
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await page.keyboard.press('Tab');
    expect(await focusedText(page)).toBe('Disable account');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => stored(kai.email)?.disabled).toBe(1);
    await expect.poll(() => focusedText(page)).toBe('Enable Kai Keyboard');
    await expect.poll(() => statusOf(account(page, 'Kai Keyboard'))).toContain('Kai Keyboard is disabled');
  });

  it('resets two-step sign-in after confirming, and clears failed sign-ins', async () => {
    const mo = await createUser(server, { role: 'practitioner', displayName: 'Mo Mfa' });
    // As if Mo had enrolled an authenticator and mistyped the password three times.
    server.context.database.sqlite.prepare("UPDATE users SET totp_enabled = 1, totp_secret = 'sealed', failed_logins = 3 WHERE id = ?").run(mo.id);
    const page = await openUsers();
    await searchFor(page, 'Mo Mfa');
    await expect.poll(() => manageNames(page)).toEqual(['Mo Mfa']);
    await results(page).getByRole('button', { name: 'Manage Mo Mfa' }).click();
    const panel = account(page, 'Mo Mfa');
    // Practitioners are not routed: no routing part.
    await panel.getByRole('group', { name: 'Sign-in' }).waitFor();
    expect(await panel.getByRole('form', { name: 'Routing', exact: true }).count()).toBe(0);

    await panel.getByRole('button', { name: 'Clear failed sign-ins of Mo Mfa' }).click();
    await expect.poll(() => statusOf(panel)).toContain('Failed sign-ins of Mo Mfa cleared');
    expect(server.context.database.sqlite.prepare('SELECT failed_logins FROM users WHERE id = ?').get(mo.id)).toEqual({ failed_logins: 0 });
    // Nothing left to clear: the button goes, and the focus to the account's heading.
    await expect.poll(() => focusedText(page)).toBe('Mo Mfa’s account');

    await panel.getByRole('button', { name: 'Reset two-step sign-in for Mo Mfa' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Reset two-step sign-in for Mo Mfa?' });
    await dialog.getByRole('button', { name: 'Reset two-step sign-in' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => statusOf(panel)).toContain('Two-step sign-in of Mo Mfa is reset');
    expect(server.context.database.sqlite.prepare('SELECT totp_enabled, totp_secret FROM users WHERE id = ?').get(mo.id)).toEqual({ totp_enabled: 0, totp_secret: null });
    // The button that opened the dialog is gone (there is nothing left to reset): the focus is on the account's heading.
    await expect.poll(() => panel.getByRole('button', { name: /^Reset two-step/ }).count()).toBe(0);
    await expect.poll(() => focusedText(page)).toBe('Mo Mfa’s account');
    await expect.poll(() => results(page).getByRole('row').filter({ hasText: 'Mo Mfa' }).first().textContent()).toContain('Off');
  });

  it('fits a phone-sized window and passes axe there, with an account open and the new-account form', async () => {
    const page = await openUsers({ width: 390, height: 844 });
    const noSidewaysScroll = () => page.evaluate(() => document.documentElement.scrollWidth);
    // The list scrolls on its own when too wide; it should not need to.
    const listOverflow = () => results(page).evaluate((el) => el.scrollWidth - el.clientWidth);
    expect(await noSidewaysScroll()).toBeLessThanOrEqual(390);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    await searchFor(page, 'Hana');
    await expect.poll(() => manageNames(page)).toEqual(['Hana Agent']);
    await results(page).getByRole('button', { name: 'Manage Hana Agent' }).click();
    const panel = account(page, 'Hana Agent');
    await panel.getByRole('form', { name: 'Routing', exact: true }).getByLabel('Capacity of Hana Agent').waitFor();
    // The defaults: every skill, four at once.
    expect(await panel.getByLabel('Capacity of Hana Agent').inputValue()).toBe('4');
    await panel.getByLabel('Capacity of Hana Agent').fill('0');
    await panel.getByRole('button', { name: 'Save routing of Hana Agent' }).click();
    await expect.poll(() => panel.getByRole('form', { name: 'Routing', exact: true }).getByRole('status').textContent()).toContain('capacity 0, so they are out of routing');
    expect(server.context.agentProfiles.get(hana.id).capacity).toBe(0);
    expect(await noSidewaysScroll()).toBeLessThanOrEqual(390);
    expect(await listOverflow()).toBeLessThanOrEqual(0);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'New account' }).click();
    await page.getByRole('form', { name: 'New staff account' }).waitFor();
    expect(await noSidewaysScroll()).toBeLessThanOrEqual(390);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: '/tmp/admin-users-390.png' });
    await wholeTabScreenshot(page, '/tmp/admin-users-390-full.png');

    // And at the narrowest phones.
    await page.setViewportSize({ width: 320, height: 720 });
    await expect.poll(noSidewaysScroll).toBeLessThanOrEqual(320);
    expect(await listOverflow()).toBeLessThanOrEqual(0);
    await account(page, 'Hana Agent').getByRole('heading', { name: 'Sign-in' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: '/tmp/admin-users-320.png' });
    await wholeTabScreenshot(page, '/tmp/admin-users-320-full.png');
  });
});
