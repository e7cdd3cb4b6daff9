/**
 * Bot studio's test chats, against a real server: a bot author runs a scenario's unpublished draft
 * through the Direct Line API (`draft: true`), later turns keep running the draft, the published
 * version stays what everyone else gets, a test chat's hand-off reaches nobody, and only bot authors
 * may start one. And the string tables' save (`PUT /api/bot/strings`).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DirectLineActivitiesResponse, DirectLineActivity } from '../contracts/bot.js';
import { call } from '../testing/accounts.js';
import { conversationsHarness, staffPrincipal } from '../testing/conversations.js';
import { startTestServer, type TestServer } from '../testing/server.js';

let server: TestServer;
let author: string;
let agent: string;
const h = conversationsHarness(() => server);

beforeAll(async () => {
  server = await startTestServer({ ROUTING_ALWAYS_OPEN: '1', BOT_STARTS_PER_MINUTE: '1000' });
  author = await server.tokenFor(staffPrincipal('author-dora', 'bot-author'));
  agent = await server.tokenFor(staffPrincipal('agent-abe'));
});
afterAll(async () => {
  await server?.close();
});
afterEach(() => h.closeAll());

const step = (id: string, type: string, extra: object = {}, next?: string) => ({ id, type, designer: { xLocation: 0, yLocation: 0, ...(next ? { next } : {}) }, ...extra });
const code = (greeting: string) => ({
  steps: [
    step('ask', 'prompt', { text: `${greeting} What is your name?`, variable: 'name', dataType: 'string' }, 'hello'),
    step('hello', 'statement', { text: '"Nice to meet you, " + scenario.name' }, 'human'),
    step('human', 'handoff', { text: 'Let me find you a person.', intent: 'general', reason: 'patient-asked' }),
  ],
});

/** A Direct Line client over one started conversation. */
async function chat(body: object, token?: string) {
  const started = await call<{ conversationId: string; token: string }>(server, 'POST', '/api/bot/conversations', { body, ...(token ? { token } : {}) });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  const { conversationId, token: visitorToken } = started.body;
  let watermark = '0';
  const read = async (): Promise<string[]> => {
    const reply = await call<DirectLineActivitiesResponse>(server, 'GET', `/api/bot/conversations/${conversationId}/activities?watermark=${watermark}`, { token: visitorToken });
    watermark = reply.body.watermark;
    return reply.body.activities.filter((a: DirectLineActivity) => a.from.role === 'bot').map((a) => a.text);
  };
  const send = async (text: string) => {
    const reply = await call(server, 'POST', `/api/bot/conversations/${conversationId}/activities`, { token: visitorToken, body: { type: 'message', text } });
    expect(reply.status).toBe(200);
    return read();
  };
  return { conversationId, read, send };
}

describe('test chats of a draft', () => {
  it('runs the unpublished draft for its author, to the end, and never hands the test chat to an agent', async () => {
    const created = await call<{ id: string }>(server, 'POST', '/api/bot/scenarios', { token: author, body: { name: 'Draft intro', trigger: 'draft_intro', code: code('Draft one.') } });
    expect(created.status).toBe(201);

    // Nothing is published: a visitor asking for the trigger gets the greeting menu, not the draft.
    const visitor = await chat({ trigger: 'draft_intro' });
    expect((await visitor.read()).join('\n')).not.toContain('Draft one.');

    const test = await chat({ trigger: 'draft_intro', draft: true }, author);
    expect(await test.read()).toEqual(['Draft one. What is your name?']);
    const replies = await test.send('Rosa');
    expect(replies).toEqual(['Nice to meet you, Rosa', 'Let me find you a person.', expect.stringMatching(/^Test chat: here the bot hands off to a person \(reason patient-asked, intent general\)/)]);
    expect(server.context.conversations.core.get(test.conversationId)?.state).toBe('bot');
  });

  it('runs the latest save of the draft, while new conversations keep getting the published version', async () => {
    const created = await call<{ id: string }>(server, 'POST', '/api/bot/scenarios', { token: author, body: { name: 'Versions', trigger: 'draft_versions', code: code('Published.') } });
    expect((await call(server, 'POST', `/api/bot/scenarios/${created.body.id}/publish`, { token: author, body: {} })).status).toBe(200);
    const saved = await call(server, 'PUT', `/api/bot/scenarios/${created.body.id}/draft`, { token: author, body: { name: 'Versions', trigger: 'draft_versions', code: code('Edited.') } });
    expect(saved.status).toBe(200);

    expect(await (await chat({ trigger: 'draft_versions', draft: true }, author)).read()).toEqual(['Edited. What is your name?']);
    expect(await (await chat({ trigger: 'draft_versions' })).read()).toEqual(['Published. What is your name?']);

    await call(server, 'PUT', `/api/bot/scenarios/${created.body.id}/draft`, { token: author, body: { name: 'Versions', trigger: 'draft_versions', code: code('Edited twice.') } });
    expect(await (await chat({ trigger: 'draft_versions', draft: true }, author)).read()).toEqual(['Edited twice. What is your name?']);
    expect(await (await chat({ trigger: 'draft_versions' })).read()).toEqual(['Published. What is your name?']);
  });

  it.each([
    ['without a token', undefined, { trigger: 'greeting', draft: true }, 401],
    ['as an agent', 'agent', { trigger: 'greeting', draft: true }, 403],
    ['without a trigger', 'author', { draft: true }, 400],
    ['of an unknown trigger', 'author', { trigger: 'no_such_scenario', draft: true }, 404],
  ] as const)('refuses a test chat %s', async (_what, who, body, status) => {
    const token = who === 'agent' ? agent : who === 'author' ? author : undefined;
    const reply = await call(server, 'POST', '/api/bot/conversations', { body, ...(token ? { token } : {}) });
    expect(reply.status).toBe(status);
  });
});

describe('saving strings', () => {
  it('saves en-US and es-US entries for authors, in force for the next conversation; agents and unknown locales are refused', async () => {
    const saved = await call<{ strings: Record<string, Record<string, string>> }>(server, 'PUT', '/api/bot/strings', {
      token: author,
      body: { strings: { 'en-US': { studio_hello: 'Hello from the studio' }, 'es-US': { studio_hello: 'Hola desde el estudio' } } },
    });
    expect(saved.status).toBe(200);
    expect(saved.body.strings['es-US']?.studio_hello).toBe('Hola desde el estudio');
    const read = await call<{ strings: Record<string, Record<string, string>> }>(server, 'GET', '/api/bot/strings', { token: author });
    expect(read.body.strings['en-US']?.studio_hello).toBe('Hello from the studio');

    await call(server, 'POST', '/api/bot/scenarios', {
      token: author,
      body: { name: 'Strings', trigger: 'studio_strings', code: { steps: [step('s', 'statement', { text: 'fallback', stringId: 'studio_hello' })] } },
    });
    expect(await (await chat({ trigger: 'studio_strings', draft: true, locale: 'es-US' }, author)).read()).toEqual(['Hola desde el estudio']);

    expect((await call(server, 'PUT', '/api/bot/strings', { token: agent, body: { strings: { 'en-US': { x: 'y' } } } })).status).toBe(403);
    expect((await call(server, 'PUT', '/api/bot/strings', { token: author, body: { strings: { 'fr-FR': { x: 'y' } } } })).status).toBe(400);
    expect((await call(server, 'PUT', '/api/bot/strings', { token: author, body: { strings: {} } })).status).toBe(400);
  });
});
