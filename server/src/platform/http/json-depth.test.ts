/**
 * Bodies and socket payloads nested thousands deep are refused with a clear error instead of
 * overflowing a recursive validator (a 500), and the server keeps serving.
 */
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../testing/server.js';
import { staffPrincipal } from '../../testing/conversations.js';
import { MAX_JSON_DEPTH, jsonTextTooDeep, valueTooDeep } from './json-depth.js';

const nested = (depth: number, leaf = '1') => '{"a":'.repeat(depth) + leaf + '}'.repeat(depth);
const nestedArrays = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('JSON depth', () => {
  it.each([
    [nested(MAX_JSON_DEPTH), false],
    [nested(MAX_JSON_DEPTH + 1), true],
    [nestedArrays(5000), true],
    // Brackets inside strings, escaped quotes included, do not count.
    [`{"a":"${'['.repeat(500)}\\"${'{'.repeat(500)}"}`, false],
  ])('text %#: too deep %s', (text, tooDeep) => {
    expect(jsonTextTooDeep(Buffer.from(text))).toBe(tooDeep);
    expect(valueTooDeep(JSON.parse(text))).toBe(tooDeep);
  });

  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers a REST body nested 5,000 deep with 400 and keeps serving', async () => {
    const res = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: nested(5000, '"x"') });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string; message: string } }).error).toEqual({ code: 'bad_request', message: `The JSON body nests deeper than ${MAX_JSON_DEPTH} levels.` });
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
  });

  it('answers a FHIR body nested 5,000 deep with a 400 OperationOutcome', async () => {
    const token = await server.tokenFor(staffPrincipal('admin-depth', 'admin'));
    const body = `{"resourceType":"Patient","extension":[${nested(5000)}]}`;
    const res = await fetch(`${server.url}/fhir/R4/Patient`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/fhir+json', 'X-Access-Reason': 'Depth test' }, body });
    expect(res.status).toBe(400);
    const outcome = (await res.json()) as { resourceType: string; issue: { diagnostics: string }[] };
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue[0]!.diagnostics).toContain('nests deeper');
  });

  it('acknowledges a socket payload nested deep with bad_payload and keeps the connection', async () => {
    const token = await server.tokenFor(staffPrincipal('agent-depth'));
    const socket = io(`${server.url}/staff`, { auth: { token }, transports: ['websocket'], reconnection: false });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      let deep: unknown = 'x';
      for (let i = 0; i < 2000; i++) deep = { a: deep };
      const reply = (await socket.emitWithAck('presence:set', deep)) as { ok: boolean; error?: { code: string; message: string } };
      expect(reply).toEqual({ ok: false, error: { code: 'bad_payload', message: `Invalid presence:set payload: nested deeper than ${MAX_JSON_DEPTH} levels.` } });
      expect(socket.connected).toBe(true);
      expect(await socket.emitWithAck('presence:set', { state: 'available' })).toMatchObject({ ok: true });
    } finally {
      socket.disconnect();
    }
  });
});
