/**
 * Clinic settings over the real HTTP server: who may read and save which section, validation that
 * names the field, optimistic concurrency (two admins saving at once), a change in force at once
 * (queue hours seen by the widget's availability and by routing, dispositions seen by the desk and
 * enforced at close), a refused change that stores nothing, the audit row, and a restart that keeps it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClinicSettingsResponse, ClinicSettingView } from '../contracts/clinic-settings.js';
import type { ConversationSettings, ConversationSettingsResponse } from '../contracts/conversations.js';
import type { RoutingConfig } from '../contracts/routing.js';
import type { Actor } from '../platform/auth/actor.js';
import { call } from '../testing/accounts.js';
import { staffPrincipal } from '../testing/conversations.js';
import { startTestServer, type TestServer } from '../testing/server.js';
import { routingConfigSchema } from '../contracts/routing.js';
import { DEFAULT_CONVERSATION_SETTINGS } from '../conversations/index.js';
import { DEFAULT_ROUTING_CONFIG_INPUT } from '../routing/index.js';
import { DEFAULT_SURVEY } from '../surveys/index.js';
import { ClinicSettings } from './index.js';

const DEFAULT_ROUTING = routingConfigSchema.parse(DEFAULT_ROUTING_CONFIG_INPUT);

let server: TestServer;
const adminId = `admin-${randomUUID()}`;
const supervisorId = `supervisor-${randomUUID()}`;
const agentId = `agent-${randomUUID()}`;
const tokens = { admin: '', supervisor: '', agent: '' };

const settings = (token: string) => call<ClinicSettingsResponse>(server, 'GET', '/api/admin/settings', { token });
const save = <T = ClinicSettingView>(token: string, section: string, body: unknown) =>
  call<T>(server, 'PUT', `/api/admin/settings/${section}`, { token, body });
const routingNow = async () => (await settings(tokens.admin)).body.routing!;
const conversationsNow = async () => (await settings(tokens.admin)).body.conversations!;

beforeAll(async () => {
  server = await startTestServer();
  tokens.admin = await server.tokenFor(staffPrincipal(adminId, 'admin'));
  tokens.supervisor = await server.tokenFor(staffPrincipal(supervisorId, 'supervisor'));
  tokens.agent = await server.tokenFor(staffPrincipal(agentId));
});
afterAll(async () => server?.close());

describe('reading clinic settings', () => {
  it('shows an admin every section at version 0 (the defaults) and a supervisor only conversations; agents are refused', async () => {
    const admin = await settings(tokens.admin);
    expect(admin.status).toBe(200);
    expect(Object.keys(admin.body).sort()).toEqual(['conversations', 'routing', 'survey']);
    expect(admin.body.routing).toMatchObject({ version: 0, updatedBy: null });
    expect(admin.body.routing!.value.queues.map((q) => q.id)).toContain('nurse-line');
    const supervisor = await settings(tokens.supervisor);
    expect(Object.keys(supervisor.body)).toEqual(['conversations']);
    expect((await settings(tokens.agent)).status).toBe(403);
    expect((await call(server, 'GET', '/api/admin/settings')).status).toBe(401);
  });
});

describe('saving clinic settings', () => {
  it('refuses bad bodies and values with a 400 naming the field, and unknown sections with a 404; nothing changes', async () => {
    const before = await routingNow();
    const noVersion = await save<{ error: { code: string; details: { issues: { path: string }[] } } }>(tokens.admin, 'routing', { value: before.value });
    expect(noVersion.status).toBe(400);
    expect(noVersion.body.error.details.issues[0]!.path).toBe('version');
    const badHours = structuredClone(before.value) as RoutingConfig;
    badHours.queues[1]!.businessHours = { timeZone: 'Mars/Olympus', weekly: { mon: [{ open: '18:00', close: '08:00' }] }, holidays: [] };
    const bad = await save<{ error: { code: string; message: string; details: { issues: { path: string }[] } } }>(tokens.admin, 'routing', { version: before.version, value: badHours });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['queues.1.businessHours.timeZone', 'queues.1.businessHours.weekly.mon.0']));
    expect((await save(tokens.admin, 'routing', { version: before.version, value: { queues: [] } })).status).toBe(400);
    expect((await save(tokens.admin, 'routing', { version: before.version, value: before.value, extra: 1 })).status).toBe(400);
    expect((await save(tokens.admin, 'nonsense', { version: 0, value: {} })).status).toBe(404);
    expect((await call(server, 'PUT', '/api/admin/settings/routing', { token: tokens.admin, raw: '{"version":' })).status).toBe(400);
    expect(await routingNow()).toEqual(before);
  });

  it('puts new queue hours in force at once: the widget sees the clinic closed and routing answers out of hours', async () => {
    const before = await routingNow();
    const closed = structuredClone(before.value) as RoutingConfig;
    for (const queue of closed.queues) queue.businessHours = { timeZone: 'America/New_York', weekly: {}, holidays: [] };
    const saved = await save(tokens.admin, 'routing', { version: before.version, value: closed });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ section: 'routing', version: before.version + 1 });
    expect((await call<{ open: boolean }>(server, 'GET', '/api/chat/availability')).body.open).toBe(false);
    const outcome = server.context.routing.enqueue({ conversationId: randomUUID(), queueId: 'nurse-line' });
    expect(outcome).toMatchObject({ ok: true, value: { outcome: 'out-of-hours' } });

    const reopened = structuredClone(closed);
    for (const queue of reopened.queues) queue.businessHours = null;
    expect((await save(tokens.admin, 'routing', { version: saved.body.version, value: reopened })).status).toBe(200);
    expect((await call<{ open: boolean }>(server, 'GET', '/api/chat/availability')).body.open).toBe(true);
  });

  it('lets one of two admins saving the same version win; the other gets a 409 and must reload', async () => {
    const before = await routingNow();
    const a = structuredClone(before.value) as RoutingConfig;
    a.queues[0]!.name = 'Nurse line (A)';
    const b = structuredClone(before.value) as RoutingConfig;
    b.queues[0]!.name = 'Nurse line (B)';
    const replies = await Promise.all([save<ClinicSettingView<'routing'>>(tokens.admin, 'routing', { version: before.version, value: a }), save<ClinicSettingView<'routing'>>(tokens.admin, 'routing', { version: before.version, value: b })]);
    expect(replies.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = replies.find((r) => r.status === 200)!.body;
    const after = await routingNow();
    expect(after.version).toBe(before.version + 1);
    expect(after.value.queues[0]!.name).toBe(winner.value.queues[0]!.name);
    expect(server.context.routing.config.queues[0]!.name).toBe(winner.value.queues[0]!.name);
  });

  it('keeps the queues the health bot hands chats to, and refuses to remove a queue that still has a conversation, storing nothing', async () => {
    let before = await routingNow();
    const noPharmacy = structuredClone(before.value) as RoutingConfig;
    noPharmacy.queues = noPharmacy.queues.filter((q) => q.id !== 'pharmacy');
    const handoff = await save<{ error: { message: string } }>(tokens.admin, 'routing', { version: before.version, value: noPharmacy });
    expect(handoff.status).toBe(400);
    expect(handoff.body.error.message).toMatch(/hands chats to pharmacy/);

    const withWalkIn = structuredClone(before.value) as RoutingConfig;
    withWalkIn.queues.push({ id: 'walk-in', name: 'Walk-in questions', skills: ['general'], businessHours: null, outOfHoursMessage: 'Closed.', priority: 3 });
    expect((await save(tokens.admin, 'routing', { version: before.version, value: withWalkIn })).status).toBe(200);
    before = await routingNow();
    server.context.routing.enqueue({ conversationId: randomUUID(), queueId: 'walk-in' });
    const without = structuredClone(before.value) as RoutingConfig;
    without.queues = without.queues.filter((q) => q.id !== 'walk-in');
    const refused = await save<{ error: { code: string; message: string } }>(tokens.admin, 'routing', { version: before.version, value: without });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/walk-in still has conversations/);
    expect(await routingNow()).toEqual(before);
    expect(server.context.routing.config.queues.map((q) => q.id)).toContain('walk-in');
  });

  it('gives chats handed to a queue that queue’s priority unless the hand-off sets one', async () => {
    const before = await routingNow();
    const urgentBilling = structuredClone(before.value) as RoutingConfig;
    urgentBilling.queues.find((q) => q.id === 'billing')!.priority = 1;
    expect((await save(tokens.admin, 'routing', { version: before.version, value: urgentBilling })).status).toBe(200);
    const { core } = server.context.conversations;
    const handedOff = (intent: string, priority?: number) => {
      const row = core.createConversation({ kind: 'visitor', userId: `visitor-${randomUUID()}`, displayName: 'Bo' }, 'widget');
      return core.handoff(row.id, { reason: 'patient-asked', intent, language: 'en', collectedAnswers: {}, summary: 'Asked for a person', ...(priority === undefined ? {} : { priority }) });
    };
    expect(handedOff('billing').priority).toBe(1);
    expect(handedOff('billing', 0).priority).toBe(0);
    expect(handedOff('scheduling').priority).toBe(2);
  });

  it('puts a new disposition list in force: the desk reads it and closing with a removed code is refused', async () => {
    const before = await conversationsNow();
    const next: ConversationSettings = {
      ...before.value,
      dispositions: [
        { code: 'answered', label: 'Question answered' },
        { code: 'booked', label: 'Appointment booked' },
      ],
      requireDisposition: true,
    };
    const saved = await save(tokens.admin, 'conversations', { version: before.version, value: next });
    expect(saved.status).toBe(200);
    const desk = await call<ConversationSettingsResponse>(server, 'GET', '/api/conversations/settings', { token: tokens.agent });
    expect(desk.body.dispositions.map((d) => d.code)).toEqual(['answered', 'booked']);

    const { core, staff } = server.context.conversations;
    const visitor: Actor = { kind: 'visitor', userId: `visitor-${randomUUID()}`, displayName: 'Ada' };
    const agent: Actor = { kind: 'staff', userId: agentId, role: 'agent', displayName: null };
    const row = core.createConversation(visitor, 'widget');
    core.handoff(row.id, { reason: 'patient-asked', intent: 'general', language: 'en', collectedAnswers: {}, summary: 'Asked for a person' });
    core.assignAgent(row.id, agentId, 'Agent');
    expect(() => staff.close(agent, { conversationId: row.id, disposition: before.value.dispositions[0]!.code })).toThrow(/Unknown disposition/);
    expect(staff.close(agent, { conversationId: row.id, disposition: 'booked' }).state).toBe('closed');
  });

  it('lets a supervisor change quick replies but nothing else', async () => {
    const before = await conversationsNow();
    const replies = [...before.value.quickReplies, { shortcut: 'parking', title: 'Parking', body: 'Visitor parking is free in the garage on Elm Street.' }];
    const ok = await save(tokens.supervisor, 'conversations', { version: before.version, value: { ...before.value, quickReplies: replies } });
    expect(ok.status).toBe(200);
    expect(ok.body.value).toMatchObject({ quickReplies: expect.arrayContaining([expect.objectContaining({ shortcut: 'parking' })]) });
    const more = await save<{ error: { message: string } }>(tokens.supervisor, 'conversations', { version: ok.body.version, value: { ...ok.body.value, maxSessions: 3 } });
    expect(more.status).toBe(403);
    expect(more.body.error.message).toMatch(/quick replies only.*maxSessions/);
    expect((await save(tokens.supervisor, 'routing', { version: 0, value: (await routingNow()).value })).status).toBe(403);
    expect((await save(tokens.agent, 'conversations', { version: ok.body.version, value: ok.body.value })).status).toBe(403);
    expect((await conversationsNow()).value.maxSessions).toBe(before.value.maxSessions);
  });

  it('records who saved what in the audit log and shows their name', async () => {
    const rows = server.context.database.sqlite
      .prepare("SELECT actor_id, actor_role, resource_id, details FROM audit_log WHERE action = 'settings.update' ORDER BY seq")
      .all() as { actor_id: string; actor_role: string; resource_id: string; details: string }[];
    expect(rows.map((r) => [r.actor_role, r.resource_id])).toEqual(
      expect.arrayContaining([
        ['admin', 'routing'],
        ['admin', 'conversations'],
        ['supervisor', 'conversations'],
      ]),
    );
    const supervisorRow = rows.find((r) => r.actor_id === supervisorId)!;
    expect(JSON.parse(supervisorRow.details)).toMatchObject({ changed: ['quickReplies'] });
    const view = (await conversationsNow()).updatedBy;
    expect(view).toBe(server.context.accounts.directory.displayNameOf(supervisorId));
  });

  it('reads the saved sections back when the server starts again, and falls back to the default for one that no longer validates', async () => {
    const routing = await routingNow();
    const conversations = await conversationsNow();
    const { sqlite } = server.context.database;
    const errors: string[] = [];
    const logger = { ...server.context.logger, error: (_obj: unknown, message: string) => void errors.push(message) } as unknown as typeof server.context.logger;
    const defaults = { routing: DEFAULT_ROUTING, conversations: DEFAULT_CONVERSATION_SETTINGS, survey: DEFAULT_SURVEY };
    const started = new ClinicSettings({ sqlite, audit: server.context.audit, logger, defaults, displayNameOf: (id) => server.context.accounts.directory.displayNameOf(id) });
    expect(started.view('routing')).toEqual(routing);
    expect(started.view('conversations')).toEqual(conversations);
    expect(started.view('survey').version).toBe(0);

    sqlite.prepare("UPDATE clinic_settings SET value = '{\"queues\":[]}' WHERE section = 'routing'").run();
    const broken = new ClinicSettings({ sqlite, audit: server.context.audit, logger, defaults, displayNameOf: () => undefined });
    expect(broken.value('routing')).toEqual(DEFAULT_ROUTING);
    expect(errors).toEqual([expect.stringMatching(/no longer validate/)]);
  });
});
