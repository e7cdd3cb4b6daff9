/**
 * Agent scripts in Debian's Chromium against a real server: an agent in a scheduling chat sees the
 * script the queue chose, verifies the caller, answers a question (the branch it leads to follows),
 * is refused "End chat" while required steps are left with the reason, and closes through the
 * script's own disposition step once done; a supervisor edits the script in the Monaco editor, a
 * broken edit is marked at its line and cannot be saved or published, a good one is published and
 * the runner follows it, and a roll back (confirmed first) restores the earlier version. Keyboard
 * (Esc leaves the editor), axe, and screenshots at 1280×800 and 390×844.
 */
import type { Patient } from '@medplum/fhirtypes';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { SHIPPED_AGENT_SCRIPTS, startTestServer, type TestServer } from '@carebridge/server/testing/server';
import { createUser, TEST_PASSWORD } from '@carebridge/server/testing/accounts';
import { launchChromium, seriousAccessibilityViolations, signIn, watchErrors } from './support.js';
import { visitorAsksForPerson, type Visitor } from './patient-chat.js';

let server: TestServer;
let browser: Browser;
let contexts: BrowserContext[] = [];
let pageErrors: string[][] = [];
let visitors: Visitor[] = [];

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  server = await startTestServer({ DESK_DIR: inject('deskDir'), AGENT_SCRIPTS_DIR: SHIPPED_AGENT_SCRIPTS, ROUTING_ALWAYS_OPEN: '1', PRESENCE_GRACE_MS: '60000', ROUTING_OFFER_TIMEOUT_MS: '60000' });
});
afterEach(async () => {
  for (const v of visitors) v.socket.disconnect();
  visitors = [];
  for (const c of contexts) await c.close();
  contexts = [];
  await server.close();
  expect(pageErrors.flat()).toEqual([]);
  pageErrors = [];
});

async function desk(role: 'agent' | 'supervisor', displayName: string, firstHeading: string, viewport = { width: 1280, height: 800 }): Promise<Page> {
  const context = await browser.newContext({ viewport, permissions: ['clipboard-read', 'clipboard-write'] });
  contexts.push(context);
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  pageErrors.push(watchErrors(page));
  const user = await createUser(server, { role, displayName });
  await page.goto(`${server.url}/desk/`);
  await signIn(page, { email: user.email, password: TEST_PASSWORD });
  await page.getByRole('heading', { name: firstHeading, level: 1 }).waitFor();
  return page;
}

/** A visitor asks about an appointment (the scheduling queue); the agent accepts. */
async function schedulingChat(page: Page, name: string): Promise<{ visitor: Visitor; script: ReturnType<Page['getByRole']> }> {
  await expect.poll(() => page.getByRole('status', { name: 'Connection' }).textContent()).toBe('Connected');
  const visitor = await visitorAsksForPerson(server, name, 'I need to book an appointment, can I talk to a person?');
  visitors.push(visitor);
  await page.getByRole('article', { name: 'Offer: scheduling queue' }).getByRole('button', { name: 'Accept' }).click();
  const script = page.getByRole('complementary', { name: 'Conversation context' }).getByRole('region', { name: 'Script' });
  await script.getByRole('heading', { name: /Appointment scheduling/ }).waitFor();
  return { visitor, script };
}

const currentStep = (script: ReturnType<Page['getByRole']>) => script.getByRole('region', { name: /^Step \d+/ });

