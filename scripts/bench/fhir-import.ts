/**
 * FHIR import benchmark: how long reads wait while a large Synthea transaction is imported.
 *
 *   npm run bench:fhir-import -- [--rate 50] [--imports 3] [--idle-seconds 5] [--patients 200]
 *                                [--fixtures DIR] [--before DIR] [--profile-server DIR]
 *
 * The server runs in a child process on a fresh temp database (seeded with `--patients` synthetic
 * patients; the Synthea provider batches imported first). GETs of seeded patients (PHI reads, so
 * each one writes an audit row) are sent open-loop at `--rate` per second — on a fixed schedule,
 * not after the previous answer, so a stalled server shows in every request that waited — and
 * each latency is measured from its scheduled send time. Baseline: the same GETs with nothing
 * else running. Then the largest Synthea patient Bundle (1,421 entries) is imported `--imports`
 * times in a row while the GETs go on.
 *
 * `--before DIR` runs the same measurement first against another checkout of the repository (e.g.
 * the commit before a change, with `node_modules` linked in), for a before/after in one run.
 * Not part of npm test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '50' },
    imports: { type: 'string', default: '3' },
    'idle-seconds': { type: 'string', default: '5' },
    patients: { type: 'string', default: '200' },
    fixtures: { type: 'string', default: process.env.SYNTHEA_FIXTURES ?? 'server/src/fhir/fixtures/synthea' },
    before: { type: 'string' },
    /** Write a V8 CPU profile of each Carebridge server into this directory (when it stops). */
    'profile-server': { type: 'string' },
  },
});
const RATE = Number(args.rate);
const IMPORTS = Number(args.imports);
const IDLE_SECONDS = Number(args['idle-seconds']);
const PATIENTS = Number(args.patients);
const FIXTURES = args.fixtures;
const root = path.resolve(import.meta.dirname, '../..');

interface Latencies {
  times: number[];
  failed: number;
}

interface Report {
  label: string;
  idle: Latencies;
  importing: Latencies;
  importMs: number[];
  entries: number;
}

function startServer(cwd: string, env: Record<string, string>): Promise<{ child: ChildProcess; port: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(args['profile-server'] ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(args['profile-server'])}`] : []), '--import', 'tsx', 'server/src/main.ts'], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening on http:\/\/localhost:(\d+)/.exec(out);
      if (m) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve({ child, port: m[1]! });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${out.slice(-2000)}`)));
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** GETs on a fixed schedule until `until` resolves; latency from each request's scheduled time. */
async function openLoop(base: string, paths: string[], headers: Record<string, string>, until: Promise<unknown>): Promise<Latencies> {
  const result: Latencies = { times: [], failed: 0 };
  const inFlight: Array<Promise<void>> = [];
  let done = false;
  void until.finally(() => (done = true));
  const interval = 1000 / RATE;
  const start = performance.now();
  for (let k = 0; !done; k++) {
    const due = start + k * interval;
    await sleep(due - performance.now());
    const url = `${base}${paths[k % paths.length]}`;
    inFlight.push(
      fetch(url, { headers })
        .then(async (res) => {
          await res.arrayBuffer();
          if (res.status === 200) result.times.push(performance.now() - due);
          else result.failed++;
        })
        .catch(() => {
          result.failed++;
        }),
    );
  }
  await Promise.all(inFlight);
  result.times.sort((a, b) => a - b);
  return result;
}

