/**
 * The bot over HTTP, against a real server: importing Azure Health Bot exports (the CDC files round
 * trip; hostile and broken ones are refused with errors naming the step), authoring roles, versions,
 * and the Direct Line–shaped channel API end to end — greeting, choices with suggested actions, help
 * interrupting a scenario, a hand-off an agent receives, a restart resuming at the same prompt, and a
 * runaway script that ends its scenario politely while the server carries on.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DirectLineActivitiesResponse, DirectLineActivity, ScenarioExport } from '../contracts/bot.js';
import { call } from '../testing/accounts.js';
import { conversationsHarness, staffPrincipal, until } from '../testing/conversations.js';
import { startTestServer, type TestServer } from '../testing/server.js';
import { CDC_CORE, CDC_STRINGS, CDC_WRAPPER, readJson } from './test-support.js';

let server: TestServer;
let author: string;
const h = conversationsHarness(() => server);

beforeAll(async () => {
  server = await startTestServer({ ROUTING_ALWAYS_OPEN: '1', BOT_STARTS_PER_MINUTE: '1000' });
  author = await server.tokenFor(staffPrincipal('author-ann', 'bot-author'));
});
afterAll(async () => {
  await server?.close();
});
afterEach(() => h.closeAll());

const wrapper = () => readJson<ScenarioExport>(CDC_WRAPPER);
const core = () => readJson<ScenarioExport>(CDC_CORE);
const step = (id: string, type: string, extra: object = {}, next?: string) => ({ id, type, designer: { xLocation: 0, yLocation: 0, ...(next ? { next } : {}) }, ...extra });
const scenario = (trigger: string, steps: unknown[], extra: object = {}) => ({ name: `Test ${trigger}`, scenario_trigger: trigger, description: '', active: true, code: JSON.stringify({ version: 1, steps, ...extra }) });

async function importCdc() {
  const strings = readJson<Record<string, string>>(CDC_STRINGS);
  const coreReply = await call(server, 'POST', '/api/bot/scenarios/import', { token: author, body: core() });
  const wrapperReply = await call(server, 'POST', '/api/bot/scenarios/import', { token: author, body: { ...wrapper(), strings: { 'en-US': strings } } });
  return { coreReply, wrapperReply };
}

/** A Direct Line client: start, send, read with the watermark. */
async function directLine(body: object = {}) {
  const started = await call<{ conversationId: string; token: string; expiresIn: number }>(server, 'POST', '/api/bot/conversations', { body });
  expect(started.status).toBe(201);
  const { conversationId, token } = started.body;
  let watermark = '0';
  const read = async (): Promise<DirectLineActivity[]> => {
    const reply = await call<DirectLineActivitiesResponse>(server, 'GET', `/api/bot/conversations/${conversationId}/activities?watermark=${watermark}`, { token });
    expect(reply.status).toBe(200);
    watermark = reply.body.watermark;
    return reply.body.activities;
  };
  const send = async (activity: object) => {
    const reply = await call(server, 'POST', `/api/bot/conversations/${conversationId}/activities`, { token, body: { type: 'message', ...activity } });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    return (await read()).filter((a) => a.from.role !== 'user');
  };
  return { conversationId, token, read, send };
}