describe('agent scripts', () => {
  it('an agent follows the queue’s script: fields filled, the caller verified, a branch taken, closing refused until the required steps are done', async () => {
    const patientId = server.context.store.create<Patient>({
      resourceType: 'Patient',
      identifier: [{ system: 'urn:carebridge:mrn', value: 'CB0005555' }],
      name: [{ use: 'official', given: ['Vera'], family: 'Lopez' }],
      birthDate: '1985-06-15',
      address: [{ city: 'Denver', postalCode: '80203' }],
    }).id!;
    const page = await desk('agent', 'Alex Agent', 'Conversations');
    const { script } = await schedulingChat(page, 'Vera Lopez');
    expect(await script.textContent()).toContain('Chosen for this conversation: queue scheduling, intent scheduling.');
    await expect.poll(() => script.getByRole('progressbar').getAttribute('aria-label')).toMatch(/^Script progress: 0 of \d+ steps done$/);
    // The greeting with the caller's first name and the agent's name filled in.
    expect(await currentStep(script).textContent()).toContain('Say: "Hi Vera, this is Alex Agent with Carebridge Health Network.');
    await currentStep(script).getByRole('button', { name: 'Mark step done' }).click();

    // Required steps left: End chat is refused, and says which.
    await page.getByRole('button', { name: 'End chat' }).click();
    await page.getByRole('alertdialog', { name: /End the chat/ }).getByRole('button', { name: 'End chat' }).click();
    const refusal = page.getByRole('alertdialog', { name: /End the chat/ });
    await expect.poll(() => refusal.getByRole('alert').textContent()).toMatch(/Finish the required script steps first: Verify identity; Could the caller be verified\?/);
    expect(server.context.conversations.core.get(visitors[0]!.conversationId)?.state).toBe('active');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: '/tmp/carebridge-scripts-refused-1280.png' });
    await refusal.getByRole('button', { name: 'Cancel' }).click();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: '/tmp/carebridge-scripts-runner-1280.png' });

    // The identity sub-script: explain, then verify with the form.
    await expect.poll(() => currentStep(script).textContent()).toContain('Identity verification');
    await currentStep(script).getByRole('button', { name: 'Mark step done' }).click();
    await currentStep(script).getByRole('button', { name: 'Verify identity' }).click();
    await script.getByLabel('Caller’s name').fill('Vera Lopez');
    await script.getByLabel('Date of birth they give').fill('1985-06-15');
    await script.getByRole('button', { name: 'Find the record' }).click();
    await script.getByRole('radio', { name: /Vera Lopez, born 1985-06-15/ }).check();
    await script.getByLabel('MRN', { exact: true }).fill('CB0005555');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await script.getByRole('button', { name: 'Verify', exact: true }).click();
    // The match against the record, its audit row and the run's refetch: slower when the whole suite runs.
    await expect.poll(() => currentStep(script).textContent(), { timeout: 15_000 }).toContain('Could the caller be verified?');
    expect(server.context.patients.identities.verifiedPatientOf(visitors[0]!.conversationId)).toBe(patientId);
    await currentStep(script).getByRole('button', { name: 'Yes, verified' }).click();

    // A choice with branches: cancelling leads to the cancel steps, not the booking ones.
    await expect.poll(() => currentStep(script).textContent()).toContain('What would the patient like to do?');
    await currentStep(script).getByRole('button', { name: 'Cancel an appointment' }).click();
    await expect.poll(() => currentStep(script).getByRole('button').first().textContent()).toBe('Open appointments in the patient 360');
    await expect.poll(() => script.getByText(/ of \d+ steps done/).textContent()).toMatch(/nothing required left$/);
    // The macro opens the Patient panel (expanded, in view, focused) and the step is done.
    await currentStep(script).getByRole('button', { name: 'Open appointments in the patient 360' }).click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Patient');
    await expect.poll(() => page.evaluate(() => (document.getElementById('p360-appointments') as HTMLDetailsElement | null)?.open)).toBe(true);
    await expect.poll(() => currentStep(script).textContent()).toContain('Would you like to book another time now?');
    // What was done so far, with the answers, collapsible.
    await script.getByText(/^Steps done \(\d+\)$/).click();
    expect(await script.getByRole('listitem').filter({ hasText: 'What would the patient like to do?' }).textContent()).toContain('Cancel an appointment');

    // Phone size: the pane the macro asked for is open (the Context button says so).
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.getByRole('button', { name: 'Context' }).getAttribute('aria-expanded')).toBe('true');
    await currentStep(script).scrollIntoViewIfNeeded();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: '/tmp/carebridge-scripts-runner-390.png' });
    await page.setViewportSize({ width: 1280, height: 800 });

    // Finishing: the last step closes with its disposition, now allowed.
    await currentStep(script).getByRole('button', { name: 'No, just cancel' }).click();
    await currentStep(script).getByRole('button', { name: 'Close as “Resolved”' }).click();
    await expect.poll(() => server.context.conversations.core.get(visitors[0]!.conversationId)?.state).toBe('closed');
    expect(server.context.conversations.core.repo.wrapup(visitors[0]!.conversationId)).toMatchObject({ disposition: 'resolved' });
    await page.getByRole('tab', { name: /Vera/ }).waitFor({ state: 'detached' });
  });

  it('a supervisor edits a script in the editor: a broken edit is marked and cannot be published, a good one is, the runner follows it, a roll back restores it, and a new script starts as a draft', async () => {
    const page = await desk('supervisor', 'Sue Pervisor', 'Conversations');
    await page.getByRole('navigation', { name: 'Workspaces' }).getByRole('link', { name: 'Scripts' }).click();
    await page.getByRole('heading', { name: 'Scripts', level: 1 }).waitFor();
    const list = page.getByRole('navigation', { name: 'Scripts' });
    await expect.poll(() => list.getByRole('link').count()).toBe(11);
    await list.getByRole('link', { name: /Appointment scheduling/ }).click();
    const view = page.getByRole('article', { name: 'Appointment scheduling' });
    const editor = view.getByRole('textbox', { name: /^YAML of Appointment scheduling/ });
    await editor.waitFor();
    const original = server.context.agentScripts.detail('scheduling').versions[0]!.yaml;

    const replaceAll = async (text: string) => {
      await editor.focus();
      await page.keyboard.press('Control+A');
      await page.evaluate((t) => navigator.clipboard.writeText(t), text);
      await page.keyboard.press('Control+V');
    };
    // Broken: a queue that does not exist. The server names the line; the editor marks it.
    const brokenLine = original.split('\n').findIndex((l) => l.includes('queue: nurse-line')) + 1;
    await replaceAll(original.replace('queue: nurse-line', 'queue: night-desk'));
    const problems = view.getByRole('group', { name: 'Problems in the YAML' });
    await expect.poll(() => problems.getByRole('listitem').allTextContents()).toEqual([expect.stringMatching(new RegExp(`^Line ${brokenLine}, step urgent: queue: unknown queue "night-desk"`))]);
    // F8 goes to the problem: the line is revealed with its squiggle and the message under it.
    await editor.focus();
    await page.keyboard.press('F8');
    await expect.poll(() => view.locator('.squiggly-error').count()).toBeGreaterThan(0);
    await expect.poll(() => view.getByText(/unknown queue "night-desk"/).count()).toBeGreaterThan(1);
    expect(await view.getByRole('button', { name: 'Save draft' }).isDisabled()).toBe(true);
    expect(await view.getByRole('button', { name: 'Publish' }).isDisabled()).toBe(true);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: '/tmp/carebridge-scripts-editor-1280.png' });
    // The editor follows the desk's dark theme.
    await page.evaluate(() => (document.documentElement.dataset.theme = 'dark'));
    await expect.poll(() => view.locator('.monaco-editor.vs-dark').count()).toBe(1);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: '/tmp/carebridge-scripts-editor-dark-1280.png' });
    await page.evaluate(() => (document.documentElement.dataset.theme = 'light'));
    // Esc closes the problem's message first, then leaves the editor for the next control.
    await page.keyboard.press('Escape');
    expect(await page.evaluate(() => document.activeElement?.closest('.code-editor') !== null)).toBe(true);
    await page.keyboard.press('Escape');
    expect(await page.evaluate(() => document.activeElement?.closest('.code-editor') === null && document.activeElement !== document.body)).toBe(true);

    // A good edit: saved as a draft, then published.
    await replaceAll(original.replace('I can help you\n      with an appointment today.', 'I can help you\n      with your appointment today.'));
    await expect.poll(() => problems.count()).toBe(0);
    await view.getByRole('button', { name: 'Save draft' }).click();
    await view.getByRole('button', { name: 'Publish draft v2' }).click();
    await expect.poll(() => view.getByText(/^published v2/).count()).toBe(1);
    expect(server.context.agentScripts.detail('scheduling')).toMatchObject({ publishedVersion: 2, draftVersion: null });

    // An agent's new chat follows version 2.
    const agent = await desk('agent', 'Alex Agent', 'Conversations');
    const { script } = await schedulingChat(agent, 'Wes');
    await script.getByRole('heading', { name: /version 2/ }).waitFor();
    expect(await currentStep(script).textContent()).toContain('I can help you with your appointment today.');

    // Roll back to version 1 (confirmed first): version 3, the first one's YAML.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await view.getByRole('heading', { name: 'Version history' }).scrollIntoViewIfNeeded();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= 390)).toBe(true);
    await page.screenshot({ path: '/tmp/carebridge-scripts-editor-390.png' });
    await page.setViewportSize({ width: 1280, height: 800 });
    await view.getByRole('button', { name: 'Roll back to v1' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Roll back to version 1?' });
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
    await confirm.getByRole('button', { name: 'Roll back' }).click();
    await expect.poll(() => view.getByText(/^published v3/).count()).toBe(1);
    const detail = server.context.agentScripts.detail('scheduling');
    expect(detail.versions[0]).toMatchObject({ version: 3, status: 'published', origin: 'rollback', restoredFrom: 1, yaml: original });
    await expect.poll(() => editor.inputValue().catch(() => '')).not.toContain('your appointment today');

    // A new script from the template, created as a draft.
    await page.getByRole('link', { name: 'New script' }).click();
    const draft = page.getByRole('article', { name: 'New script' });
    await draft.getByRole('textbox', { name: 'YAML of the new script' }).waitFor();
    await expect.poll(() => draft.getByRole('button', { name: 'Create draft' }).isEnabled()).toBe(true);
    await draft.getByRole('button', { name: 'Create draft' }).click();
    const created = page.getByRole('article', { name: 'My script' });
    await expect.poll(() => created.getByText(/^not published · draft v1/).count()).toBe(1);
    expect(await page.getByRole('navigation', { name: 'Scripts' }).getByRole('link', { name: /My script/ }).getAttribute('aria-current')).toBe('page');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });

  it('agents read scripts without editing them', async () => {
    const page = await desk('agent', 'Rita Reader', 'Conversations');
    await page.getByRole('navigation', { name: 'Workspaces' }).getByRole('link', { name: 'Scripts' }).click();
    await page.getByRole('navigation', { name: 'Scripts' }).getByRole('link', { name: /Billing question/ }).click();
    const view = page.getByRole('article', { name: 'Billing question' });
    await view.getByRole('textbox', { name: 'YAML of Billing question (read only)' }).waitFor();
    expect(await view.getByRole('button', { name: 'Save draft' }).count()).toBe(0);
    expect(await view.getByRole('button', { name: /Roll back/ }).count()).toBe(0);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });
});
