import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Patient } from '@medplum/fhirtypes';
import { startTestServer, type TestServer } from '../testing/server.js';
import { FhirCaller, admin, agent, countRows, patientPrincipal, practitioner } from './test-support.js';

/** A Patient of about `bytes` bytes of JSON: thousands of extensions, slow to validate. */
function hugePatient(bytes: number): string {
  const one = JSON.stringify({ url: 'http://example.org/fhir/StructureDefinition/note', valueString: 'x'.repeat(40) });
  const count = Math.ceil(bytes / (one.length + 1));
  return `{"resourceType":"Patient","extension":[${Array.from({ length: count }, () => one).join(',')}]}`;
}

/**
 * Sends a prepared body (a Buffer: no per-request encoding on this side) and returns the status,
 * once the answer is in and the request is over. The server answers a refusal before reading the
 * body and then closes the connection, so the rest of the upload fails (EPIPE) after the answer.
 */
function postBuffer(url: string, headers: Record<string, string>, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    let status = 0;
    const req = http.request(url, { method: 'POST', headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      status = res.statusCode ?? 0;
      res.resume();
    });
    req.on('error', (err) => (status === 0 ? reject(err) : undefined));
    req.on('close', () => resolve(status));
    req.end(body);
  });
}

/** Sends a body without Content-Length (chunked), as a streaming client would. */
function postChunked(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.slice(i, i + 64 * 1024));
    req.end();
  });
}