async function measure(label: string, cwd: string, dir: string, bundle: string, providers: string[]): Promise<Report> {
  console.log(`[${label}] seeding ${PATIENTS} patients and starting the server in ${cwd}…`);
  const server = await startServer(cwd, {
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: `sqlite:${path.join(dir, `${label}.db`)}`,
    SEED_PATIENTS: String(PATIENTS),
    LOG_LEVEL: 'info',
    NODE_ENV: 'production',
    // Production requires the audit checkpoint key; a throwaway one for a throwaway database.
    AUDIT_KEY: randomBytes(32).toString('base64'),
    DEMO_MODE: '1',
  });
  try {
    const base = `http://127.0.0.1:${server.port}`;
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@demo.carebridge.local', password: 'carebridge-demo' }),
    });
    if (!login.ok) throw new Error(`login failed: ${login.status} ${await login.text()}`);
    const { accessToken } = (await login.json()) as { accessToken: string };
    const headers = { authorization: `Bearer ${accessToken}`, 'x-access-reason': 'performance benchmark', accept: 'application/fhir+json' };
    const post = async (body: string) => {
      const t = performance.now();
      const res = await fetch(`${base}/fhir/R4`, { method: 'POST', headers: { ...headers, 'content-type': 'application/fhir+json' }, body });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`import failed: ${res.status} ${text.slice(0, 500)}`);
      return performance.now() - t;
    };
    for (const p of providers) await post(p);

    const list = (await (await fetch(`${base}/fhir/R4/Patient?_count=200`, { headers })).json()) as { entry: Array<{ resource: { id: string } }> };
    const paths = list.entry.map((e) => `/fhir/R4/Patient/${e.resource.id}`);
    await openLoop(base, paths, headers, sleep(1000)); // warm-up: JIT, page cache, prepared statements
    await post(bundle); // warm-up of the import path (and its worker, where there is one)

    console.log(`[${label}] ${RATE} GET/s for ${IDLE_SECONDS} s with nothing else running…`);
    const idle = await openLoop(base, paths, headers, sleep(IDLE_SECONDS * 1000));
    console.log(`[${label}] ${RATE} GET/s during ${IMPORTS} imports of a ${JSON.parse(bundle).entry.length}-entry Synthea transaction…`);
    const importMs: number[] = [];
    const imports = (async () => {
      await sleep(200);
      for (let i = 0; i < IMPORTS; i++) importMs.push(await post(bundle));
      await sleep(200);
    })();
    const importing = await openLoop(base, paths, headers, imports);
    await imports;
    return { label, idle, importing, importMs, entries: (JSON.parse(bundle) as { entry: unknown[] }).entry.length };
  } finally {
    server.child.kill('SIGTERM');
    await new Promise((resolve) => server.child.once('exit', resolve));
  }
}

async function main(): Promise<void> {
  const files = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));
  const providers = files.filter((f) => /^(hospital|practitioner)Information/.test(f)).sort().map((f) => fs.readFileSync(path.join(FIXTURES, f), 'utf8'));
  const largest = files
    .filter((f) => !/Information/.test(f))
    .map((f) => fs.readFileSync(path.join(FIXTURES, f), 'utf8'))
    .sort((a, b) => b.length - a.length)[0];
  if (!largest || providers.length === 0) throw new Error(`No Synthea Bundles in ${FIXTURES}`);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-bench-import-'));
  const reports: Report[] = [];
  try {
    if (args.before) reports.push(await measure('before', path.resolve(args.before), dir, largest, providers));
    reports.push(await measure(args.before ? 'after' : 'this checkout', root, dir, largest, providers));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }

  const f = (n: number) => n.toFixed(1);
  const row = (label: string, phase: string, l: Latencies) =>
    `| ${label} | ${phase} | ${l.times.length} | ${f(percentile(l.times, 50))} | ${f(percentile(l.times, 95))} | ${f(percentile(l.times, 99))} | ${f(l.times.at(-1) ?? NaN)} |${l.failed ? ` ${l.failed} failed` : ''}`;
  console.log(`\n## GET Patient/{id} while importing a Synthea transaction (${RATE} GET/s open loop, ${os.cpus().length} cores)\n`);
  console.log('| server | phase | GETs | p50 ms | p95 ms | p99 ms | max ms |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of reports) {
    console.log(row(r.label, 'baseline: nothing else running', r.idle));
    console.log(row(r.label, `during ${r.importMs.length} imports of ${r.entries} entries`, r.importing));
  }
  console.log('');
  for (const r of reports) console.log(`${r.label}: each import took ${r.importMs.map((ms) => `${(ms / 1000).toFixed(2)} s`).join(', ')}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
