/** Browser-test helpers: Debian's Chromium through playwright-core, pointed at a real server. */
import type { Page } from 'playwright-core';

export { launchChromium, seriousAccessibilityViolations, watchErrors } from '@carebridge/server/testing/browser';

export async function signIn(page: Page, credentials: { email: string; password: string; serverUrl?: string }): Promise<void> {
  if (credentials.serverUrl !== undefined) await page.getByLabel('Server address').fill(credentials.serverUrl);
  await page.getByLabel('Email').fill(credentials.email);
  await page.getByLabel('Password').fill(credentials.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
