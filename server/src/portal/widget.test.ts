/**
 * The chat widget's public endpoints against a real server: its configuration (WIDGET_CONFIG: good,
 * bad and unreadable colour files), availability from routing's business hours, and the offline
 * form's messages as FHIR Tasks staff can search (validation, hostile input, rate limit, audit).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Task } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accentColourProblem, contrastRatio } from '../contracts/colour.js';
import { OFFLINE_MESSAGE_TASK_CODE, availabilitySchema, widgetConfigResponseSchema } from '../contracts/widget.js';
import { ConfigError } from '../platform/config.js';
import { call, createPatient, createUser, signedInUser, uniqueAddress } from '../testing/accounts.js';
import { writeClosedRoutingConfig } from '../testing/routing.js';
import { startTestServer, type TestServer } from '../testing/server.js';
import { DEFAULT_WIDGET_CONFIG, loadWidgetConfig } from './widget-config.js';
import { OFFLINE_MESSAGES_PER_WINDOW } from './widget-routes.js';

let dir: string;
let open: TestServer;
let closed: TestServer;
let configured: TestServer;
let nextOpenAt: string;
const CLINIC = 'https://clinic.example';

function writeFile(name: string, content: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-widget-'));
  const routing = writeClosedRoutingConfig(dir);
  nextOpenAt = routing.nextOpenAt;
  const widget = writeFile('widget.json', {
    accentColor: '#6a1b9a',
    headerTitle: 'Riverside help desk',
    greeting: 'Hello from Riverside! How can we help?',
    prechat: { askDateOfBirth: false, reasons: ['Book a visit', 'Something else'] },
  });
  [open, closed, configured] = await Promise.all([
    startTestServer({ ROUTING_ALWAYS_OPEN: '1', WIDGET_ORIGINS: CLINIC }),
    startTestServer({ ROUTING_CONFIG: routing.file, ROUTING_ALWAYS_OPEN: '0', WIDGET_ORIGINS: CLINIC }),
    startTestServer({ WIDGET_CONFIG: widget }),
  ]);
});
afterAll(async () => {
  await Promise.all([open?.close(), closed?.close(), configured?.close()]);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('widget configuration (WIDGET_CONFIG)', () => {
  it('has built-in defaults: the Carebridge blue, the widget’s own words, the pre-chat form with four reasons and the date of birth', () => {
    expect(DEFAULT_WIDGET_CONFIG).toEqual({
      accentColor: '#0b5cad',
      headerTitle: null,
      greeting: null,
      prechat: { enabled: true, askDateOfBirth: true, reasons: ['Appointments', 'Billing', 'Prescriptions', 'Something else'] },
    });
    expect(loadWidgetConfig(undefined)).toBe(DEFAULT_WIDGET_CONFIG);
  });

  it('loads a file; what it leaves out keeps the defaults', () => {
    const file = writeFile('partial.json', { greeting: '  Welcome!  ', prechat: { enabled: false } });
    expect(loadWidgetConfig(file)).toEqual({ ...DEFAULT_WIDGET_CONFIG, greeting: 'Welcome!', prechat: { ...DEFAULT_WIDGET_CONFIG.prechat, enabled: false } });
  });

  it.each([
    ['missing file', null, /WIDGET_CONFIG: cannot read ".*nope\.json" \(ENOENT\)/],
    ['not JSON', '{ accentColor: ', /WIDGET_CONFIG: ".*" is not valid JSON/],
    ['a light colour', { accentColor: '#ffcc00' }, /WIDGET_CONFIG: ".*" accentColor: #ffcc00 gives white text a contrast of only 1\.\d\d:1; WCAG AA needs 4\.5:1 — choose a darker colour/],
    ['a colour just too light', { accentColor: '#7a7a7a' }, /accentColor: #7a7a7a gives white text a contrast of only 4\.\d\d:1/],
    ['not a colour', { accentColor: 'red; background: url(x)' }, /accentColor: "red; background: url\(x\)" is not a colour like #0b5cad/],
    ['an unknown key', { accentColour: '#0b5cad' }, /WIDGET_CONFIG: ".*" Unrecognized key: "accentColour"/],
    ['a long title', { headerTitle: 'x'.repeat(61) }, /WIDGET_CONFIG: ".*" headerTitle: Too big/],
    ['the same reason twice', { prechat: { reasons: ['Billing', 'Billing'] } }, /prechat\.reasons: reason choices must differ/],
    ['too many reasons', { prechat: { reasons: Array.from({ length: 13 }, (_, i) => `Reason ${i}`) } }, /prechat\.reasons: Too big/],
  ])('a bad file (%s) stops the server with one line naming WIDGET_CONFIG', (_name, content, message) => {
    const file = content === null ? path.join(dir, 'nope.json') : writeFile(`bad-${Math.random()}.json`, content);
    expect(() => loadWidgetConfig(file)).toThrow(ConfigError);
    expect(() => loadWidgetConfig(file)).toThrow(message);
    try {
      loadWidgetConfig(file);
    } catch (err) {
      expect((err as Error).message).not.toContain('\n');
    }
  });

  it('a server with a bad colour file does not start', async () => {
    const file = writeFile('light.json', { accentColor: '#f5a623' });
    await expect(startTestServer({ WIDGET_CONFIG: file })).rejects.toThrow(/^Invalid environment variable WIDGET_CONFIG: .*accentColor: #f5a623 gives white text/);
  });

  it('checks contrast the WCAG way', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#0b5cad', '#ffffff')).toBeGreaterThan(6.5);
    expect(contrastRatio('#767676', '#ffffff')).toBeGreaterThanOrEqual(4.5); // the classic lightest AA grey
    expect(accentColourProblem('#767676')).toBeNull();
    expect(accentColourProblem('#777777')).toMatch(/4\.4\d:1/);
    expect(accentColourProblem('#0B5CAD')).toBeNull();
    expect(accentColourProblem('#fff')).toMatch(/not a colour/);
  });
});

describe('GET /api/chat/widget-config', () => {
  it('serves the configuration to anyone, cacheable for a minute, to the listed clinic sites', async () => {
    const reply = await call(configured, 'GET', '/api/chat/widget-config');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('cache-control')).toBe('public, max-age=60');
    expect(widgetConfigResponseSchema.parse(reply.body)).toEqual({
      accentColor: '#6a1b9a',
      headerTitle: 'Riverside help desk',
      greeting: 'Hello from Riverside! How can we help?',
      prechat: { enabled: true, askDateOfBirth: false, reasons: ['Book a visit', 'Something else'] },
    });
    const fromClinic = await fetch(`${open.url}/api/chat/widget-config`, { headers: { origin: CLINIC } });
    expect(fromClinic.headers.get('access-control-allow-origin')).toBe(CLINIC);
    expect(await fromClinic.json()).toEqual(DEFAULT_WIDGET_CONFIG);
    const openapi = await call<{ paths: Record<string, unknown> }>(open, 'GET', '/api/openapi.json');
    expect(Object.keys(openapi.body.paths)).toEqual(expect.arrayContaining(['/api/chat/widget-config', '/api/chat/availability', '/api/chat/offline-messages']));
  });
});

describe('GET /api/chat/availability', () => {
  it('open when a queue is open (ROUTING_ALWAYS_OPEN), with no next opening', async () => {
    const reply = await call(open, 'GET', '/api/chat/availability');
    expect(reply.status).toBe(200);
    expect(availabilitySchema.parse(reply.body)).toEqual({ open: true, nextOpenAt: null });
    expect(reply.headers.get('cache-control')).toBe('public, max-age=30');
  });

  it('closed when every queue is closed, with the earliest opening', async () => {
    const reply = await call(closed, 'GET', '/api/chat/availability', { headers: { origin: CLINIC } });
    expect(reply.body).toEqual({ open: false, nextOpenAt });
    expect(reply.headers.get('access-control-allow-origin')).toBe(CLINIC);
  });

  it('the default hours keep the nurse line open around the clock', async () => {
    const server = await startTestServer({ ROUTING_ALWAYS_OPEN: '0' });
    try {
      expect((await call(server, 'GET', '/api/chat/availability')).body).toEqual({ open: true, nextOpenAt: null });
    } finally {
      await server.close();
    }
  });
});

describe('POST /api/chat/offline-messages', () => {
  const staffToken = (server: TestServer, role: 'agent' | 'practitioner' = 'agent') =>
    server.tokenFor({ kind: 'staff', userId: `${role}-reader`, email: `${role}-reader@example.test`, role, practitionerId: null });
  const send = (body: unknown, options: { token?: string; address?: string } = {}) =>
    call(closed, 'POST', '/api/chat/offline-messages', {
      body,
      ...(options.token ? { token: options.token } : {}),
      headers: { 'x-forwarded-for': options.address ?? uniqueAddress() },
    });
  const readTask = async (id: string) =>
    call<Task>(closed, 'GET', `/fhir/R4/Task/${id}`, { token: await staffToken(closed), headers: { 'x-access-reason': 'offline message inbox' } });
  const auditOf = (id: string) =>
    closed.context.database.sqlite.prepare("SELECT actor_id, actor_role, action, patient_id, ip, details FROM audit_log WHERE resource_type = 'Task' AND resource_id = ? AND action = 'phi.write'").all(id) as Array<
      Record<string, string | null>
    >;

  it('a visitor’s message becomes a requested Task staff read and find by status and code; audited', async () => {
    const address = uniqueAddress();
    const reply = await send({ name: 'Vera Visitor', email: 'vera@example.org', phone: '+1 (555) 010-2030', message: 'Please call me back about my bill.', language: 'en' }, { address });
    expect(reply.status).toBe(201);
    expect(reply.body).toEqual({ id: expect.any(String) });
    expect(reply.headers.get('cache-control')).toBe('no-store');
    const { id } = reply.body as { id: string };

    const read = await readTask(id);
    expect(read.status).toBe(200);
    const task = read.body;
    expect(task).toMatchObject({
      resourceType: 'Task',
      id,
      status: 'requested',
      intent: 'order',
      code: { coding: [OFFLINE_MESSAGE_TASK_CODE] },
      requester: { display: 'Vera Visitor' },
      note: [{ text: 'Please call me back about my bill.' }],
    });
    expect(task.for).toBeUndefined();
    expect(Date.now() - Date.parse(task.authoredOn!)).toBeLessThan(60_000);
    expect(task.description).toContain('vera@example.org');
    expect(Object.fromEntries(task.input!.map((i) => [i.type.coding![0]!.code, i.valueString]))).toEqual({
      name: 'Vera Visitor',
      email: 'vera@example.org',
      phone: '+1 (555) 010-2030',
      language: 'en',
    });

    const search = await call<{ entry?: Array<{ resource: Task }> }>(
      closed,
      'GET',
      `/fhir/R4/Task?status=requested&code=${encodeURIComponent(`${OFFLINE_MESSAGE_TASK_CODE.system}|${OFFLINE_MESSAGE_TASK_CODE.code}`)}&_count=100`,
      { token: await staffToken(closed), headers: { 'x-access-reason': 'offline message inbox' } },
    );
    expect(search.status).toBe(200);
    expect(search.body.entry?.map((e) => e.resource.id)).toContain(id);

    const [row, ...more] = auditOf(id);
    expect(more).toEqual([]);
    expect(row).toMatchObject({ actor_id: null, actor_role: 'visitor', action: 'phi.write', patient_id: null, ip: address });
    expect(JSON.parse(row!.details!)).toEqual({ via: 'chat-offline-form', sender: 'visitor' });
    expect(JSON.stringify(row)).not.toContain('bill');
  });

  it('a signed-in patient’s message is a Task for them; name and contact are optional (they are on record)', async () => {
    const patient = createPatient(closed, `P-${Math.random().toString(36).slice(2, 8)}`);
    const { token, user } = await signedInUser(closed, 'patient', { patientId: patient.id! });
    const reply = await send({ message: 'Can my refill be ready Monday?' }, { token });
    expect(reply.status).toBe(201);
    const task = (await readTask((reply.body as { id: string }).id)).body;
    expect(task.for).toEqual({ reference: `Patient/${patient.id}` });
    expect(task.requester).toEqual({ reference: `Patient/${patient.id}` });
    expect(task.input?.find((i) => i.type.coding?.[0]?.code === 'name')?.valueString).toBe(user.display_name);
    expect(auditOf(task.id!)[0]).toMatchObject({ actor_id: user.id, actor_role: 'patient', patient_id: patient.id });
    // The patient sees their own message among their resources.
    const own = await call<{ entry?: Array<{ resource: Task }> }>(closed, 'GET', '/fhir/R4/Task?status=requested', { token });
    expect(own.body.entry?.map((e) => e.resource.id)).toEqual([task.id]);

    const agent = await createUser(closed, { role: 'agent' });
    const staff = await call(closed, 'POST', '/api/auth/login', { body: { email: agent.email, password: 'correct horse battery staple' } });
    expect((await send({ message: 'hi', name: 'Agent', email: 'a@example.org' }, { token: staff.body.accessToken })).status).toBe(403);
  });

  it.each([
    ['no contact', { name: 'Vera', message: 'Hello' }, 'email: give an e-mail address or a phone number so we can reply'],
    ['no name', { email: 'v@example.org', message: 'Hello' }, 'name: is required for visitors'],
    ['no message', { name: 'Vera', email: 'v@example.org' }, 'message:'],
    ['a blank message', { name: 'Vera', email: 'v@example.org', message: '   ' }, 'message: Too small'],
    ['a bad e-mail', { name: 'Vera', email: 'vera@', message: 'Hello' }, 'email: must be an e-mail address'],
    ['an e-mail with markup', { name: 'Vera', email: '<script>@x.org', message: 'Hello' }, 'email: must be an e-mail address'],
    ['a short phone number', { name: 'Vera', phone: '12345', message: 'Hello' }, 'phone: must be a phone number of 7 to 15 digits'],
    ['letters in the phone', { name: 'Vera', phone: 'call me maybe', message: 'Hello' }, 'phone: must be a phone number'],
    ['a huge message', { name: 'Vera', email: 'v@example.org', message: 'x'.repeat(2001) }, 'message: Too big'],
    ['a huge name', { name: 'x'.repeat(81), email: 'v@example.org', message: 'Hello' }, 'name: Too big'],
    ['a number for the message', { name: 'Vera', email: 'v@example.org', message: 42 }, 'message:'],
    ['an array for the name', { name: ['Vera'], email: 'v@example.org', message: 'Hello' }, 'name:'],
    ['an unknown field', { name: 'Vera', email: 'v@example.org', message: 'Hello', patientId: 'pat-1' }, 'Unrecognized key: "patientId"'],
    ['an unknown language', { name: 'Vera', email: 'v@example.org', message: 'Hello', language: 'fr' }, 'language:'],
  ])('refuses %s with a 400 naming the field, and stores nothing', async (_name, body, message) => {
    const before = (closed.context.database.sqlite.prepare("SELECT COUNT(*) AS n FROM resources WHERE resource_type = 'Task'").get() as { n: number }).n;
    const reply = await send(body);
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe('validation_failed');
    expect(reply.body.error.message).toContain(message);
    expect((closed.context.database.sqlite.prepare("SELECT COUNT(*) AS n FROM resources WHERE resource_type = 'Task'").get() as { n: number }).n).toBe(before);
  });

  it('refuses a body that is not JSON, and a forged token', async () => {
    expect((await call(closed, 'POST', '/api/chat/offline-messages', { raw: '{"name": ' })).status).toBe(400);
    expect((await send({ name: 'Vera', email: 'v@example.org', message: 'Hello' }, { token: 'forged.token.value' })).status).toBe(401);
  });

  it('keeps markup as text: a script tag is stored and read back as the characters typed', async () => {
    const hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>';
    const reply = await send({ name: `<b>Mallory</b>`, phone: '555 010 9999', message: hostile });
    expect(reply.status).toBe(201);
    const task = (await readTask((reply.body as { id: string }).id)).body;
    expect(task.note?.[0]?.text).toBe(hostile);
    expect(task.requester?.display).toBe('<b>Mallory</b>');
  });

  it(`takes ${OFFLINE_MESSAGES_PER_WINDOW.limit} messages per address per ten minutes, then 429 saying when to retry; other addresses still get through`, async () => {
    const address = uniqueAddress();
    const body = { name: 'Flo Flood', email: 'flo@example.org', message: 'again' };
    for (let i = 0; i < OFFLINE_MESSAGES_PER_WINDOW.limit; i++) expect((await send(body, { address })).status).toBe(201);
    const limited = await send(body, { address });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('too_many_requests');
    expect(limited.body.error.details.retryAfterSeconds).toBeGreaterThan(0);
    expect((await send(body)).status).toBe(201);
  });
});
