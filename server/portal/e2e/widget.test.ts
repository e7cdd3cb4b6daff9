/**
 * The one-tag chat widget on a clinic website of ANOTHER origin, in Debian's Chromium, against a real
 * server: a visitor chats with the bot, asks for a person, waits in line, an agent (a /staff socket)
 * accepts and they talk (typing, receipts), the visitor ends the chat; a reload resumes it; messages
 * typed while the server is down are sent once it is back.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { startTestServer, type TestServer } from '../../src/testing/server.js';
import type { ConversationView } from '../../src/contracts/conversations.js';
import { launchChromium, occurrences, staffDesk, startClinicSite, until, watchErrors, type ClinicSite, type StaffDesk } from './support.js';

let server: TestServer;
let clinic: ClinicSite;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];
const desks: StaffDesk[] = [];
const PNG_1X1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

beforeAll(async () => {
  clinic = await startClinicSite();
  [server, browser] = await Promise.all([
    startTestServer({ PORTAL_DIR: inject('portalDir'), WIDGET_ORIGINS: clinic.origin, ROUTING_ALWAYS_OPEN: '1', PRESENCE_GRACE_MS: '60000' }),
    launchChromium(),
  ]);
  clinic.setServer(server.url);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await clinic?.close();
});
beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 1200, height: 850 }, reducedMotion: 'reduce', timezoneId: 'Europe/Paris' });
  page = await context.newPage();
  errors = watchErrors(page);
});
afterEach(async () => {
  // Agents sign off for real (no presence grace), so the next test's chats are not offered to them.
  await Promise.all(desks.map((desk) => desk.socket.timeout(2000).emitWithAck('presence:set', { state: 'offline' }).catch(() => undefined)));
  for (const desk of desks.splice(0)) desk.socket.disconnect();
  await context.close();
  await server.context.conversations.idle();
  expect(errors).toEqual([]);
});

const chat = () => page.getByRole('dialog', { name: 'Chat with Riverside Family Clinic' });
const messages = () => chat().getByRole('log', { name: 'Messages' });
const status = () => chat().getByRole('status', { name: 'Chat status' });
const textOf = (locator: Locator) => locator.evaluate((el) => (el as HTMLElement).innerText);

async function openChatAs(name: string): Promise<void> {
  await page.goto(`${clinic.origin}/`);
  await page.getByRole('button', { name: 'Chat with Riverside Family Clinic' }).click();
  await chat().getByRole('textbox', { name: 'Your name' }).fill(name);
  await chat().getByRole('combobox', { name: 'Reason for contacting us' }).selectOption('Appointments');
  await chat().getByRole('button', { name: 'Start chat' }).click();
  await expect.poll(() => textOf(messages())).toContain("I'm the Carebridge assistant");
}

async function send(text: string): Promise<void> {
  await chat().getByRole('textbox', { name: 'Type your message' }).fill(text);
  await chat().getByRole('button', { name: 'Send' }).click();
}

const conversationOf = (visitorName: string) =>
  server.context.database.sqlite.prepare('SELECT id, channel, state FROM conversations WHERE visitor_name = ?').all(visitorName) as Array<{ id: string; channel: string; state: string }>;
const storedBodies = (conversationId: string, body: string) =>
  (server.context.database.sqlite.prepare('SELECT COUNT(*) AS n FROM conversation_messages WHERE conversation_id = ? AND body = ?').get(conversationId, body) as { n: number }).n;

describe('the chat widget embedded on a clinic website', () => {
  it('visitor → bot → queue → agent: messages, typing, receipts, an image, the transcript; the visitor ends the chat and answers the survey', async () => {
    const name = `Vera ${randomUUID().slice(0, 6)}`;
    await openChatAs(name);
    // The page's loud CSS (pink, 30 px, serif buttons) does not reach the widget.
    const startStyle = await chat().getByRole('button', { name: 'End chat' }).evaluate((el) => getComputedStyle(el).fontSize);
    expect(startStyle).toBe('15px');
    const [conversation] = conversationOf(name);
    expect(conversation).toMatchObject({ channel: 'widget', state: 'bot' });

    // The bot's menu is offered as suggested replies under its greeting.
    const quick = chat().getByRole('group', { name: 'Suggested replies' });
    expect(await quick.getByRole('button').allTextContents()).toEqual(['Check symptoms', 'Book a visit', 'Find a doctor', 'Refills', 'Billing', 'Health info', 'Talk to a person']);
    await quick.getByRole('button', { name: 'Talk to a person' }).click();
    await expect.poll(() => textOf(messages())).toContain("I'm connecting you with a person");
    // The transcript shows what the visitor chose.
    expect(await textOf(messages())).toContain('You:\nTalk to a person');
    await expect.poll(() => textOf(status())).toBe('You are number 1 in line. We will connect you as soon as someone is available.');
    // Answered: the menu no longer answers.
    expect(await quick.getByRole('button', { name: 'Book a visit' }).isDisabled()).toBe(true);

    // An agent comes online, gets the offer and accepts.
    const desk = await staffDesk(server, `agent-${randomUUID()}`);
    desks.push(desk);
    const offer = await until(() => desk.offers.find((o) => o.conversationId === conversation!.id));
    const accepted = (await desk.socket.emitWithAck('offer:accept', { offerId: offer.offerId })) as { ok: boolean; conversation: ConversationView };
    expect(accepted.ok).toBe(true);
    await expect.poll(() => textOf(status())).toBe('You are chatting with our team.');
    await expect.poll(() => textOf(messages())).toContain('joined the chat.');

    // The agent types: the visitor sees it; then the agent's message arrives.
    desk.socket.emit('typing', { conversationId: conversation!.id, typing: true });
    await expect.poll(() => textOf(chat().getByRole('status', { name: 'Typing' }))).toBe('Someone from our team is typing…');
    const agentSend = (await desk.socket.emitWithAck('message:send', { conversationId: conversation!.id, clientMessageId: randomUUID(), body: 'Hi, this is Sam from the care team.' })) as {
      ok: boolean;
      seq: number;
    };
    expect(agentSend.ok).toBe(true);
    await expect.poll(() => textOf(messages())).toContain('Care team:\nHi, this is Sam from the care team.');
    await expect.poll(() => textOf(chat().getByRole('status', { name: 'Typing' }))).toBe('');
    // The open panel sent delivered and read receipts for it.
    await until(() => desk.receipts.find((r) => r.kind === 'read' && r.seq >= agentSend.seq && r.userId !== 'x'));
    expect(desk.receipts.some((r) => r.kind === 'delivered' && r.seq >= agentSend.seq)).toBe(true);

    // The visitor types (the desk sees typing, throttled) and answers.
    desk.typing.length = 0;
    const box = chat().getByRole('textbox', { name: 'Type your message' });
    await box.pressSequentially('I need to move', { delay: 20 });
    await until(() => desk.typing.find((t) => t.typing && t.sender.kind === 'visitor'));
    expect(desk.typing.filter((t) => t.typing).length).toBeLessThanOrEqual(2);
    await box.pressSequentially(' my appointment');
    await box.press('Enter');
    const visitorMessage = await until(() => desk.messages.find((m) => m.body === 'I need to move my appointment'));
    await expect.poll(() => textOf(messages())).toMatch(/You:\nI need to move my appointment\n(Sent|Delivered)/);
    expect(desk.typing.at(-1)).toMatchObject({ typing: false });
    // The agent reads it: the visitor sees "Read".
    desk.socket.emit('receipt', { conversationId: conversation!.id, seq: visitorMessage.seq, kind: 'read' });
    await expect.poll(() => textOf(messages())).toMatch(/You:\nI need to move my appointment\nRead/);

    // An image, cross-origin with the visitor token: shown in the chat (fetched with the token), and at the desk.
    const chooser = page.waitForEvent('filechooser');
    await chat().getByRole('button', { name: 'Attach a file' }).click();
    await (await chooser).setFiles({ name: 'rash.png', mimeType: 'image/png', buffer: Buffer.from(PNG_1X1, 'base64') });
    await expect.poll(() => chat().getByRole('img', { name: 'rash.png' }).evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(1);
    expect((await until(() => desk.messages.find((m) => m.kind === 'attachment')))?.attachment).toMatchObject({ fileName: 'rash.png', contentType: 'image/png', size: 70 });
    // A card from the agent: its facts and its link, opened on the Carebridge server (not the clinic's site).
    const cardReply = await fetch(`${server.url}/api/conversations/${conversation!.id}/cards`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${desk.token}` },
      body: JSON.stringify({ card: { type: 'info', title: 'Before your visit', facts: [{ label: 'Bring', value: 'Your insurance card' }], actions: [{ label: 'Read more', url: '/portal/' }] } }),
    });
    expect(cardReply.status).toBe(201);
    await expect.poll(() => textOf(messages())).toContain('Before your visit');
    await expect.poll(() => textOf(messages())).toContain('Your insurance card');
    expect(await chat().getByRole('link', { name: 'Read more' }).getAttribute('href')).toBe(`${server.url}/portal/`);
    // The transcript downloads as a text file.
    const downloading = page.waitForEvent('download');
    await chat().getByRole('button', { name: 'Download transcript' }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^chat-transcript-\d{4}-\d{2}-\d{2}\.txt$/);
    const transcript = fs.readFileSync((await download.path())!, 'utf8');
    expect(transcript).toContain('I need to move my appointment');
    expect(transcript).toContain('Hi, this is Sam from the care team.');
    // Times in the patient's own zone, said at the top.
    expect(transcript).toContain('\nTimes: Europe/Paris\n');
    expect(transcript).toMatch(/\] You: I need to move my appointment/);

    // End chat asks first; "Keep chatting" is the focused, safe answer.
    await chat().getByRole('button', { name: 'End chat' }).click();
    const confirm = chat().getByRole('group', { name: 'End chat' });
    expect(await confirm.getByRole('button', { name: 'Keep chatting' }).evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(true);
    await confirm.getByRole('button', { name: 'Yes, end chat' }).click();
    await expect.poll(() => textOf(status())).toBe('This chat has ended.');
    await expect.poll(() => conversationOf(name)[0]?.state).toBe('closed');
    expect(await chat().getByRole('textbox', { name: 'Type your message' }).count()).toBe(0);
    expect(await chat().getByRole('button', { name: 'Start a new chat' }).isVisible()).toBe(true);
    expect(storedBodies(conversation!.id, 'I need to move my appointment')).toBe(1);

    // The follow-up survey comes into the panel; the skip rule shows the text question for a low score.
    const survey = chat().getByRole('form', { name: 'How did we do?' });
    await survey.waitFor();
    expect(await survey.getByRole('group', { name: /What could we do better/ }).isVisible()).toBe(false);
    const csat = survey.getByRole('group', { name: /How satisfied are you/ });
    await csat.getByRole('button', { name: '2 of 5' }).click();
    expect(await csat.getByRole('button', { name: '2 of 5' }).getAttribute('aria-pressed')).toBe('true');
    const improve = survey.getByRole('group', { name: /What could we do better/ });
    await improve.waitFor();
    await improve.getByRole('textbox').fill('Shorter wait, please');
    await csat.getByRole('button', { name: '4 of 5' }).click();
    expect(await improve.isVisible()).toBe(false);
    await csat.getByRole('button', { name: '3 of 5' }).click();
    await survey.getByRole('group', { name: /recommend us/ }).getByRole('button', { name: '9 of 10' }).click();
    await survey.getByRole('group', { name: /resolved/ }).getByRole('button', { name: 'Yes' }).click();
    await survey.getByRole('button', { name: 'Send answers' }).click();
    await chat().getByRole('heading', { name: 'Thank you for your feedback!' }).waitFor();
    const supervisor = await server.tokenFor({ kind: 'staff', userId: 'sup-1', email: 'sup@example.test', role: 'supervisor', practitionerId: null });
    const responses = (await (await fetch(`${server.url}/api/surveys/responses`, { headers: { authorization: `Bearer ${supervisor}` } })).json()) as {
      items: Array<{ conversationId: string; answers: Record<string, unknown> }>;
    };
    expect(responses.items.find((r) => r.conversationId === conversation!.id)?.answers).toEqual({ csat: 3, nps: 9, resolved: true, improve: 'Shorter wait, please' });
  });

  it('a reload resumes the chat without duplicates; messages typed while the server is down are sent once when it is back', async () => {
    const name = `Rosa ${randomUUID().slice(0, 6)}`;
    // Keyboard only: Tab to the launcher, Enter, type the name, Enter: the reason is missing, so
    // focus goes to it; the first choice with the arrow key, Tab to the details, Enter.
    await page.goto(`${clinic.origin}/`);
    await page.getByRole('button', { name: 'Chat with Riverside Family Clinic' }).focus();
    await page.keyboard.press('Enter');
    await chat().getByRole('textbox', { name: 'Your name' }).waitFor();
    await expect.poll(() => chat().getByRole('textbox', { name: 'Your name' }).evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(true);
    await page.keyboard.type(name);
    await page.keyboard.press('Enter');
    const reason = chat().getByRole('combobox', { name: 'Reason for contacting us' });
    await expect.poll(() => reason.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(true);
    await page.keyboard.press('ArrowDown');
    expect(await reason.inputValue()).toBe('Appointments');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Moving my visit');
    await page.keyboard.press('Enter');
    await expect.poll(() => textOf(messages())).toContain("I'm the Carebridge assistant");
    await page.keyboard.type('1');
    await page.keyboard.press('Enter');
    await expect.poll(() => textOf(messages())).toContain('Tell me in your own words what is bothering you');
    // The menu it answered stays in the transcript, no longer answering.
    expect(await chat().getByRole('group', { name: 'Suggested replies' }).getByRole('button', { name: 'Check symptoms' }).isDisabled()).toBe(true);
    const [conversation] = conversationOf(name);

    await page.reload();
    // The panel opens again by itself with the whole transcript, each message once.
    await expect.poll(() => textOf(messages())).toContain('Tell me in your own words what is bothering you');
    const afterReload = await textOf(messages());
    expect(occurrences(afterReload, "I'm the Carebridge assistant")).toBe(1);
    expect(occurrences(afterReload, 'Tell me in your own words what is bothering you')).toBe(1);
    expect(occurrences(afterReload, 'You:\n1\n')).toBe(1);
    expect(conversationOf(name)).toHaveLength(1);

    // Escape minimizes and gives the focus back to the launcher.
    await chat().getByRole('textbox', { name: 'Type your message' }).focus();
    await page.keyboard.press('Escape');
    expect(await chat().isVisible()).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('CAREBRIDGE-CHAT');
    await page.keyboard.press('Enter');
    expect(await chat().isVisible()).toBe(true);

    await server.restart({
      whileDown: async () => {
        await expect.poll(() => textOf(status())).toBe('Connection lost. Reconnecting…');
        await send('typed while offline');
        await expect.poll(() => textOf(messages())).toContain('typed while offline\nSending…');
      },
    });
    await expect.poll(() => textOf(messages()), { timeout: 15_000 }).toMatch(/typed while offline\n(Sent|Delivered|Read)/);
    await expect.poll(() => textOf(messages())).toContain('How old is the person with the symptoms?');
    expect(storedBodies(conversation!.id, 'typed while offline')).toBe(1);

    // A reload right after: still one copy.
    await page.reload();
    await expect.poll(() => textOf(messages())).toContain('How old is the person with the symptoms?');
    expect(occurrences(await textOf(messages()), 'typed while offline')).toBe(1);
  });

  it('a survey offered while the visitor was offline appears once they are back', async () => {
    const name = `Otto ${randomUUID().slice(0, 6)}`;
    await openChatAs(name);
    await chat().getByRole('group', { name: 'Suggested replies' }).getByRole('button', { name: 'Talk to a person' }).click();
    const [conversation] = conversationOf(name);
    const desk = await staffDesk(server, `agent-${randomUUID()}`);
    desks.push(desk);
    const offer = await until(() => desk.offers.find((o) => o.conversationId === conversation!.id));
    expect(await desk.socket.emitWithAck('offer:accept', { offerId: offer.offerId })).toMatchObject({ ok: true });
    await expect.poll(() => textOf(status())).toBe('You are chatting with our team.');

    // The visitor's network drops; meanwhile the agent ends the chat and the survey is offered.
    await context.setOffline(true);
    await expect.poll(() => page.evaluate(() => navigator.onLine)).toBe(false);
    await until(() => server.context.conversations.core.get(conversation!.id) && !desk.socket.disconnected);
    expect(await desk.socket.emitWithAck('conversation:wrapup', { conversationId: conversation!.id })).toMatchObject({ ok: true });
    await until(() => (server.context.database.sqlite.prepare('SELECT 1 FROM survey_offers WHERE conversation_id = ?').get(conversation!.id) ? true : undefined));
    expect(await chat().getByRole('form', { name: 'How did we do?' }).count()).toBe(0);

    // Back online: the widget resyncs, sees the chat ended, asks for the open survey and shows it.
    await context.setOffline(false);
    const survey = chat().getByRole('form', { name: 'How did we do?' });
    await survey.waitFor({ timeout: 15_000 });
    await survey.getByRole('group', { name: /How satisfied are you/ }).getByRole('button', { name: '4 of 5' }).click();
    await survey.getByRole('button', { name: 'Send answers' }).click();
    await chat().getByRole('heading', { name: 'Thank you for your feedback!' }).waitFor();
    const answered = server.context.database.sqlite.prepare('SELECT answered_at FROM survey_offers WHERE conversation_id = ?').get(conversation!.id) as { answered_at: string | null };
    expect(answered.answered_at).not.toBeNull();
  });

  it('checks files before uploading: wrong type and too large are refused in the browser', async () => {
    await openChatAs(`Ana ${randomUUID().slice(0, 6)}`);
    const attach = async (file: { name: string; mimeType: string; buffer: Buffer }) => {
      const chooser = page.waitForEvent('filechooser');
      await chat().getByRole('button', { name: 'Attach a file' }).click();
      await (await chooser).setFiles(file);
    };
    await attach({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    await expect.poll(() => textOf(chat().getByRole('alert'))).toBe('notes.txt is not an image or PDF.');
    await attach({ name: 'huge.png', mimeType: 'image/png', buffer: Buffer.alloc(10 * 1024 * 1024 + 1) });
    await expect.poll(() => textOf(chat().getByRole('alert'))).toBe('huge.png is larger than 10 MB.');
  });

  it('speaks Spanish with data-language="es"', async () => {
    await page.goto(`${clinic.origin}/`);
    await page.evaluate((serverUrl) => {
      // A second page setup: the same tag with data-language (the first copy already loaded is replaced).
      document.querySelector('carebridge-chat')?.remove();
      delete window.CarebridgeChat;
      const script = document.createElement('script');
      script.src = `${serverUrl}/widget.js?es`;
      script.dataset.clinicName = 'Clínica Riverside';
      script.dataset.language = 'es';
      document.body.append(script);
    }, server.url);
    await page.getByRole('button', { name: 'Chatear con Clínica Riverside' }).click();
    const panel = page.getByRole('dialog', { name: 'Chat con Clínica Riverside' });
    await panel.getByRole('textbox', { name: 'Su nombre' }).fill('Lucía');
    // The reason choices are the clinic's words (WIDGET_CONFIG), shown as configured.
    await panel.getByRole('combobox', { name: 'Motivo de su consulta' }).selectOption('Billing');
    expect(await panel.getByRole('textbox', { name: /Fecha de nacimiento/ }).count()).toBe(1);
    await panel.getByRole('button', { name: 'Iniciar chat' }).click();
    await expect.poll(() => textOf(panel.getByRole('log', { name: 'Mensajes' }))).toContain('Carebridge');
    expect(await panel.getByRole('button', { name: 'Terminar chat' }).isVisible()).toBe(true);
  });
});
