/**
 * Patient 360 benchmark: server time of the whole 360 (every panel, through the FHIR service with its
 * access checks and audit rows) on a large database, next to a same-run baseline of one audited FHIR
 * read of the Patient (the least any view of a patient costs).
 *
 *   npm run bench:patient-360 -- [--patients 100000] [--samples 1000] [--database FILE] [--keep]
 *
 * Seeds `--patients` full-profile patients with `scripts/seed.ts` into a fresh database (or uses
 * `--database FILE` as it is, seeding only when it is empty), then composes the application in this
 * process and times `PatientSummary.build` for random patients, one at a time, after a warm-up.
 * Not part of npm test.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { compose } from '../../server/src/composition.js';
import { loadConfig } from '../../server/src/platform/config.js';
import { openDatabase } from '../../server/src/platform/db/index.js';
import { createLogger } from '../../server/src/platform/logging.js';

const { values: args } = parseArgs({
  options: {
    patients: { type: 'string', default: '100000' },
    samples: { type: 'string', default: '1000' },
    database: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const PATIENTS = Number(args.patients);
const SAMPLES = Number(args.samples);
const root = path.resolve(import.meta.dirname, '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-360-'));
const file = args.database ?? path.join(dir, 'bench.db');

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
function stats(label: string, samples: number[]): string {
  const s = [...samples].sort((a, b) => a - b);
  return `| ${label} | ${s.length} | ${ms(percentile(s, 50))} | ${ms(percentile(s, 95))} | ${ms(percentile(s, 99))} | ${ms(s[s.length - 1]!)} |`;
}

async function main(): Promise<void> {
  seedIfEmpty();
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: `sqlite:${file}`,
    JWT_SECRET: 'bench-secret-that-is-at-least-32-characters-long',
    AUDIT_KEY: 'b1'.repeat(32),
  });
  const database = await openDatabase(config.databasePath);
  const context = compose({ config, logger: createLogger('silent'), database });
  await context.start();
  const ids = (database.sqlite.prepare("SELECT id FROM resources WHERE resource_type = 'Patient' AND deleted = 0").pluck().all() as string[]);
  console.log(`${ids.length.toLocaleString('en-US')} patients; ${SAMPLES} samples each, random patients, one at a time`);
  const principal = { kind: 'staff' as const, userId: 'bench-agent', email: 'bench@example.test', role: 'agent' as const, practitionerId: null };
  const actor = { principal, reason: 'benchmark of patient 360', requestId: 'bench', ip: null };
  const access = { conversationId: null, reason: actor.reason };
  const pick = () => ids[Math.floor(Math.random() * ids.length)]!;
  const { summary } = context.patients;

  // Warm-up: statement caches, the page cache for the indexes.
  for (let i = 0; i < 100; i++) {
    await summary.build(actor, pick(), access);
    await context.fhir.service.read(actor, 'Patient', pick());
  }
  const full: number[] = [];
  const baseline: number[] = [];
  const panels: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    // Interleaved, so both see the same machine.
    let t = performance.now();
    await context.fhir.service.read(actor, 'Patient', pick());
    baseline.push(performance.now() - t);
    t = performance.now();
    const r = await summary.build(actor, pick(), access);
    full.push(performance.now() - t);
    panels.push(r.allergies.length + r.conditions.length + r.medications.length + r.immunizations.length + r.labs.length + r.vitals.length + r.encounters.length + r.carePlans.length + r.coverages.length);
  }
  console.log('\n| what | samples | p50 ms | p95 ms | p99 ms | max ms |\n| --- | ---: | ---: | ---: | ---: | ---: |');
  console.log(stats('patient 360, all panels', full));
  console.log(stats('baseline: one audited FHIR Patient read', baseline));
  console.log(`\nitems per 360: mean ${(panels.reduce((a, b) => a + b, 0) / panels.length).toFixed(1)}`);
  await context.close();
  await database.close();
  if (!args.keep && !args.database) fs.rmSync(dir, { recursive: true, force: true });
  else console.log(`database kept: ${file}`);
}

await main();
