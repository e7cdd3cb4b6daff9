import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestServer, type TestServer } from '../testing/server.js';
import { call, createUser } from '../testing/accounts.js';
import { conversationSettingsResponseSchema, agentListResponseSchema } from '../contracts/conversations.js';
import { ConfigError, loadConfig, type Config } from '../platform/config.js';
import { compose } from '../composition.js';
import { conversationsHarness } from '../testing/conversations.js';

let server: TestServer;
let dir: string;
const { desk, visitorChat, accept, closeAll } = conversationsHarness(() => server);

beforeAll(async () => {
  server = await startTestServer({ ROUTING_ALWAYS_OPEN: '1' });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-settings-'));
});
afterAll(async () => {
  closeAll();
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const staffToken = (role: 'agent' | 'supervisor' = 'agent', userId = 'agent-reader') =>
  server.tokenFor({ kind: 'staff', userId, email: `${userId}@example.test`, role, practitionerId: null });

/** Builds the server's context (what start does before listening) with these settings; a ConfigError throws. */
function startWith(overrides: Partial<Config>): void {
  const context = compose({ config: { ...server.config, ...overrides }, logger: server.context.logger, database: server.context.database });
  void context.close();
}

function writeFile(name: string, content: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('GET /api/conversations/settings', () => {
  it('gives staff the default dispositions, quick replies, session limit and the queues; nobody else', async () => {
    const reply = await call(server, 'GET', '/api/conversations/settings', { token: await staffToken() });
    expect(reply.status).toBe(200);
    const body = conversationSettingsResponseSchema.parse(reply.body);
    expect(body.requireDisposition).toBe(true);
    expect(body.maxSessions).toBe(10);
    expect(body.dispositions.map((d) => d.code)).toEqual(expect.arrayContaining(['resolved', 'scheduled', 'callback', 'escalated-clinical', 'billing-followup', 'no-response']));
    expect(body.dispositions.length).toBeGreaterThanOrEqual(6);
    expect(body.quickReplies.map((q) => q.shortcut)).toEqual(expect.arrayContaining(['hours', 'portal-reset', 'refill-process', 'hold', 'transfer-notice', 'closing']));
    expect(body.queues).toContainEqual({ id: 'nurse-line', name: 'Nurse line' });

    expect((await call(server, 'GET', '/api/conversations/settings')).status).toBe(401);
    expect((await call(server, 'GET', '/api/conversations/settings', { token: 'forged.token.value' })).status).toBe(401);
    const patient = await server.tokenFor({ kind: 'patient', userId: 'pu-9', email: 'p@example.test', role: 'patient', patientId: 'pat-9' });
    expect((await call(server, 'GET', '/api/conversations/settings', { token: patient })).status).toBe(403);
    expect((await call(server, 'GET', '/api/conversations/agents', { token: patient })).status).toBe(403);

    const openapi = await call<{ paths: Record<string, unknown> }>(server, 'GET', '/api/openapi.json');
    expect(Object.keys(openapi.body.paths)).toEqual(expect.arrayContaining(['/api/conversations/settings', '/api/conversations/agents']));
  });
});

describe('GET /api/conversations/agents', () => {
  it('lists agents with presence, load, capacity and skills, accounts and connected agents alike', async () => {
    const account = await createUser(server, { role: 'agent', displayName: 'Aaron Account' });
    await createUser(server, { role: 'supervisor', displayName: 'Sue Supervisor' });
    const live = await desk('agent-live');
    const chat = await visitorChat('Nia');
    await accept(live, chat.conversationId);

    const reply = await call(server, 'GET', '/api/conversations/agents', { token: await staffToken() });
    expect(reply.status).toBe(200);
    const { items } = agentListResponseSchema.parse(reply.body);
    expect(items).toContainEqual({ userId: account.id, displayName: 'Aaron Account', role: 'agent', presence: 'offline', load: 0, capacity: 4, skills: expect.arrayContaining(['billing', 'spanish']) });
    expect(items).toContainEqual(expect.objectContaining({ userId: 'agent-live', presence: 'available', load: 1, capacity: 4 }));
    expect(items.some((a) => a.displayName === 'Sue Supervisor')).toBe(false);
  });
});

describe('configuration files', () => {
  it('uses CONVERSATIONS_CONFIG when set, and a bad file stops the start with one line naming the variable', async () => {
    const settings = {
      dispositions: [{ code: 'done', label: 'Done' }],
      requireDisposition: false,
      quickReplies: [{ shortcut: 'hi', title: 'Hi', body: 'Hello!' }],
      maxSessions: 3,
    };
    const custom = await startTestServer({ CONVERSATIONS_CONFIG: writeFile('ok.json', settings) });
    try {
      const token = await custom.tokenFor({ kind: 'staff', userId: 'a', email: 'a@example.test', role: 'agent', practitionerId: null });
      const reply = await call(custom, 'GET', '/api/conversations/settings', { token });
      expect(reply.body).toMatchObject({ ...settings });
      expect(custom.context.conversations.settings.requireDisposition).toBe(false);
    } finally {
      await custom.close();
    }

    const bad: [string, string | object, RegExp][] = [
      ['missing.json', '', /^Invalid environment variable CONVERSATIONS_CONFIG: cannot read ".*nope\.json" \(ENOENT\)$/],
      ['malformed.json', '{"dispositions": [', /^Invalid environment variable CONVERSATIONS_CONFIG: ".*malformed\.json" is not valid JSON/],
      ['bad-code.json', { ...settings, dispositions: [{ code: 'Not OK', label: 'x' }] }, /^Invalid environment variable CONVERSATIONS_CONFIG: ".*bad-code\.json" dispositions\.0\.code: /],
      ['extra.json', { ...settings, colour: 'blue' }, /^Invalid environment variable CONVERSATIONS_CONFIG: ".*extra\.json" .*colour/],
      ['too-many.json', { ...settings, maxSessions: 11 }, /^Invalid environment variable CONVERSATIONS_CONFIG: ".*too-many\.json" maxSessions: /],
    ];
    for (const [name, content, message] of bad) {
      const file = name === 'missing.json' ? path.join(dir, 'nope.json') : writeFile(name, content);
      expect(() => startWith({ CONVERSATIONS_CONFIG: file }), name).toThrow(message);
      expect(() => startWith({ CONVERSATIONS_CONFIG: file })).toThrow(ConfigError);
    }
  });

  it('uses ROUTING_CONFIG when set; a bad one stops the start naming the variable', async () => {
    const routing = { queues: [{ id: 'front-desk', name: 'Front desk', skills: ['general'] }] };
    const custom = await startTestServer({ ROUTING_CONFIG: writeFile('routing.json', routing) });
    try {
      expect(custom.context.routing.config.queues.map((q) => q.id)).toEqual(['front-desk']);
    } finally {
      await custom.close();
    }
    const unknownOverflow = { queues: [{ id: 'a', name: 'A', skills: ['general'], overflowTo: 'b', overflowAfterMs: 10 }] };
    expect(() => startWith({ ROUTING_CONFIG: writeFile('bad-routing.json', unknownOverflow) })).toThrow(
      /^Invalid environment variable ROUTING_CONFIG: ".*bad-routing\.json" queues\.0\.overflowTo: unknown queue b$/,
    );
    expect(() => startWith({ ROUTING_CONFIG: writeFile('no-queues.json', { queues: [] }) })).toThrow(/^Invalid environment variable ROUTING_CONFIG: .* queues: /);
  });

  it('keeps every queue open in demo mode unless ROUTING_ALWAYS_OPEN says otherwise', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).ROUTING_ALWAYS_OPEN).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', DEMO_MODE: '1' }).ROUTING_ALWAYS_OPEN).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development' }).ROUTING_ALWAYS_OPEN).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development', ROUTING_ALWAYS_OPEN: '0' }).ROUTING_ALWAYS_OPEN).toBe(false);
    expect(() => loadConfig({ ROUTING_ALWAYS_OPEN: 'maybe' })).toThrow(/ROUTING_ALWAYS_OPEN/);
  });
});
