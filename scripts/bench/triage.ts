/**
 * Triage evaluation and speed, through the real HTTP API on a fresh server in this process:
 *
 * - accuracy: every vignette of triage-vignettes.json (patients' words, with age, sex, pregnancy)
 *   sent to `POST /api/triage/assess`; scored on the three levels symptom-checker studies use
 *   (emergent, non-emergent, self-care; Semigran et al., BMJ 2015) and on the exact disposition,
 *   for all vignettes and for the held-out half separately; safety rate (advice at or above the
 *   right level), over- and under-triage, every emergency caught or not;
 * - latency: `--calls` assessments one at a time (the vignette texts in turn), p50/p95/p99, next
 *   to a same-run baseline, `GET /api/health`, and to the in-process `assess` alone.
 *
 * Each call carries its own X-Forwarded-For (the app trusts a loopback proxy), as many patients
 * would: the per-address rate limit is not what is measured here.
 *
 *   npm run bench:triage [-- --calls 3000 --vignettes scripts/bench/triage-vignettes.json]
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { createApp } from '../../server/src/app.js';
import { compose } from '../../server/src/composition.js';
import { triageLevelOf, urgencyOf, type TriageAssessment, type TriageDisposition, type TriageLevel } from '../../server/src/contracts/triage.js';
import { loadConfig } from '../../server/src/platform/config.js';
import { openDatabase } from '../../server/src/platform/db/index.js';
import { createLogger } from '../../server/src/platform/logging.js';

const { values: args } = parseArgs({
  options: {
    calls: { type: 'string', default: '3000' },
    vignettes: { type: 'string', default: path.join(import.meta.dirname, 'triage-vignettes.json') },
    verbose: { type: 'boolean', default: false },
  },
});
const CALLS = Number(args.calls);

interface Vignette {
  id: string;
  split: 'dev' | 'holdout';
  expected: TriageDisposition;
  text: string;
  age?: number;
  sex?: 'female' | 'male';
  pregnant?: boolean;
}
const vignettes = (JSON.parse(fs.readFileSync(args.vignettes, 'utf8')) as { vignettes: Vignette[] }).vignettes;

const LEVELS: TriageLevel[] = ['emergent', 'non_emergent', 'self_care'];
const levelRank = (l: TriageLevel) => 2 - LEVELS.indexOf(l);
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const ms = (v: number) => v.toFixed(3);
const pct = (n: number, d: number) => (d === 0 ? '–' : `${((100 * n) / d).toFixed(1)}% (${n}/${d})`);

const loadAtStart = os.loadavg();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-triage-bench-'));
const config = loadConfig({
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  DATABASE_URL: `sqlite:${path.join(dir, 'bench.db')}`,
  JWT_SECRET: 'bench-secret-that-is-at-least-32-characters-long',
  AUDIT_KEY: 'b2'.repeat(32),
  AGENT_SCRIPTS_DIR: path.join(dir, 'none'),
  KNOWLEDGE_DIR: 'none',
});
const database = await openDatabase(config.databasePath);
const context = compose({ config, logger: createLogger('silent'), database });
await context.start();
const server = http.createServer(createApp(context));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

let caller = 0;
const nextAddress = () => {
  caller++;
  return `10.${(caller >> 16) & 255}.${(caller >> 8) & 255}.${caller & 255}`;
};
async function assess(v: Omit<Vignette, 'id' | 'split' | 'expected'>): Promise<TriageAssessment> {
  const res = await fetch(`${base}/api/triage/assess`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': nextAddress() },
    body: JSON.stringify({ text: v.text, age: v.age, sex: v.sex, pregnant: v.pregnant }),
  });
  if (res.status !== 200) throw new Error(`assess answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as TriageAssessment;
}

// ─── Accuracy ────────────────────────────────────────────────────────────────

interface Scored {
  v: Vignette;
  got: TriageDisposition;
  reasons: string;
}
const scored: Scored[] = [];
for (const v of vignettes) {
  const r = await assess(v);
  scored.push({ v, got: r.disposition, reasons: r.reasons.map((x) => `${x.protocol}/${x.rule}`).join(' ') });
}

function report(label: string, rows: Scored[]): void {
  const expectedLevel = (s: Scored) => triageLevelOf(s.v.expected);
  const gotLevel = (s: Scored) => triageLevelOf(s.got);
  const right = rows.filter((s) => expectedLevel(s) === gotLevel(s)).length;
  const exact = rows.filter((s) => s.v.expected === s.got).length;
  const safe = rows.filter((s) => levelRank(gotLevel(s)) >= levelRank(expectedLevel(s))).length;
  const over = rows.filter((s) => levelRank(gotLevel(s)) > levelRank(expectedLevel(s))).length;
  const under = rows.filter((s) => levelRank(gotLevel(s)) < levelRank(expectedLevel(s))).length;
  const emergencies = rows.filter((s) => expectedLevel(s) === 'emergent');
  const caught = emergencies.filter((s) => gotLevel(s) === 'emergent').length;
  const exactUrgencySafe = rows.filter((s) => urgencyOf(s.got) >= urgencyOf(s.v.expected)).length;
  console.log(`\n### ${label}: ${rows.length} vignettes`);
  console.log('| measure | value |\n| --- | --- |');
  console.log(`| accuracy (3 levels) | ${pct(right, rows.length)} |`);
  for (const level of LEVELS) {
    const of = rows.filter((s) => expectedLevel(s) === level);
    console.log(`| accuracy, ${level.replace('_', '-')} | ${pct(of.filter((s) => gotLevel(s) === level).length, of.length)} |`);
  }
  console.log(`| exact disposition (5 levels) | ${pct(exact, rows.length)} |`);
  console.log(`| safety rate (level at or above the right one) | ${pct(safe, rows.length)} |`);
  console.log(`| safety rate on the 5 dispositions | ${pct(exactUrgencySafe, rows.length)} |`);
  console.log(`| over-triage / under-triage | ${over} / ${under} |`);
  console.log(`| emergencies caught | ${pct(caught, emergencies.length)} |`);
}

console.log(`# bench:triage — ${new Date().toISOString()}, Node ${process.version}, ${os.cpus().length} CPUs, load average at start ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}`);
report('All vignettes', scored);
report('Development vignettes (used while writing the protocols)', scored.filter((s) => s.v.split === 'dev'));
report('Held-out vignettes (written before the protocols)', scored.filter((s) => s.v.split === 'holdout'));
const misses = scored.filter((s) => triageLevelOf(s.got) !== triageLevelOf(s.v.expected) || (args.verbose && s.got !== s.v.expected));
if (misses.length > 0) {
  console.log('\nMisses (3 levels):');
  for (const s of misses) console.log(`- ${s.v.id} [${s.v.split}] expected ${s.v.expected}, got ${s.got} (${s.reasons}): "${s.v.text}"`);
}

// ─── Latency ─────────────────────────────────────────────────────────────────

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}
for (let i = 0; i < 300; i++) await assess(vignettes[i % vignettes.length]!);
const health: number[] = [];
const http_: number[] = [];
const inProcess: number[] = [];
for (let i = 0; i < CALLS; i++) {
  const v = vignettes[i % vignettes.length]!;
  http_.push(await timed(() => assess(v)));
  health.push(await timed(async () => (await fetch(`${base}/api/health`, { headers: { 'x-forwarded-for': nextAddress() } })).text()));
  inProcess.push(await timed(async () => context.triage.assess({ text: v.text, ...(v.age === undefined ? {} : { age: v.age }) })));
}
const row = (label: string, samples: number[]) => {
  const s = [...samples].sort((a, b) => a - b);
  return `| ${label} | ${s.length} | ${ms(percentile(s, 50))} | ${ms(percentile(s, 95))} | ${ms(percentile(s, 99))} | ${ms(s[s.length - 1]!)} |`;
};
console.log(`\n### Latency, one call at a time (ms)\n| call | n | p50 | p95 | p99 | max |\n| --- | --- | --- | --- | --- | --- |`);
console.log(row('POST /api/triage/assess', http_));
console.log(row('baseline: GET /api/health', health));
console.log(row('in-process assess (no HTTP)', inProcess));
console.log(`\nload average at end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);

server.closeAllConnections();
await new Promise<void>((resolve) => server.close(() => resolve()));
await context.close();
database.sqlite.close();
fs.rmSync(dir, { recursive: true, force: true });
