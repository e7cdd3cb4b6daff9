/**
 * Staff members' own quick replies over the real HTTP server: each agent sees and replaces only their
 * own, the list survives being read back, bad lists are refused whole with the field named, and roles
 * that do not chat are refused.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PersonalQuickReplies } from '../contracts/conversations.js';
import { call } from '../testing/accounts.js';
import { staffPrincipal } from '../testing/conversations.js';
import { startTestServer, type TestServer } from '../testing/server.js';

let server: TestServer;
const tokens = { agent: '', colleague: '', supervisor: '', practitioner: '' };
const mine = (token: string) => call<PersonalQuickReplies>(server, 'GET', '/api/me/quick-replies', { token });
const replace = (token: string, body: unknown) => call<PersonalQuickReplies & { error?: { details: { issues: { path: string }[] } } }>(server, 'PUT', '/api/me/quick-replies', { token, body });
const reply = (shortcut: string, title = shortcut) => ({ shortcut, title, body: `The ${title} answer.` });

beforeAll(async () => {
  server = await startTestServer();
  tokens.agent = await server.tokenFor(staffPrincipal(`agent-${randomUUID()}`));
  tokens.colleague = await server.tokenFor(staffPrincipal(`agent-${randomUUID()}`));
  tokens.supervisor = await server.tokenFor(staffPrincipal(`supervisor-${randomUUID()}`, 'supervisor'));
  tokens.practitioner = await server.tokenFor(staffPrincipal(`practitioner-${randomUUID()}`, 'practitioner'));
});
afterAll(async () => server?.close());

describe('personal quick replies', () => {
  it('start empty, are replaced whole and read back, and stay each person’s own', async () => {
    expect((await mine(tokens.agent)).body).toEqual({ quickReplies: [] });
    const saved = await replace(tokens.agent, { quickReplies: [reply('parking', 'Parking'), reply('lab-hours', 'Lab hours')] });
    expect(saved.status).toBe(200);
    expect((await mine(tokens.agent)).body.quickReplies.map((r) => r.shortcut)).toEqual(['parking', 'lab-hours']);
    expect((await mine(tokens.colleague)).body.quickReplies).toEqual([]);
    expect((await replace(tokens.supervisor, { quickReplies: [reply('escalate')] })).status).toBe(200);
    expect((await replace(tokens.agent, { quickReplies: [reply('lab-hours', 'Lab hours')] })).status).toBe(200);
    expect((await mine(tokens.agent)).body.quickReplies.map((r) => r.shortcut)).toEqual(['lab-hours']);
    expect((await mine(tokens.supervisor)).body.quickReplies.map((r) => r.shortcut)).toEqual(['escalate']);
  });

  it('refuses a bad list whole, naming the field, and keeps what was stored', async () => {
    const before = (await mine(tokens.agent)).body;
    const twice = await replace(tokens.agent, { quickReplies: [reply('same'), reply('same')] });
    expect(twice.status).toBe(400);
    expect(twice.body.error!.details.issues[0]!.path).toBe('quickReplies.1.shortcut');
    expect((await replace(tokens.agent, { quickReplies: [{ shortcut: 'Bad Shortcut!', title: 'x', body: 'y' }] })).status).toBe(400);
    expect((await replace(tokens.agent, { quickReplies: [{ shortcut: 'ok', title: '', body: 'y' }] })).status).toBe(400);
    expect((await replace(tokens.agent, { quickReplies: Array.from({ length: 101 }, (_, i) => reply(`r${i}`)) })).status).toBe(400);
    expect((await replace(tokens.agent, { quickReplies: [reply('ok')], userId: 'someone-else' })).status).toBe(400);
    expect((await replace(tokens.agent, [reply('ok')])).status).toBe(400);
    expect((await mine(tokens.agent)).body).toEqual(before);
  });

  it('is for staff who chat: practitioners and the signed-out are refused', async () => {
    expect((await mine(tokens.practitioner)).status).toBe(403);
    expect((await replace(tokens.practitioner, { quickReplies: [] })).status).toBe(403);
    expect((await call(server, 'GET', '/api/me/quick-replies')).status).toBe(401);
  });
});