describe('importing and exporting Azure Health Bot scenarios', () => {
  it('imports the CDC files (warning about the missing pediatric scenario) and exports them back unchanged', async () => {
    const { coreReply, wrapperReply } = await importCdc();
    expect(coreReply.status).toBe(201);
    expect(coreReply.body).toMatchObject({ trigger: 'covid19_vax_core', steps: 241, status: 'published' });
    expect(coreReply.body.warnings).toEqual([expect.objectContaining({ stepId: 'efb6fd7a051a-6f55e0785ade35ff-bce6', field: 'scenario', message: expect.stringContaining('covid19_vax_core_pediatric') })]);
    expect(wrapperReply.body).toMatchObject({ id: wrapper().id, trigger: 'covid19', steps: 45, warnings: [] });

    for (const original of [wrapper(), core()]) {
      const exported = await call<ScenarioExport>(server, 'GET', `/api/bot/scenarios/${original.id}/export`, { token: author });
      expect(exported.status).toBe(200);
      const { updated: _a, code: codeOut, ...restOut } = exported.body;
      const { updated: _b, code: codeIn, ...restIn } = original;
      expect(restOut).toEqual(restIn);
      expect(JSON.parse(codeOut)).toEqual(JSON.parse(codeIn));
      expect(codeOut).toBe(codeIn);
    }
  });

  it.each([
    ['malformed JSON in code', { ...scenario('broken', []), code: '{"steps": [' }, /not valid JSON/, null],
    ['an unknown step type', scenario('unknown-type', [step('s1', 'teleport')]), /unknown type "teleport"/, 's1'],
    ['duplicate step ids', scenario('dupes', [step('a', 'statement', { text: 'hi' }, 'a2'), step('a2', 'statement', { text: 'x' }), step('a', 'statement', { text: 'again' })]), /Duplicate step id "a"/, 'a'],
    ['a dangling target', scenario('dangling', [step('b', 'branch', { condition: 'true', targetStepId: 'nowhere' })]), /does not exist \("nowhere"\)/, 'b'],
    ['a field of the wrong type', scenario('wrong-field', [step('p', 'prompt', { variable: 'x', dataType: 'number', retries: 'many' })]), /retries/, 'p'],
    ['a loop that asks nothing', scenario('loop', [step('l1', 'statement', { text: 'again' }, 'l2'), step('l2', 'action', { onInit: 'scenario.n = 1' }, 'l1')]), /loop that asks the patient nothing/, 'l1'],
  ])('refuses %s with 422 naming the step', async (_name, body, message, stepId) => {
    const reply = await call(server, 'POST', '/api/bot/scenarios/import', { token: author, body });
    expect(reply.status).toBe(422);
    expect(reply.body.error.code).toBe('unprocessable');
    expect(reply.body.error.details.errors[0]).toMatchObject({ stepId, message: expect.stringMatching(message) });
  });

  it('refuses bodies that are not exports, and oversized ones, without storing anything', async () => {
    expect((await call(server, 'POST', '/api/bot/scenarios/import', { token: author, raw: '{"name": ' })).status).toBe(400);
    expect((await call(server, 'POST', '/api/bot/scenarios/import', { token: author, body: { name: 'x', code: '{}' } })).status).toBe(400);
    expect((await call(server, 'POST', '/api/bot/scenarios/import', { token: author, body: [1, 2] })).status).toBe(400);
    const big = await call(server, 'POST', '/api/bot/scenarios/import', { token: author, body: { ...scenario('big', []), code: `{"steps":[],"pad":"${'x'.repeat(4_900_000)}"}` } });
    expect(big.status).toBe(413);
    const huge = await call(server, 'POST', '/api/bot/scenarios/import', { token: author, raw: JSON.stringify({ ...scenario('huge', []), code: 'x'.repeat(6 * 1024 * 1024) }) });
    expect(huge.status).toBe(413);
    const list = await call<{ scenarios: { trigger: string }[] }>(server, 'GET', '/api/bot/scenarios', { token: author });
    expect(list.body.scenarios.map((s) => s.trigger)).not.toContain('big');
  });

  it('lets only bot authors and admins author', async () => {
    const body = scenario('roles', [step('s', 'statement', { text: 'Hi' })]);
    expect((await call(server, 'POST', '/api/bot/scenarios/import', { body })).status).toBe(401);
    for (const role of ['agent', 'supervisor', 'practitioner'] as const) {
      const token = await server.tokenFor(staffPrincipal(`${role}-x`, role));
      expect((await call(server, 'POST', '/api/bot/scenarios/import', { token, body })).status).toBe(403);
      expect((await call(server, 'GET', '/api/bot/scenarios', { token })).status).toBe(403);
    }
    const admin = await server.tokenFor(staffPrincipal('admin-x', 'admin'));
    expect((await call(server, 'POST', '/api/bot/scenarios/import', { token: admin, body })).status).toBe(201);
  });

  it('keeps versions: draft → publish → rollback, with the publish checks', async () => {
    const created = await call(server, 'POST', '/api/bot/scenarios', {
      token: author,
      body: { name: 'Versions', trigger: 'versions', code: { steps: [step('s', 'statement', { text: 'first' })] } },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await call(server, 'POST', `/api/bot/scenarios/${id}/publish`, { token: author, body: {} })).body).toMatchObject({ version: 1, status: 'published' });
    // A draft with a loop saves (it is a draft) but does not publish.
    const looping = { name: 'Versions', trigger: 'versions', code: { steps: [step('s', 'statement', { text: 'second' }, 't'), step('t', 'branch', { condition: 'true', targetStepId: 's' })] } };
    expect((await call(server, 'PUT', `/api/bot/scenarios/${id}/draft`, { token: author, body: looping })).status).toBe(200);
    const refused = await call(server, 'POST', `/api/bot/scenarios/${id}/publish`, { token: author, body: {} });
    expect(refused.status).toBe(422);
    expect(refused.body.error.details.errors[0]).toMatchObject({ stepId: 's' });
    const fixed = { name: 'Versions', trigger: 'versions', code: { steps: [step('s', 'statement', { text: 'second' })] } };
    await call(server, 'PUT', `/api/bot/scenarios/${id}/draft`, { token: author, body: fixed });
    expect((await call(server, 'POST', `/api/bot/scenarios/${id}/publish`, { token: author, body: {} })).body).toMatchObject({ version: 2, status: 'published' });
    const rolled = await call(server, 'POST', `/api/bot/scenarios/${id}/rollback`, { token: author, body: { version: 1 } });
    expect(rolled.body).toMatchObject({ version: 3, status: 'published' });
    expect(rolled.body.code.steps[0].text).toBe('first');
    expect(rolled.body.versions.map((v: { version: number; status: string }) => `${v.version}:${v.status}`)).toEqual(['3:published', '2:retired', '1:retired']);
  });
});