describe('FHIR request bodies: authorized first, capped per role', () => {
  let server: TestServer;
  let alice: Patient & { id: string };
  const big = hugePatient(4.4 * 1024 * 1024);

  beforeAll(async () => {
    server = await startTestServer();
    alice = await (await FhirCaller.as(server, admin)).create<Patient>({ resourceType: 'Patient', name: [{ family: 'Alvarez' }] });
  });
  afterAll(async () => {
    await server.close();
  });

  it('refuses a patient’s write of a type they may not write before reading the body (403, even for malformed JSON)', async () => {
    const api = await FhirCaller.as(server, patientPrincipal(alice.id), null);
    const before = countRows(server, 'resources');
    for (const [method, path] of [
      ['POST', '/Patient'],
      ['PUT', `/Patient/${alice.id}`],
      ['POST', '/Observation'],
    ] as const) {
      const res = await api.request(method, path, '{"resourceType": "Patient", not json');
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.resourceType).toBe('OperationOutcome');
    }
    // An invalid resource too: permission is decided before validation.
    expect((await api.post('/Observation', { resourceType: 'Observation', status: 'not-a-status' })).status).toBe(403);
    const refused = await api.request('POST', '/Patient', big);
    expect(refused.status).toBe(403);
    // Not read, so not drained either: the connection closes after the answer.
    expect(refused.headers.get('connection')).toBe('close');
    expect(countRows(server, 'resources')).toBe(before);
  });

  it('refuses staff without a writing role or a reason, and Bundles from non-importers, before reading the body', async () => {
    const noReason = await FhirCaller.as(server, practitioner, null);
    expect((await noReason.request('POST', '/Observation', '{ not json')).status).toBe(403);
    expect((await (await FhirCaller.as(server, agent)).request('POST', '/Observation', '{ not json')).status).toBe(403);
    expect((await (await FhirCaller.as(server, agent)).request('POST', '', '{ not json')).status).toBe(403);
    expect((await (await FhirCaller.as(server, practitioner)).request('POST', '/Organization', '{ not json')).status).toBe(403);
    expect((await fetch(`${server.url}/fhir/R4/Patient`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: big })).status).toBe(401);
  });

  it('caps a patient’s body at 256 KiB with a 413 OperationOutcome, before parsing it', async () => {
    const api = await FhirCaller.as(server, patientPrincipal(alice.id), null);
    // Malformed and oversized: the size decides (413), the parser never runs (it would say 400).
    const res = await api.request('POST', '/Communication', `{"resourceType":"Communication", ${' '.repeat(300 * 1024)} broken`);
    expect(res.status).toBe(413);
    // Under 1 MiB the unread rest is drained and the connection kept: the client surely reads its 413.
    expect(res.headers.get('connection')).toBe('keep-alive');
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(res.body.issue[0].code).toBe('too-costly');
    expect(res.body.issue[0].details.coding[0].code).toBe('payload_too_large');
    expect(res.body.issue[0].diagnostics).toBe('The request body is too large: resources sent by patients are limited to 256 KiB (262144 bytes).');
    // Without a Content-Length too, as soon as the stream passes the limit.
    const chunked = await postChunked(`${api.base}/Communication`, api.headers({ 'content-type': 'application/fhir+json' }), big);
    expect(chunked.status).toBe(413);
    // A normal message still goes through.
    const ok = await api.post('/Communication', { resourceType: 'Communication', status: 'completed', subject: { reference: `Patient/${alice.id}` }, payload: [{ contentString: 'Hello' }] });
    expect(ok.status).toBe(201);
  });

  it('gives staff 2 MiB, and admins and Bundle imports MAX_BODY_BYTES', async () => {
    const doctor = await FhirCaller.as(server, practitioner);
    const large = await doctor.request('POST', '/Observation', hugePatient(3 * 1024 * 1024));
    expect(large.status).toBe(413);
    expect(large.body.issue[0].diagnostics).toContain('the practitioner role are limited to 2 MiB');
    // A Bundle of the same size is read (and found malformed: 400, not 413).
    expect((await doctor.request('POST', '', `{"resourceType":"Bundle",${' '.repeat(3 * 1024 * 1024)} broken`)).status).toBe(400);
    const adminApi = await FhirCaller.as(server, admin);
    expect((await adminApi.request('POST', '/Patient', `{"resourceType":"Patient",${' '.repeat(3 * 1024 * 1024)} broken`)).status).toBe(400);
    const tooBig = await adminApi.request('POST', '/Patient', hugePatient(6 * 1024 * 1024));
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.issue[0].diagnostics).toContain('admins are limited to 5 MiB');
  });

  it('keeps /api/health responsive while patients send 4.4 MB bodies', async () => {
    const api = await FhirCaller.as(server, patientPrincipal(alice.id), null);
    const body = Buffer.from(big);
    const headers = api.headers({ 'content-type': 'application/fhir+json' });
    let attacking = true;
    const attackers = Array.from({ length: 4 }, async () => {
      let sent = 0;
      while (attacking && sent < 25) {
        expect(await postBuffer(`${api.base}/Patient`, headers, body)).toBe(403);
        sent++;
      }
      return sent;
    });
    const latencies: number[] = [];
    const started = Date.now();
    while (Date.now() - started < 1500) {
      const t = performance.now();
      expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
      latencies.push(performance.now() - t);
    }
    attacking = false;
    const sent = (await Promise.all(attackers)).reduce((a, b) => a + b, 0);
    expect(sent).toBeGreaterThan(4);
    latencies.sort((a, b) => a - b);
    // Parsing and validating each body took 1.7 s on the event loop before bodies were refused
    // unread; the bound is loose because the machine is shared (bench:hostile measures it).
    expect(latencies.at(-1)!).toBeLessThan(1000);
  });
});

describe('FHIR body limits are configurable', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ FHIR_PATIENT_MAX_BODY_BYTES: '2048', FHIR_STAFF_MAX_BODY_BYTES: '4096' });
  });
  afterAll(async () => {
    await server.close();
  });

  it('FHIR_PATIENT_MAX_BODY_BYTES and FHIR_STAFF_MAX_BODY_BYTES set the caps', async () => {
    const patient = await FhirCaller.as(server, patientPrincipal('p1'), null);
    const message = { resourceType: 'Communication', status: 'completed', subject: { reference: 'Patient/p1' }, payload: [{ contentString: 'x'.repeat(3000) }] };
    const res = await patient.post('/Communication', message);
    expect(res.status).toBe(413);
    expect(res.body.issue[0].diagnostics).toContain('limited to 2 KiB (2048 bytes)');
    const staff = await FhirCaller.as(server, practitioner);
    expect((await staff.post('/Communication', { ...message, payload: [{ contentString: 'x'.repeat(5000) }] })).status).toBe(413);
  });
});
