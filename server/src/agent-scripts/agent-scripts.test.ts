/**
 * Agent scripts over the real HTTP server and socket.io: the shipped files imported at start, a
 * changed file becoming the published version and a broken one leaving it in force, supervisors'
 * drafts (422 with line, column and step), publish and roll back, who may do what, a conversation's
 * run chosen by its queue with branching answers, bad input answered 400/404/409/422, the required
 * steps refusing wrap-up and close on the socket, the fields filled from a verified patient's record
 * (audited as a PHI read).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Patient } from '@medplum/fhirtypes';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ScriptDetail, ScriptListResponse, ScriptRunResponse, ScriptValidation } from '../contracts/agent-scripts.js';
import { call, createUser } from '../testing/accounts.js';
import { conversationsHarness, emit, staffPrincipal } from '../testing/conversations.js';
import { SHIPPED_AGENT_SCRIPTS, startTestServer, type TestServer } from '../testing/server.js';
import type { RecordStepResult } from './service.js';

let server: TestServer;
const h = conversationsHarness(() => server);
let agentId = '';
const tokens = { agent: '', other: '', supervisor: '', admin: '' };

beforeAll(async () => {
  server = await startTestServer({ AGENT_SCRIPTS_DIR: SHIPPED_AGENT_SCRIPTS });
  agentId = (await createUser(server, { role: 'agent', displayName: 'Alex Agent' })).id;
  tokens.agent = await server.tokenFor(staffPrincipal(agentId));
  tokens.other = await server.tokenFor(staffPrincipal(`agent-${randomUUID()}`));
  tokens.supervisor = await server.tokenFor(staffPrincipal(`supervisor-${randomUUID()}`, 'supervisor'));
  tokens.admin = await server.tokenFor(staffPrincipal(`admin-${randomUUID()}`, 'admin'));
});
afterEach(() => h.closeAll());
afterAll(async () => server?.close());

const SHIPPED = [
  'billing-question',
  'cardiology-scheduling',
  'complaint-handling',
  'identity-verification',
  'new-patient-registration',
  'nurse-triage-escalation',
  'post-discharge-follow-up',
  'prescription-refill',
  'scheduling',
  'test-results-inquiry',
  'vaccination',
];

const SMALL = (id: string, extra = '') => `id: ${id}
title: Small ${id}
description: A small script for tests.
selection:
  queues: [general]
  priority: -50
steps:
  - id: hello
    type: instruction
    text: Hello {{patient.firstName}}, I am {{agent.name}}.${extra}
`;

describe('the shipped scripts', () => {
  it('are imported at start, each published as version 1 from its file', async () => {
    const reply = await call<ScriptListResponse>(server, 'GET', '/api/agent-scripts', { token: tokens.agent });
    expect(reply.status).toBe(200);
    const shipped = reply.body.scripts.filter((s) => SHIPPED.includes(s.id));
    // By title.
    expect(shipped.map((s) => s.title)).toEqual([...shipped.map((s) => s.title)].sort((a, b) => a.localeCompare(b)));
    expect(shipped.map((s) => s.id).sort()).toEqual(SHIPPED);
    for (const s of shipped) expect(s).toMatchObject({ publishedVersion: 1, draftVersion: null, file: `${s.id}.yaml` });
    const again = server.context.agentScripts.importFiles();
    expect(again.imported).toEqual([]);
    expect(again.failed).toEqual([]);
    expect(again.unchanged).toHaveLength(SHIPPED.length);
  });
});

describe('importing files', () => {
  it('publishes a changed file as a new version, and keeps the version in force when a file breaks', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-scripts-'));
    fs.writeFileSync(path.join(dir, 'small.yaml'), SMALL('small'));
    const own = await startTestServer({ AGENT_SCRIPTS_DIR: dir });
    try {
      const first = own.context.agentScripts.detail('small');
      expect(first).toMatchObject({ publishedVersion: 1, title: 'Small small' });

      fs.writeFileSync(path.join(dir, 'small.yaml'), SMALL('small').replace('Small small', 'Small, edited'));
      expect(own.context.agentScripts.importFiles().imported).toEqual(['small.yaml']);
      expect(own.context.agentScripts.detail('small')).toMatchObject({ publishedVersion: 2, title: 'Small, edited' });

      // A broken edit: named by file, line and step; version 2 stays in force.
      fs.writeFileSync(path.join(dir, 'small.yaml'), SMALL('small').replace('type: instruction', 'type: instruction\n    next: nowhere'));
      const report = own.context.agentScripts.importFiles();
      expect(report.imported).toEqual([]);
      expect(report.failed).toEqual([{ file: 'small.yaml', errors: [{ line: 10, column: 11, step: 'hello', message: expect.stringMatching(/^next: unknown step "nowhere"/) }] }]);
      const after = own.context.agentScripts.detail('small');
      expect(after).toMatchObject({ publishedVersion: 2, title: 'Small, edited' });
      expect(after.versions.map((v) => `${v.version} ${v.status} ${v.origin}`)).toEqual(['2 published file', '1 retired file']);
    } finally {
      await own.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('editing scripts', () => {
  const validate = (yaml: string, scriptId?: string) =>
    call<ScriptValidation>(server, 'POST', `/api/agent-scripts/validate${scriptId ? `?scriptId=${scriptId}` : ''}`, { token: tokens.supervisor, body: { yaml } });

  it('validates live with line, column and step for every problem', async () => {
    expect((await validate(SMALL('fresh'))).body).toEqual({ ok: true, errors: [] });
    const broken = SMALL('fresh', ' {{patient.shoeSize}}').replace('queues: [general]', 'queues: [nowhere]');
    const reply = await validate(broken);
    expect(reply.status).toBe(200);
    expect(reply.body.ok).toBe(false);
    expect(reply.body.errors).toEqual([
      { line: 5, column: 12, step: null, message: expect.stringMatching(/^queues: unknown queue "nowhere"/) },
      { line: 10, column: 11, step: 'hello', message: expect.stringMatching(/^text: unknown field \{\{patient\.shoeSize\}\}/) },
    ]);
    // A YAML syntax error names its line too.
    expect((await validate('id: x\ntitle: [unclosed\n')).body.errors[0]).toMatchObject({ line: expect.any(Number), step: null });
    // Another script's id in its draft is refused.
    expect((await validate(SMALL('other'), 'scheduling')).body.errors[0]?.message).toMatch(/this is script scheduling/);
  });

  it('lets supervisors create a draft, publish it, and roll back; agents only read', async () => {
    const created = await call<ScriptDetail>(server, 'POST', '/api/agent-scripts', { token: tokens.supervisor, body: { yaml: SMALL('team-notes') } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'team-notes', publishedVersion: null, draftVersion: 1 });
    expect((await call(server, 'POST', '/api/agent-scripts', { token: tokens.supervisor, body: { yaml: SMALL('team-notes') } })).status).toBe(409);

    // An invalid draft is refused with its errors and nothing is stored.
    const bad = await call<{ errors: unknown[]; error: { code: string; details: { errors: unknown[] } } }>(server, 'PUT', '/api/agent-scripts/team-notes/draft', {
      token: tokens.supervisor,
      body: { yaml: SMALL('team-notes').replace('type: instruction', 'type: speech') },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual([{ line: 9, column: 11, step: 'hello', message: 'type: must be one of instruction, question, macro, sub-script' }]);
    expect(bad.body.error).toMatchObject({ code: 'unprocessable', details: { errors: bad.body.errors } });

    expect((await call(server, 'POST', '/api/agent-scripts/team-notes/publish', { token: tokens.supervisor, body: { version: 7 } })).status).toBe(409);
    const published = await call<ScriptDetail>(server, 'POST', '/api/agent-scripts/team-notes/publish', { token: tokens.supervisor, body: { version: 1 } });
    expect(published.body).toMatchObject({ publishedVersion: 1, draftVersion: null });
    expect((await call(server, 'POST', '/api/agent-scripts/team-notes/publish', { token: tokens.supervisor, body: { version: 1 } })).status).toBe(409);

    const edited = await call<ScriptDetail>(server, 'PUT', '/api/agent-scripts/team-notes/draft', { token: tokens.admin, body: { yaml: SMALL('team-notes').replace('Small team-notes', 'Team notes v2') } });
    expect(edited.body).toMatchObject({ publishedVersion: 1, draftVersion: 2, title: 'Small team-notes' });
    // Saving again replaces the draft, same version.
    const again = await call<ScriptDetail>(server, 'PUT', '/api/agent-scripts/team-notes/draft', { token: tokens.admin, body: { yaml: SMALL('team-notes').replace('Small team-notes', 'Team notes v2!') } });
    expect(again.body.draftVersion).toBe(2);
    const v2 = await call<ScriptDetail>(server, 'POST', '/api/agent-scripts/team-notes/publish', { token: tokens.supervisor, body: { version: 2 } });
    expect(v2.body).toMatchObject({ publishedVersion: 2, title: 'Team notes v2!' });

    expect((await call(server, 'POST', '/api/agent-scripts/team-notes/rollback', { token: tokens.supervisor, body: { version: 2 } })).status).toBe(409);
    expect((await call(server, 'POST', '/api/agent-scripts/team-notes/rollback', { token: tokens.supervisor, body: { version: 9 } })).status).toBe(404);
    const rolled = await call<ScriptDetail>(server, 'POST', '/api/agent-scripts/team-notes/rollback', { token: tokens.supervisor, body: { version: 1 } });
    expect(rolled.status).toBe(200);
    expect(rolled.body).toMatchObject({ publishedVersion: 3, title: 'Small team-notes' });
    expect(rolled.body.versions.map((v) => `${v.version} ${v.status} ${v.origin} ${v.restoredFrom}`)).toEqual(['3 published rollback 1', '2 retired editor null', '1 retired editor null']);

    // Agents read; they do not write.
    expect((await call(server, 'GET', '/api/agent-scripts/team-notes', { token: tokens.agent })).status).toBe(200);
    expect((await call(server, 'PUT', '/api/agent-scripts/team-notes/draft', { token: tokens.agent, body: { yaml: SMALL('team-notes') } })).status).toBe(403);
    expect((await call(server, 'POST', '/api/agent-scripts/team-notes/publish', { token: tokens.agent, body: { version: 3 } })).status).toBe(403);
    expect((await call(server, 'POST', '/api/agent-scripts/validate', { token: tokens.agent, body: { yaml: 'id: x' } })).status).toBe(403);
  });

  it.each([
    ['no YAML', 'POST', '/api/agent-scripts', {}, 400],
    ['empty YAML', 'POST', '/api/agent-scripts', { yaml: '' }, 400],
    ['YAML over the limit', 'POST', '/api/agent-scripts', { yaml: 'x'.repeat(100_001) }, 400],
    ['an unknown field', 'POST', '/api/agent-scripts', { yaml: 'id: a', extra: 1 }, 400],
    ['a draft of an unknown script', 'PUT', '/api/agent-scripts/no-such-script/draft', { yaml: SMALL('no-such-script') }, 404],
    ['a malformed script id', 'PUT', '/api/agent-scripts/BAD ID/draft', { yaml: 'id: a' }, 404],
    ['a version that is no number', 'POST', '/api/agent-scripts/scheduling/publish', { version: 'one' }, 400],
    ['publishing with no draft', 'POST', '/api/agent-scripts/scheduling/publish', { version: 1 }, 409],
    ['a roll back without a version', 'POST', '/api/agent-scripts/scheduling/rollback', {}, 400],
    ['an unknown script', 'GET', '/api/agent-scripts/unknown-script', undefined, 404],
  ] as const)('%s → %s %s → %i', async (_label, method, url, body, status) => {
    const reply = await call<{ error: { code: string; message: string } }>(server, method, url, { token: tokens.supervisor, ...(body === undefined ? {} : { body }) });
    expect(reply.status).toBe(status);
    expect(reply.body.error.message.length).toBeGreaterThan(5);
  });
});

describe('a conversation’s run', () => {
  async function schedulingChat(name = 'Vera Lopez') {
    const desk = await h.desk(agentId);
    const chat = await h.visitorChat(name, 'I need to book an appointment, can I talk to a person?');
    await h.accept(desk, chat.conversationId);
    return { desk, chat, url: `/api/conversations/${chat.conversationId}/script-run` };
  }
  const step = (url: string, stepId: string, body: object = {}, token = tokens.agent) => call<RecordStepResult & { error?: { code: string; message: string } }>(server, 'POST', `${url}/steps/${stepId}`, { token, body });

  it('picks the script by queue, fills the fields it knows, branches on answers, and refuses bad input', async () => {
    const { url } = await schedulingChat();
    const reply = await call<ScriptRunResponse>(server, 'GET', url, { token: tokens.agent });
    expect(reply.status).toBe(200);
    const run = reply.body.run!;
    expect(run.script).toMatchObject({ id: 'scheduling', version: 1 });
    expect(run.reason).toBe('Chosen for this conversation: queue scheduling, intent scheduling.');
    expect(run.chosenBy).toBe('auto');
    expect(run.currentStepId).toBe('greet');
    expect(run.steps[0]!.text).toMatch(/^Say: "Hi Vera, this is Alex Agent with Carebridge Health Network\./);
    expect(run.steps[1]).toMatchObject({ id: 'identity.explain', from: { scriptId: 'identity-verification', title: 'Identity verification' } });
    expect(run.progress).toMatchObject({ done: 0, requiredLeft: ['identity.verify', 'identity.verified', 'request', 'urgent-check'] });
    expect(reply.body.available.map((s) => s.id)).toContain('billing-question');

    // Branching: a cancellation goes to the cancel steps.
    for (const id of ['greet', 'identity.explain', 'identity.verify']) expect((await step(url, id)).status).toBe(200);
    expect((await step(url, 'identity.verified', { answer: 'yes' })).body.next?.id).toBe('request');
    const cancelled = await step(url, 'request', { answer: 'cancel' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.next).toMatchObject({ id: 'cancel-find', type: 'macro', action: 'open-360-section', argument: 'appointments' });
    const request = cancelled.body.run.steps.find((s) => s.id === 'request')!;
    expect(request.answer).toMatchObject({ value: 'cancel', label: 'Cancel an appointment', by: 'Alex Agent' });
    expect(cancelled.body.run.steps.find((s) => s.id === 'visit-type')).toMatchObject({ onPath: false });
    expect(cancelled.body.run.progress.requiredLeft).toEqual([]);

    // Bad input: each refused with its own status, nothing stored.
    expect((await step(url, 'request', { answer: 'teleport' })).status).toBe(422);
    expect((await step(url, 'greet', { answer: 'hello' })).status).toBe(422);
    expect((await step(url, 'request', {})).status).toBe(422);
    expect((await step(url, 'visit-type', { answer: 'follow-up' })).status).toBe(409);
    expect((await step(url, 'no-such-step')).status).toBe(404);
    expect((await step(url, '..%2F..')).status).toBe(404);
    expect((await step(url, 'greet', { answer: 7 })).status).toBe(400);
    expect((await step(url, 'greet', { done: true })).status).toBe(400);
    expect((await step(url, 'greet', {}, tokens.other)).status).toBe(403);
    expect((await call(server, 'GET', url, { token: tokens.other })).status).toBe(403);
    expect((await call(server, 'GET', `/api/conversations/${randomUUID()}/script-run`, { token: tokens.agent })).status).toBe(404);
    expect((await call(server, 'GET', '/api/conversations/not-a-uuid/script-run', { token: tokens.agent })).status).toBe(404);
    expect((await call<ScriptRunResponse>(server, 'GET', url, { token: tokens.agent })).body.run!.steps.find((s) => s.id === 'request')!.answer?.value).toBe('cancel');

    // Switching by hand starts the other script over.
    expect((await call(server, 'PUT', url, { token: tokens.agent, body: { scriptId: 'no-such-script' } })).status).toBe(404);
    expect((await call(server, 'PUT', url, { token: tokens.agent, body: { scriptId: 'Not An Id' } })).status).toBe(400);
    expect((await call(server, 'PUT', url, { token: tokens.agent, body: {} })).status).toBe(400);
    const switched = await call<ScriptRunResponse>(server, 'PUT', url, { token: tokens.agent, body: { scriptId: 'billing-question' } });
    expect(switched.body.run).toMatchObject({ script: { id: 'billing-question' }, chosenBy: 'agent', reason: 'Chosen by Alex Agent.', progress: { done: 0 } });
    // A hand-picked script stays picked.
    expect((await call<ScriptRunResponse>(server, 'GET', url, { token: tokens.agent })).body.run!.script.id).toBe('billing-question');
  });

  it('refuses wrap-up and close while required steps are left, and allows them once done', async () => {
    const { desk, chat, url } = await schedulingChat('Wes');
    await call(server, 'GET', url, { token: tokens.agent });
    const refused = await emit(desk.socket, 'conversation:wrapup', { conversationId: chat.conversationId });
    expect(refused).toEqual({
      ok: false,
      error: { code: 'script_incomplete', message: expect.stringMatching(/^Finish the required script steps first: Verify identity; Could the caller be verified\?; What would the patient like to do\?; Ask: "Is this something/) },
    });
    const closeRefused = await emit(desk.socket, 'conversation:close', { conversationId: chat.conversationId, disposition: 'resolved' });
    expect(closeRefused).toMatchObject({ ok: false, error: { code: 'script_incomplete' } });
    expect(server.context.conversations.core.get(chat.conversationId)?.state).toBe('active');
    // A bad disposition is still a bad payload first.
    expect(await emit(desk.socket, 'conversation:close', { conversationId: chat.conversationId, disposition: 'nope' })).toMatchObject({ ok: false, error: { code: 'bad_payload' } });

    await step(url, 'identity.verify');
    await step(url, 'identity.verified', { answer: 'no' });
    const left = await step(url, 'request', { answer: 'new' });
    expect(left.body.run.progress.requiredLeft).toEqual(['urgent-check']);
    // The answer opens the branch: the read-back is required on it.
    expect((await step(url, 'urgent-check', { answer: 'no' })).body.run.progress.requiredLeft).toEqual(['confirm']);
    expect(await emit(desk.socket, 'conversation:wrapup', { conversationId: chat.conversationId })).toMatchObject({ ok: false, error: { code: 'script_incomplete', message: /^Finish the required script steps first: Read back the date/ } });
    await step(url, 'book');
    await step(url, 'confirm');
    expect(await emit(desk.socket, 'conversation:wrapup', { conversationId: chat.conversationId })).toMatchObject({ ok: true });
    expect(await emit(desk.socket, 'conversation:close', { conversationId: chat.conversationId, disposition: 'resolved' })).toMatchObject({ ok: true });
  });

  it('fills a verified patient’s first name and age from the record and audits the read', async () => {
    const patientId = server.context.store.create<Patient>({
      resourceType: 'Patient',
      identifier: [{ system: 'urn:carebridge:mrn', value: 'CB0007001' }],
      name: [{ use: 'official', given: ['Beatrice'], family: 'Okafor' }],
      birthDate: '1950-03-01',
      address: [{ postalCode: '80203' }],
    }).id!;
    const { url, chat } = await schedulingChat('B');
    const verified = await call(server, 'POST', `/api/conversations/${chat.conversationId}/identity/verify`, { token: tokens.agent, body: { patientId, birthDate: '1950-03-01', mrn: 'CB0007001' } });
    expect(verified.status).toBe(200);
    const run = (await call<ScriptRunResponse>(server, 'GET', url, { token: tokens.agent })).body.run!;
    expect(run.steps[0]!.parts).toContainEqual({ field: 'patient.firstName', value: 'Beatrice' });
    const rows = server.context.database.sqlite
      .prepare("SELECT actor_id, reason, resource_id FROM audit_log WHERE action = 'phi.read' AND reason = 'agent script' AND resource_id = ?")
      .all(patientId);
    expect(rows).toEqual([{ actor_id: agentId, reason: 'agent script', resource_id: patientId }]);
  });
});