describe('the Direct Line–shaped channel API', () => {
  it('greets with the menu, answers a menu choice, and refuses other tokens and bad activities', async () => {
    const client = await directLine({ displayName: 'Sam' });
    const greeting = await client.read();
    expect(greeting.at(-1)).toMatchObject({ type: 'message', from: { role: 'bot' }, text: expect.stringContaining("Hi Sam, I'm the Carebridge assistant") });
    expect(greeting.at(-1)!.suggestedActions!.actions.map((a) => a.title)).toEqual(['Check symptoms', 'Book a visit', 'Find a doctor', 'Refills', 'Billing', 'Health info', 'Talk to a person']);
    const billing = await client.send({ text: '5' });
    expect(billing.at(-1)!.text).toContain('What is your billing or insurance question about?');
    expect(billing.at(-1)!.suggestedActions!.actions.map((a) => a.title)).toContain('Pay a bill');
    expect((await call(server, 'GET', `/api/bot/conversations/${client.conversationId}/activities`)).status).toBe(401);
    const other = await directLine();
    expect((await call(server, 'GET', `/api/bot/conversations/${client.conversationId}/activities`, { token: other.token })).status).toBe(403);
    const staff = await server.tokenFor(staffPrincipal('agent-zed'));
    expect((await call(server, 'GET', `/api/bot/conversations/${client.conversationId}/activities`, { token: staff })).status).toBe(401);
    for (const body of [{ type: 'typing' }, { type: 'message' }, { type: 'message', text: '   ' }, { type: 'message', text: 'x'.repeat(5000) }, { type: 'message', text: 'hi', extra: 1 }]) {
      expect((await call(server, 'POST', `/api/bot/conversations/${client.conversationId}/activities`, { token: client.token, body })).status).toBe(400);
    }
    expect((await call(server, 'POST', `/api/bot/conversations/${client.conversationId}/activities`, { token: client.token, raw: '{"type":' })).status).toBe(400);
    expect((await call(server, 'POST', `/api/bot/conversations/${client.conversationId}/activities`, { token: client.token, raw: JSON.stringify({ type: 'message', text: 'x'.repeat(200_000) }) })).status).toBe(413);
    expect((await call(server, 'POST', '/api/bot/conversations', { body: { locale: 'fr-FR' } })).status).toBe(400);
  });

  it('runs the CDC scenario: choice prompts carry suggestedActions, cards come as attachments, help interrupts and resumes', async () => {
    await importCdc();
    const client = await directLine({ trigger: 'covid19' });
    const first = await client.read();
    expect(first.at(-1)!.suggestedActions!.actions).toEqual([
      { type: 'imBack', title: 'I agree', value: 'I agree' },
      { type: 'imBack', title: "I don't agree", value: "I don't agree" },
    ]);
    const intro = await client.send({ text: 'I agree' });
    expect(intro[0]!.attachments![0]!.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(intro.at(-1)!.suggestedActions!.actions.map((a) => a.title)).toEqual(['Yes', 'No']);
    // "help" interrupts; the assessment resumes with its returningMessage and the same question.
    const help = await client.send({ text: 'help' });
    expect(help.map((a) => a.text).join('\n')).toMatch(/I can check your symptoms[\s\S]*Let's resume the COVID-19 assessment[\s\S]*Are you in the United States/);
    const state = await client.send({ text: 'yes' });
    expect(state.at(-1)!.attachments).toHaveLength(1);
    // A card submission answers the object prompt.
    const zip = await client.send({ value: { state: 'ME' } });
    expect(zip.at(-1)!.text).toContain('ZIP code');
  });

  it('hands off to an agent from the channel API with the packet, and the agent’s reply comes back as an activity', async () => {
    const ann = await h.desk('agent-dl-ann');
    const client = await directLine({ displayName: 'Pat' });
    await client.read();
    await client.send({ text: 'I have a question about my bill' });
    const handoff = await client.send({ text: 'talk to a person' });
    expect(handoff.map((a) => a.text).join('\n')).toMatch(/connecting you with a person/);
    const offer = await until(() => ann.offers.find((o) => o.conversationId === client.conversationId));
    expect(offer.packet).toMatchObject({ reason: 'patient-asked', intent: 'billing', collectedAnswers: { firstMessage: 'I have a question about my bill', lastMessage: 'talk to a person' } });
    const ack = await h.accept(ann, client.conversationId);
    expect(ack.channel).toBe('api');
    expect(await ann.socket.emitWithAck('message:send', { conversationId: client.conversationId, clientMessageId: 'agent-1', body: 'Hi Pat, Ann here.' })).toMatchObject({ ok: true });
    const fromAgent = await until(async () => (await client.read()).find((a) => a.from.role === 'agent'), 3000);
    expect(fromAgent).toMatchObject({ text: 'Hi Pat, Ann here.', from: { id: 'agent-dl-ann', role: 'agent' } });
  });

  it('a red flag in the middle of a scenario is never skipped: call 911 and an urgent hand-off', async () => {
    await importCdc();
    const client = await directLine({ trigger: 'covid19' });
    await client.read();
    const reply = await client.send({ text: 'I have crushing chest pain' });
    expect(reply.map((a) => a.text).join('\n')).toMatch(/call 911/i);
    const row = server.context.conversations.core.get(client.conversationId)!;
    expect(['queued', 'offered']).toContain(row.state);
    expect(row.priority).toBe(0);
  });

  it('"crushing chest pain and I\'m sweating": call-911 advice at once and an urgent hand-off with the triage disposition in the packet', async () => {
    const ann = await h.desk('agent-dl-red');
    const client = await directLine();
    await client.read();
    const reply = await client.send({ text: "crushing chest pain and I'm sweating" });
    expect(reply.map((a) => a.text).join('\n')).toMatch(/call 911/i);
    const offer = await until(() => ann.offers.find((o) => o.conversationId === client.conversationId));
    expect(offer.packet).toMatchObject({ reason: 'red-flag', triageDisposition: expect.stringMatching(/^emergency/) });
    expect(server.context.conversations.core.get(client.conversationId)!.priority).toBe(0);
  });

  it('resumes at the same prompt after a server restart (the state is checkpointed every turn)', async () => {
    await importCdc();
    const client = await directLine({ trigger: 'covid19' });
    await client.read();
    await client.send({ text: 'I agree' });
    await server.restart();
    // The client reconnects, as one would after a dropped connection (the old keep-alive socket is gone).
    await call(server, 'GET', '/api/health').catch(() => undefined);
    const after = await client.send({ text: 'yes' });
    expect(after.at(-1)!.text).toContain('Where in the United States');
  });

  it('ends a scenario whose script loops or allocates with a polite message, and the server carries on', async () => {
    for (const [trigger, onInit] of [
      ['runaway-loop', 'while (true) {}'],
      ['runaway-memory', 'scenario.big = "x".repeat(5e8);'],
      ['runaway-recursion', 'function f() { return f() + 1; } f();'],
    ] as const) {
      const imported = await call(server, 'POST', '/api/bot/scenarios/import', {
        token: author,
        body: scenario(trigger, [step('ask', 'prompt', { text: 'Ready?', variable: 'ok', dataType: 'boolean' }, 'run'), step('run', 'action', { onInit }, 'after'), step('after', 'statement', { text: 'never shown' })]),
      });
      expect(imported.status).toBe(201);
      const client = await directLine({ trigger });
      expect((await client.read()).at(-1)!.text).toContain('Ready?');
      const reply = await client.send({ text: 'yes' });
      expect(reply.at(-1)!.text).toMatch(/something went wrong on our side/);
      expect(reply.map((a) => a.text).join()).not.toContain('never shown');
    }
    expect((await call(server, 'GET', '/api/health')).status).toBe(200);
  });

  it('answers in Spanish once the patient writes Spanish (es-US strings) and hands off to the Spanish queue', async () => {
    const client = await directLine();
    await client.read();
    const cita = await client.send({ text: 'hola, necesito una cita por favor' });
    expect(cita.map((a) => a.text).join('\n')).toContain('Para pedir una cita aquí en el chat, inicie sesión en el portal');
    expect(cita.at(-1)!.text).toBe('¿Quiere hablar con una persona?');
    const person = await client.send({ text: 'Quiero hablar con una persona' });
    expect(person.map((a) => a.text).join('\n')).toContain('Le comunico con una persona');
    const row = server.context.conversations.core.get(client.conversationId)!;
    expect(row.queue).toBe('spanish');
    expect(JSON.parse(row.handoff!)).toMatchObject({ language: 'es', intent: 'scheduling' });
  });

  it('takes a card submission over the patient socket too (stored as the message’s bot.value)', async () => {
    const visitor = await call<{ token: string }>(server, 'POST', '/api/chat/visitor', { body: { displayName: 'Val' } });
    const socket = await h.connected('/patient', visitor.body.token);
    const started = (await socket.emitWithAck('conversation:start', {})) as { ok: true; conversation: { id: string } };
    const id = started.conversation.id;
    expect(await socket.emitWithAck('message:send', { conversationId: id, clientMessageId: 'v1', body: 'Billing', value: { choice: 'billing' } })).toMatchObject({ ok: true });
    await server.context.conversations.idle();
    const rows = server.context.database.sqlite.prepare('SELECT sender_kind, body, bot_content FROM conversation_messages WHERE conversation_id = ? ORDER BY seq').all(id) as { sender_kind: string; body: string; bot_content: string | null }[];
    expect(rows.find((r) => r.sender_kind === 'visitor')).toMatchObject({ body: 'Billing', bot_content: JSON.stringify({ value: { choice: 'billing' } }) });
    // The bot answered the menu choice.
    expect(rows.at(-1)).toMatchObject({ sender_kind: 'bot', body: expect.stringContaining('billing or insurance question') });
  });

  it('rate limits conversation starts per address', async () => {
    const limited = await startTestServer({ BOT_STARTS_PER_MINUTE: '2', BOT_SCENARIOS_DIR: 'none' });
    try {
      expect((await call(limited, 'POST', '/api/bot/conversations', { body: {} })).status).toBe(201);
      expect((await call(limited, 'POST', '/api/bot/conversations', { body: {} })).status).toBe(201);
      const third = await call(limited, 'POST', '/api/bot/conversations', { body: {} });
      expect(third.status).toBe(429);
      expect(third.body.error.code).toBe('too_many_requests');
    } finally {
      await limited.close();
    }
  });
});
