/**
 * Scheduling benchmark: an availability search over 60 days for one specialty, through the real
 * HTTP API, next to a same-run baseline of the plain FHIR search for the same slots
 * (`GET /fhir/R4/Slot?specialty=…&status=free&start=ge…&start=lt…&_sort=start&_count=25`); then
 * booking latency (hold + book, and book alone, one at a time and 20 at once) next to a baseline of
 * one validated, audited FHIR write (`PUT /fhir/R4/Slot/{id}` by an admin).
 *
 *   npm run bench:scheduling -- [--patients 2000] [--samples 500] [--bookings 200] [--database FILE] [--keep]
 *
 * Seeds `--patients` full-profile patients (the clinic, its schedules and 60 days of slots, the
 * patients' own bookings) with `scripts/seed.ts` into a fresh database (or uses `--database FILE`,
 * seeding only when it is empty), starts a real server on it on an ephemeral port, and times each
 * request from the client, after a warm-up. Not part of npm test.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { AvailabilityResponse, SchedulingOptions } from '../../server/src/contracts/scheduling.js';
import { startTestServer } from '../../server/src/testing/server.js';

const { values: args } = parseArgs({
  options: {
    patients: { type: 'string', default: '2000' },
    samples: { type: 'string', default: '500' },
    bookings: { type: 'string', default: '200' },
    database: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const PATIENTS = Number(args.patients);
const SAMPLES = Number(args.samples);
const BOOKINGS = Number(args.bookings);
const root = path.resolve(import.meta.dirname, '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-scheduling-'));
const file = args.database ?? path.join(dir, 'bench.db');
const NUCC = 'http://nucc.org/provider-taxonomy';
const REASON = 'benchmark of scheduling';

function seedIfEmpty(): void {
  if (fs.existsSync(file) && fs.statSync(file).size > 1_000_000) return;
  console.log(`seeding ${PATIENTS.toLocaleString('en-US')} full patients into ${file} …`);
  const started = Date.now();
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/seed.ts', '--patients', String(PATIENTS), '--database', file, '--json'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  if (run.status !== 0) throw new Error(`seed failed (${run.status})`);
  console.log(`seeded in ${((Date.now() - started) / 1000).toFixed(0)} s: ${run.stdout.toString().trim()}`);
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const ms = (v: number) => v.toFixed(2);
function row(label: string, samples: number[], extra = ''): string {
  const s = [...samples].sort((a, b) => a - b);
  return `| ${label} | ${s.length} | ${ms(percentile(s, 50))} | ${ms(percentile(s, 95))} | ${ms(percentile(s, 99))} | ${ms(s[s.length - 1]!)} | ${extra} |`;
}

async function main(): Promise<void> {
  seedIfEmpty();
  const server = await startTestServer({ DATABASE_URL: `sqlite:${file}` });
  const sqlite = server.context.database.sqlite;
  const agent = await server.tokenFor({ kind: 'staff', userId: 'bench-agent', email: 'bench-agent@example.test', role: 'agent', practitionerId: null });
  const admin = await server.tokenFor({ kind: 'staff', userId: 'bench-admin', email: 'bench-admin@example.test', role: 'admin', practitionerId: null });
  const get = async (url: string, token = agent) => {
    const t = performance.now();
    const res = await fetch(`${server.url}${url}`, { headers: { authorization: `Bearer ${token}`, 'x-access-reason': REASON } });
    const body = (await res.json()) as unknown;
    if (!res.ok) throw new Error(`${url}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
    return { ms: performance.now() - t, body };
  };
  const send = async (method: string, url: string, body: unknown, token = agent) => {
    const t = performance.now();
    const res = await fetch(`${server.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'x-access-reason': REASON, 'content-type': method === 'PUT' ? 'application/fhir+json' : 'application/json' },
      body: JSON.stringify(body),
    });
    const reply = (await res.json()) as Record<string, unknown>;
    return { ms: performance.now() - t, status: res.status, body: reply };
  };

  const options = (await get('/api/scheduling/options')).body as SchedulingOptions;
  const counts = sqlite.prepare("SELECT resource_type AS type, COUNT(*) AS n FROM resources WHERE resource_type IN ('Patient', 'Slot', 'Appointment') GROUP BY resource_type").all() as Array<{ type: string; n: number }>;
  console.log(`database: ${counts.map((c) => `${c.n.toLocaleString('en-US')} ${c.type}`).join(', ')}; ${options.practitioners.length} clinicians in ${options.specialties.length} specialties`);

  // The specialty with the most slots (family medicine in the synthetic clinic): the worst case.
  const family = options.specialties.find((s) => s.display === 'Family Medicine') ?? options.specialties[0]!;
  const today = new Date().toISOString().slice(0, 10);
  const to = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);
  const ours = (code: string) => `/api/scheduling/availability?specialty=${code}&from=${today}&to=${to}&limit=25`;
  const fhir = (code: string) => `/fhir/R4/Slot?specialty=${encodeURIComponent(`${NUCC}|${code}`)}&status=free&start=ge${today}&start=lt${to}&_sort=start&_count=25`;
  const matching = sqlite
    .prepare("SELECT COUNT(*) AS n FROM search_token t JOIN search_token s ON s.resource_type = 'Slot' AND s.resource_id = t.resource_id AND s.param = 'status' AND s.code = 'free' WHERE t.resource_type = 'Slot' AND t.param = 'specialty' AND t.code = ?")
    .get(family.code) as { n: number };
  console.log(`availability: ${family.display} (${matching.n.toLocaleString('en-US')} free slots in 60 days), first page of 25, ${SAMPLES} samples each, interleaved`);

  for (let i = 0; i < 50; i++) {
    await get(ours(family.code));
    await get(fhir(family.code));
  }
  const oursMs: number[] = [];
  const fhirMs: number[] = [];
  const rotatingMs: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const a = await get(ours(family.code));
    if ((a.body as AvailabilityResponse).slots.length !== 25) throw new Error('expected a full page');
    oursMs.push(a.ms);
    fhirMs.push((await get(fhir(family.code))).ms);
    rotatingMs.push((await get(ours(options.specialties[i % options.specialties.length]!.code))).ms);
  }

  // Booking: random patients on free slots of the whole clinic, soonest first.
  const patients = sqlite.prepare("SELECT id FROM resources WHERE resource_type = 'Patient' AND deleted = 0 LIMIT 5000").pluck().all() as string[];
  const free = sqlite
    .prepare("SELECT resource_id FROM search_token WHERE resource_type = 'Slot' AND param = 'status' AND code = 'free' ORDER BY resource_id")
    .pluck()
    .all() as string[];
  let next = 0;
  const slot = () => free[next++]!;
  const patient = () => patients[Math.floor(Math.random() * patients.length)]!;
  for (let i = 0; i < 20; i++) await send('POST', '/api/scheduling/appointments', { patientId: patient(), slotId: slot() });
  const holdBook: number[] = [];
  const bookOnly: number[] = [];
  const baselineWrite: number[] = [];
  for (let i = 0; i < BOOKINGS; i++) {
    const held = slot();
    const hold = await send('POST', '/api/scheduling/holds', { slotId: held });
    const book = await send('POST', '/api/scheduling/appointments', { patientId: patient(), slotId: held });
    if (hold.status !== 201 || book.status !== 201) throw new Error(`booking failed: ${hold.status} ${book.status} ${JSON.stringify(book.body).slice(0, 300)}`);
    holdBook.push(hold.ms + book.ms);
    const direct = await send('POST', '/api/scheduling/appointments', { patientId: patient(), slotId: slot() });
    if (direct.status !== 201) throw new Error(`booking failed: ${direct.status}`);
    bookOnly.push(direct.ms);
    // Baseline: one validated FHIR write with its audit row, of a Slot the bookings do not use.
    const id = free[free.length - 1 - i]!;
    const current = JSON.parse((sqlite.prepare("SELECT content FROM resources WHERE resource_type = 'Slot' AND id = ?").get(id) as { content: string }).content) as Record<string, unknown>;
    const put = await send('PUT', `/fhir/R4/Slot/${id}`, { ...current, comment: `benchmark ${i}` }, admin);
    if (put.status !== 200) throw new Error(`baseline write failed: ${put.status} ${JSON.stringify(put.body).slice(0, 300)}`);
    baselineWrite.push(put.ms);
  }
  // 20 bookings at once on distinct slots: throughput with the group commit.
  const burstStarted = performance.now();
  const burst = await Promise.all(Array.from({ length: 20 }, () => send('POST', '/api/scheduling/appointments', { patientId: patient(), slotId: slot() })));
  const burstMs = performance.now() - burstStarted;
  if (burst.some((b) => b.status !== 201)) throw new Error('a burst booking failed');

  console.log('\n| what | samples | p50 ms | p95 ms | p99 ms | max ms | note |\n| --- | ---: | ---: | ---: | ---: | ---: | --- |');
  console.log(row(`availability, ${family.display}, 60 days`, oursMs, 'GET /api/scheduling/availability'));
  console.log(row('baseline: FHIR Slot search, same slots', fhirMs, 'GET /fhir/R4/Slot?specialty&status&start&_sort=start'));
  console.log(row('availability, each specialty in turn, 60 days', rotatingMs, ''));
  console.log(row('hold + book', holdBook, 'two requests'));
  console.log(row('book (no hold)', bookOnly, 'Slot busy + Appointment + audit, one transaction'));
  console.log(row('baseline: one FHIR write (PUT Slot)', baselineWrite, 'validated, audited'));
  console.log(row('20 bookings at once (each)', burst.map((b) => b.ms), `all 20 in ${ms(burstMs)} ms`));
  await server.close();
  if (!args.keep && !args.database) fs.rmSync(dir, { recursive: true, force: true });
  else console.log(`database kept: ${file}`);
}

await main();
