/**
 * The health library article page (`/portal/#/library/<id>`, what a chat card's "Read the article"
 * opens) in Debian's Chromium against a real server with the shipped knowledge base: the article,
 * its language switch and related articles, "not found" for unknown and staff-only articles,
 * Markdown that tries to run script, axe, and a phone-width screenshot.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { startTestServer, type TestServer } from '../../src/testing/server.js';
import { launchChromium, seriousAccessibilityViolations, watchErrors } from './support.js';

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];
const SCREENSHOTS = process.env.SCREENSHOT_DIR;

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer({ PORTAL_DIR: inject('portalDir') }), launchChromium()]);
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
  expect(errors).toEqual([]);
});

describe('/portal/#/library/<id>', () => {
  it('shows the article with its review date, a switch to Spanish and related articles', async () => {
    await page.goto(`${server.url}/portal/#/library/high-blood-pressure`);
    const title = page.getByRole('heading', { name: 'High blood pressure (hypertension)', level: 1 });
    await title.waitFor();
    await expect.poll(() => title.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.getByText('What high blood pressure is, the numbers that matter').waitFor();
    await page.getByText(/Reviewed by Nursing Supervisor · next review \d{4}-\d{2}-\d{2}/).waitFor();
    await page.getByRole('heading', { name: 'The numbers', level: 2 }).waitFor();
    expect(await page.getByRole('listitem').filter({ hasText: 'Normal: below 120/80' }).count()).toBe(1);
    await page.getByRole('heading', { name: 'Related articles' }).waitFor();
    expect(await page.getByRole('link', { name: 'Checking your blood pressure at home' }).count()).toBeGreaterThan(0);
    expect(await page.title()).toBe('High blood pressure (hypertension) · Carebridge');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    await page.getByRole('link', { name: 'Leer en español' }).click();
    await page.getByRole('heading', { name: 'Presión alta (hipertensión)', level: 1 }).waitFor();
    expect(await page.locator('article').getAttribute('lang')).toBe('es');
    await page.getByRole('link', { name: 'Read this in English' }).waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    await page.getByRole('link', { name: 'Read this in English' }).click();
    await title.waitFor();
  });

  it('fits a 390 px phone without sideways scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${server.url}/portal/#/library/cold-or-flu`);
    await page.getByRole('heading', { name: 'Is it a cold or the flu?', level: 1 }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    if (SCREENSHOTS) {
      fs.mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SCREENSHOTS, 'portal-library-390.png'), fullPage: false });
    }
  });

  it.each([
    ['an unknown id', 'no-such-article'],
    ['an article for staff only', 'agent-verifying-identity'],
    ['a malformed id', '%E0%A4%A'],
  ])('says "Article not found" for %s', async (_what, id) => {
    await page.goto(`${server.url}/portal/#/library/${id}`);
    await page.getByRole('heading', { name: 'Article not found', level: 1 }).waitFor();
    expect(await page.getByRole('link', { name: 'Back to the portal' }).getAttribute('href')).toBe('/portal/');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });

  it('renders Markdown that tries to run script as harmless text and links', async () => {
    const knowledge = server.context.knowledge;
    const editor = { kind: 'editor', userId: 'library-test', role: 'admin' } as const;
    const { id } = knowledge.create(editor, {
      id: 'hostile-markdown',
      title: 'Hostile Markdown',
      summary: 'Script and handlers must not run.',
      audience: 'patient',
      category: 'clinic',
      tags: [],
      conditions: [],
      language: 'en',
      reviewDate: '2027-01-01',
      owner: 'Test',
      body: '<script>window.pwned = 1</script>\n\n<img src=x onerror="window.pwned = 2">\n\n[click me](javascript:window.pwned=3)\n\n<iframe src="https://example.org"></iframe>\n\nPlain words stay.',
    });
    knowledge.submit(editor, id);
    knowledge.publish(editor, id);
    await page.goto(`${server.url}/portal/#/library/hostile-markdown`);
    await page.getByRole('heading', { name: 'Hostile Markdown', level: 1 }).waitFor();
    await page.getByText('Plain words stay.').waitFor();
    expect(await page.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined();
    expect(await page.locator('article script, article img, article iframe').count()).toBe(0);
    expect(await page.getByText('click me').getAttribute('href')).toBeNull();
  });
});
