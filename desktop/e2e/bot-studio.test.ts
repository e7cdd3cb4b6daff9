/**
 * Bot studio in Debian's Chromium against a real server: a bot author finds the shipped scenarios,
 * imports an Azure Health Bot export (a broken one is refused with the step named), opens it, makes
 * an edit the server refuses (shown next to the editor, naming the step, with the flow graph marking
 * the missing target), fixes it, saves the draft, tries it in the test chat (choices as buttons,
 * restart), publishes, sees the versions and rolls back; the flow graph jumps the editor to a step;
 * leaving with unsaved edits asks first; the string table is edited. An agent has no bot studio.
 * axe (zero serious or critical) and screenshots at 1280×800 and 390×844.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { startTestServer, type TestServer } from '@carebridge/server/testing/server';
import { createUser, TEST_PASSWORD } from '@carebridge/server/testing/accounts';
import { launchChromium, seriousAccessibilityViolations, signIn, watchErrors } from './support.js';

let server: TestServer;
let browser: Browser;
let contexts: BrowserContext[] = [];
let pageErrors: string[][] = [];
const files = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-bot-studio-'));

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  fs.rmSync(files, { recursive: true, force: true });
});
beforeEach(async () => {
  server = await startTestServer({ DESK_DIR: inject('deskDir'), BOT_STARTS_PER_MINUTE: '1000' });
});
afterEach(async () => {
  for (const c of contexts) await c.close();
  contexts = [];
  await server.close();
  expect(pageErrors.flat()).toEqual([]);
  pageErrors = [];
});

async function desk(role: 'bot-author' | 'agent', firstHeading: string, viewport = { width: 1280, height: 800 }): Promise<Page> {
  const context = await browser.newContext({ viewport, permissions: ['clipboard-read', 'clipboard-write'] });
  contexts.push(context);
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  pageErrors.push(watchErrors(page));
  const user = await createUser(server, { role, displayName: role === 'agent' ? 'Abe Agent' : 'Bea Author' });
  await page.goto(`${server.url}/desk/`);
  await signIn(page, { email: user.email, password: TEST_PASSWORD });
  await page.getByRole('heading', { name: firstHeading, level: 1 }).waitFor();
  return page;
}

const step = (id: string, type: string, extra: object, next?: string) => ({ id, type, ...extra, designer: { ...(next ? { next } : {}), xLocation: 0, yLocation: 0 } });
const hoursCode = (closing: string) => ({
  version: 1,
  steps: [
    step('ask_day', 'prompt', { text: 'Which day would you like to come in?', variable: 'day', dataType: 'choice', choices: '["Today", "Tomorrow"]' }, 'answer'),
    step('answer', 'statement', { text: `We are open from 8 to ${closing} \${scenario.day.entity}.` }),
  ],
});
const exportFile = (name: string, trigger: string, code: object) => {
  const file = path.join(files, `${trigger}.json`);
  fs.writeFileSync(file, JSON.stringify({ name, id: `test-${trigger}`, scenario_trigger: trigger, description: 'When the clinic is open.', active: true, code: JSON.stringify(code) }));
  return file;
};

describe('bot studio', () => {
  it('a bot author imports, edits, tests, publishes and rolls back a scenario', { timeout: 150_000 }, async () => {
    const page = await desk('bot-author', 'Bot studio');
    const table = page.getByRole('table', { name: 'Scenarios' });
    await expect.poll(() => table.getByRole('row').count()).toBeGreaterThan(4);
    expect(await table.getByRole('row', { name: /Help/ }).textContent()).toContain('help');
    await page.getByLabel('Search scenarios').fill('talk to');
    await expect.poll(() => table.getByRole('row').count()).toBe(2);
    await page.getByLabel('Search scenarios').fill('no such thing');
    await page.getByText('No scenario matches “no such thing”.').waitFor();
    await page.getByLabel('Search scenarios').fill('');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: '/tmp/bot-studio-list-1280.png' });

    // Export: the published version as Azure Health Bot writes it (code as a string).
    const download = page.waitForEvent('download');
    await table.getByRole('button', { name: 'Export Help' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('help.json');
    const exported = JSON.parse(fs.readFileSync((await file.path())!, 'utf8')) as { scenario_trigger: string; code: unknown };
    expect(exported.scenario_trigger).toBe('help');
    expect(JSON.parse(exported.code as string)).toMatchObject({ steps: [expect.objectContaining({ id: 'help', type: 'statement' })] });

    // Import: a file with a jump to a step that does not exist is refused, naming the step.
    const broken = hoursCode('6');
    broken.steps[0]!.designer = { next: 'nowhere', xLocation: 0, yLocation: 0 };
    const importFile = async (file: string) => {
      const chooser = page.waitForEvent('filechooser');
      await page.getByRole('button', { name: 'Import…' }).click();
      await (await chooser).setFiles(file);
    };
    await importFile(exportFile('Broken hours', 'broken_hours', broken));
    const refused = page.getByRole('alertdialog', { name: 'Could not import broken_hours.json' });
    await expect.poll(() => refused.getByRole('group', { name: 'Errors' }).textContent()).toMatch(/Step ask_day \(designer\.next\): .*nowhere/);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await refused.getByRole('button', { name: 'Close' }).click();

    // A good one, as a draft; open it from the dialog.
    await importFile(exportFile('Clinic hours', 'clinic_hours', hoursCode('6')));
    const imported = page.getByRole('dialog', { name: 'Imported clinic_hours.json' });
    expect(await imported.textContent()).toContain('2 steps, version 1 (saved as a draft)');
    await imported.getByRole('button', { name: 'Open clinic_hours' }).click();
    const editorView = page.getByRole('article', { name: 'Clinic hours' });
    const editor = editorView.getByRole('textbox', { name: 'Scenario JSON of Clinic hours' });
    await editor.waitFor();
    expect(await editorView.getByRole('button', { name: 'Publish draft v1' }).isEnabled()).toBe(true);

    const replaceAll = async (text: string) => {
      await editor.focus();
      await page.keyboard.press('Control+A');
      await page.evaluate((t) => navigator.clipboard.writeText(t), text);
      await page.keyboard.press('Control+V');
    };

    // Completion from the schema: in an empty steps list, every step type is offered as a snippet.
    await replaceAll('{\n  "steps": [\n    \n  ]\n}\n');
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('End');
    await expect
      .poll(async () => {
        await page.keyboard.press('Control+Space');
        return page.getByRole('listbox').allTextContents();
      })
      .toEqual([expect.stringMatching(/action step.*handoff step.*prompt step.*statement step/)]);
    await page.keyboard.press('Escape');

    // A step type the contract does not have: the editor's JSON schema marks it as you type.
    const typo = hoursCode('6');
    typo.steps[1]!.type = 'statment';
    await replaceAll(JSON.stringify(typo, null, 2));
    await expect.poll(() => editorView.locator('.squiggly-error').count()).toBeGreaterThan(0);
    expect(await editorView.getByRole('group', { name: 'Problems the server found' }).count()).toBe(0);

    // An edit the server refuses: shown next to the editor with the step, marked in the editor and the graph.
    await replaceAll(JSON.stringify(broken, null, 2));
    const graph = editorView.getByRole('region', { name: /^Flow graph/ });
    await graph.getByText('→ nowhere (missing)').waitFor();
    await editorView.getByRole('button', { name: 'Save draft' }).click();
    const problems = editorView.getByRole('group', { name: 'Problems the server found' });
    await expect.poll(() => problems.getByRole('listitem').allTextContents()).toEqual([expect.stringMatching(/^Step ask_day \(designer\.next\): .*nowhere/)]);
    await expect.poll(() => editorView.locator('.squiggly-error').count()).toBeGreaterThan(0);
    expect(await editorView.getByRole('alert').textContent()).toMatch(/^Could not save the draft: /);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await problems.scrollIntoViewIfNeeded();
    await page.screenshot({ path: '/tmp/bot-studio-refused-1280.png' });
    await graph.scrollIntoViewIfNeeded();
    await page.screenshot({ path: '/tmp/bot-studio-graph-1280.png' });

    // Fixed (closing at 5), saved: the test chat runs the draft.
    await replaceAll(JSON.stringify(hoursCode('5'), null, 2));
    await editorView.getByRole('button', { name: 'Save draft' }).click();
    await expect.poll(() => editorView.getByText('Unsaved changes.').count()).toBe(0);
    expect(await problems.count()).toBe(0);
    const chat = editorView.getByRole('region', { name: /^Test chat/ });
    await chat.getByRole('button', { name: 'Start test chat' }).click();
    const log = chat.getByRole('log', { name: 'Test chat messages' });
    await expect.poll(() => log.textContent()).toContain('Which day would you like to come in?');
    await chat.getByRole('group', { name: 'Choices offered' }).getByRole('button', { name: 'Tomorrow' }).click();
    await expect.poll(() => log.getByRole('listitem').last().textContent().then((t) => t?.trim())).toBe('Bot: We are open from 8 to 5 Tomorrow.');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await editorView.getByRole('heading', { name: /^Steps \(JSON\)/ }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: '/tmp/bot-studio-editor-1280.png' });
    // Restart: a new conversation from the first step; typed answers work too.
    await chat.getByRole('button', { name: 'Restart test chat' }).click();
    await expect.poll(() => log.textContent()).not.toContain('We are open');
    await log.getByText('Which day would you like to come in?').waitFor();
    await chat.getByLabel('Message to the bot').fill('today');
    await chat.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => log.getByRole('listitem').last().textContent().then((t) => t?.trim())).toBe('Bot: We are open from 8 to 5 Today.');

    // The flow graph jumps the editor to a step.
    await graph.getByRole('button', { name: /^answer statement/ }).click();
    // The editor shows the draft as the server saved it.
    const savedText = JSON.stringify((await server.context.bot.scenarios.detail('test-clinic_hours')).code, null, 2);
    const answerLine = savedText.split('\n').findIndex((l) => l.includes('"id": "answer"')) + 1;
    await editorView.getByText(`Step answer is at line ${answerLine}.`).waitFor();
    expect(await page.evaluate(() => document.activeElement?.closest('.code-editor') !== null)).toBe(true);

    // Publish: v1 is in force for everyone.
    await editorView.getByRole('button', { name: 'Publish draft v1' }).click();
    const versions = editorView.getByRole('region', { name: 'Versions' });
    await expect.poll(() => versions.getByRole('row').nth(1).textContent()).toMatch(/^v1published2/);
    expect(server.context.bot.library.current('clinic_hours')?.version).toBe(1);

    // A second version (closing at 7), published: v1 is retired and can be rolled back to.
    await replaceAll(JSON.stringify(hoursCode('7'), null, 2));
    await editorView.getByRole('button', { name: 'Save draft' }).click();
    await editorView.getByRole('button', { name: 'Publish draft v2' }).click();
    await expect.poll(() => versions.getByRole('row').allTextContents()).toEqual([expect.stringContaining('Version'), expect.stringMatching(/^v2published/), expect.stringMatching(/^v1retired.*Roll back to v1$/)]);
    await versions.getByRole('button', { name: 'Roll back to v1' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Roll back to version 1?' });
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await confirm.getByRole('button', { name: 'Roll back' }).click();
    await expect.poll(() => versions.getByRole('row').nth(1).textContent()).toMatch(/^v3published/);
    const inForce = server.context.bot.library.current('clinic_hours');
    expect(inForce?.version).toBe(3);
    expect(JSON.stringify(inForce?.code)).toContain('open from 8 to 5');

    // Unsaved edits: leaving asks first; staying keeps them.
    await replaceAll(JSON.stringify(hoursCode('9'), null, 2));
    await editorView.getByRole('link', { name: '← All scenarios' }).click();
    const leave = page.getByRole('alertdialog', { name: 'Leave without saving?' });
    await leave.getByRole('button', { name: 'Stay' }).click();
    await editorView.getByRole('group', { name: 'Scenario JSON of Clinic hours' }).getByText(/open\sfrom\s8\sto\s9/).waitFor();
    expect(await editorView.getByText('Unsaved changes.').count()).toBe(1);
    expect(page.url()).toContain('/scenarios/test-clinic_hours');
    await editorView.getByRole('link', { name: '← All scenarios' }).click();
    await leave.getByRole('button', { name: 'Discard changes and leave' }).click();
    await table.waitFor();

    // Strings: the Spanish text of a key, in force at once.
    await page.getByRole('tab', { name: 'Strings' }).click();
    await page.getByLabel('New key').fill('clinic_hours.closed');
    await page.getByRole('button', { name: 'Add key' }).click();
    await page.getByLabel('clinic_hours.closed, English').fill('We are closed today.');
    await page.getByLabel('clinic_hours.closed, Spanish').fill('Hoy está cerrado.');
    await page.getByRole('button', { name: 'Save 1 string' }).click();
    await expect.poll(() => server.context.bot.strings.lookup('es-US', 'clinic_hours.closed')).toBe('Hoy está cerrado.');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: '/tmp/bot-studio-strings-1280.png' });

    // A new scenario: the trigger is checked, then the editor opens on draft v1.
    await page.getByRole('tab', { name: 'Scenarios' }).click();
    await page.getByRole('button', { name: 'New scenario' }).click();
    const dialog = page.getByRole('dialog', { name: 'New scenario' });
    await dialog.getByLabel('Name').fill('Refill reminder');
    await dialog.getByLabel('Trigger').fill('refill reminder');
    await dialog.getByRole('button', { name: 'Create draft' }).click();
    expect(await dialog.getByRole('alert').textContent()).toMatch(/^The trigger: /);
    await dialog.getByLabel('Trigger').fill('refill_reminder');
    await dialog.getByRole('button', { name: 'Create draft' }).click();
    await expect.poll(() => page.getByRole('article', { name: 'Refill reminder' }).textContent()).toContain('refill_reminder · not published · draft v1');
    await page.getByRole('tab', { name: 'Scenarios' }).click();
    await table.getByRole('link', { name: 'Greeting and menu' }).click();
    const greetingGraph = page.getByRole('region', { name: /^Flow graph/ });
    await greetingGraph.scrollIntoViewIfNeeded();
    await page.screenshot({ path: '/tmp/bot-studio-greeting-graph-1280.png' });
  });

  it('fits a phone-sized window, and an agent has no bot studio', { timeout: 60_000 }, async () => {
    const page = await desk('bot-author', 'Bot studio', { width: 390, height: 844 });
    await page.getByRole('table', { name: 'Scenarios' }).getByRole('link', { name: 'Help' }).click();
    const editorView = page.getByRole('article', { name: 'Help' });
    await editorView.getByRole('textbox', { name: 'Scenario JSON of Help' }).waitFor();
    await editorView.getByRole('region', { name: /^Test chat/ }).getByRole('button', { name: 'Start test chat' }).click();
    await expect.poll(() => editorView.getByRole('log', { name: 'Test chat messages' }).textContent()).toContain('I can check your symptoms');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
    await page.screenshot({ path: '/tmp/bot-studio-editor-390.png' });
    await editorView.getByRole('log', { name: 'Test chat messages' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: '/tmp/bot-studio-chat-390.png' });
    await page.getByRole('tab', { name: 'Scenarios' }).click();
    await page.getByRole('table', { name: 'Scenarios' }).waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: '/tmp/bot-studio-list-390.png' });

    // Language models: the recognizer's try-out form (the models' routes answer on servers that mount them).
    await page.getByRole('tab', { name: 'Language models' }).click();
    await page.getByRole('region', { name: 'Try an utterance' }).getByLabel('Try an utterance').waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: '/tmp/bot-studio-models-390.png' });

    const agent = await desk('agent', 'Conversations');
    expect(await agent.getByRole('navigation', { name: 'Workspaces' }).getByRole('link', { name: 'Bot studio' }).count()).toBe(0);
    await agent.goto(`${server.url}/desk/#/bot-studio`);
    await expect.poll(() => agent.getByRole('heading', { name: 'Bot studio', level: 1 }).count()).toBe(0);
  });
});
