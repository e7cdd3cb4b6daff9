/**
 * FHIR API benchmark: read, search and Patient/$everything under 50 concurrent connections on
 * loopback (autocannon), each next to a same-run baseline of a bare express route returning JSON of
 * the same size. Then $everything latency one request at a time (the "typical patient" figure).
 *
 *   npm run bench:fhir -- [--patients 2000] [--seconds 10] [--connections 50] [--profile-server DIR]
 *
 * The server runs in a child process on a fresh temp database (seeded on first start, as a user's
 * would be); the load generator runs here. Not part of npm test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const { values: args } = parseArgs({
  options: {
    patients: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    /** Write a V8 CPU profile of the Carebridge server into this directory (when it stops). */
    'profile-server': { type: 'string' },
  },
});
const PATIENTS = Number(args.patients);
const SECONDS = Number(args.seconds);
const CONNECTIONS = Number(args.connections);
const root = path.resolve(import.meta.dirname, '../..');

function startProcess(argv: string[], env: Record<string, string>, ready: RegExp): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...argv], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = out.match(ready);
      if (m) {
        child.stdout!.off('data', onData);
        resolve({ child, match: m });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => reject(new Error(`${argv.join(' ')} exited with ${code}:\n${out.slice(-2000)}`)));
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Run {
  name: string;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  non2xx: number;
  bytes: number;
}

async function load(name: string, base: string, paths: string[], headers: Record<string, string>, seconds = SECONDS): Promise<Run> {
  let i = 0;
  const times: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: base,
        connections: CONNECTIONS,
        duration: seconds,
        headers,
        requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length]! }) }],
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => times.push(responseTime));
  });
  times.sort((a, b) => a - b);
  return {
    name,
    rps: result.requests.average,
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    p99: percentile(times, 99),
    non2xx: result.non2xx,
    bytes: Math.round(result.throughput.average / Math.max(1, result.requests.average)),
  };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-bench-fhir-'));
  const children: ChildProcess[] = [];
  try {
    console.log(`Seeding ${PATIENTS} patients and starting the server…`);
    const t0 = Date.now();
    const server = await startProcess([...(args['profile-server'] ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(args['profile-server'])}`] : []), 'server/src/main.ts'], {
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${path.join(dir, 'bench.db')}`,
      SEED_PATIENTS: String(PATIENTS),
      LOG_LEVEL: 'info',
      NODE_ENV: 'production',
      DEMO_MODE: '1',
      // Production refuses to start without an audit key kept outside the database.
      AUDIT_KEY: randomBytes(32).toString('base64'),
    }, /listening on http:\/\/localhost:(\d+)/);
    children.push(server.child);
    const base = `http://127.0.0.1:${server.match[1]}`;
    console.log(`Server ready in ${((Date.now() - t0) / 1000).toFixed(1)} s at ${base}`);

    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@demo.carebridge.local', password: 'carebridge-demo' }),
    });
    if (!login.ok) throw new Error(`login failed: ${login.status} ${await login.text()}`);
    const { accessToken } = (await login.json()) as { accessToken: string };
    const headers = { authorization: `Bearer ${accessToken}`, 'x-access-reason': 'performance benchmark', accept: 'application/fhir+json' };

    // Sample patients and the shapes of typical responses.
    const list = (await (await fetch(`${base}/fhir/R4/Patient?_count=200`, { headers })).json()) as { entry: Array<{ resource: { id: string; name?: Array<{ family?: string }> } }> };
    const patients = list.entry.map((e) => e.resource);
    const ids = patients.map((p) => p.id);
    const families = [...new Set(patients.map((p) => p.name?.[0]?.family).filter(Boolean))] as string[];
    const readPaths = ids.map((id) => `/fhir/R4/Patient/${id}`);
    const searchPaths = ids.map((id) => `/fhir/R4/Observation?patient=${id}&code=http://loinc.org|85354-9&_count=20`);
    const namePaths = families.map((f) => `/fhir/R4/Patient?family=${encodeURIComponent(f)}&_count=20`);
    const everythingPaths = ids.map((id) => `/fhir/R4/Patient/${id}/$everything`);

    const sample = async (p: string) => (await (await fetch(`${base}${p}`, { headers })).json()) as unknown;
    const bodies = {
      read: await sample(readPaths[0]!),
      search: await sample(searchPaths[0]!),
      name: await sample(namePaths[0]!),
      everything: await sample(everythingPaths[0]!),
    };
    const everythingSizes = await Promise.all(everythingPaths.slice(0, 50).map(async (p) => ((await sample(p)) as { entry?: unknown[] }).entry?.length ?? 0));
    everythingSizes.sort((a, b) => a - b);
    const bodiesFile = path.join(dir, 'bodies.json');
    fs.writeFileSync(bodiesFile, JSON.stringify(bodies));
    const baseline = await startProcess(['scripts/bench/baseline-server.ts', bodiesFile], {}, /listening (\d+)/);
    children.push(baseline.child);
    const baseUrl = `http://127.0.0.1:${baseline.match[1]}`;

    const runs: Array<[Run, Run]> = [];
    for (const [label, paths, key] of [
      ['read Patient/{id}', readPaths, 'read'],
      ['search Observation?patient&code', searchPaths, 'search'],
      ['search Patient?family', namePaths, 'name'],
      ['Patient/{id}/$everything', everythingPaths, 'everything'],
    ] as const) {
      await load(label, base, [...paths], headers, 3); // warm-up: JIT, page cache, prepared statements
      const fhir = await load(label, base, [...paths], headers);
      await load('baseline', baseUrl, [`/baseline/${key}`], {}, 3);
      const bare = await load(`baseline (same body size)`, baseUrl, [`/baseline/${key}`], {});
      runs.push([fhir, bare]);
      console.log(`${label}: ${fhir.rps.toFixed(0)} req/s vs baseline ${bare.rps.toFixed(0)} req/s`);
    }

    // One request at a time: the latency a single agent opening a patient sees.
    const serial: number[] = [];
    for (let n = 0; n < 400; n++) {
      const t = performance.now();
      const res = await fetch(`${base}${everythingPaths[n % everythingPaths.length]}`, { headers });
      await res.arrayBuffer();
      serial.push(performance.now() - t);
    }
    serial.sort((a, b) => a - b);

    const f = (n: number) => n.toFixed(1);
    console.log(`\n## FHIR API (${PATIENTS} patients, ${CONNECTIONS} connections, ${SECONDS} s per run, ${os.cpus().length} cores)\n`);
    console.log('| workload | req/s | p50 ms | p95 ms | p99 ms | bytes/resp | baseline req/s | baseline p95 ms | ratio |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const [a, b] of runs) {
      console.log(`| ${a.name} | ${a.rps.toFixed(0)} | ${f(a.p50)} | ${f(a.p95)} | ${f(a.p99)} | ${a.bytes} | ${b.rps.toFixed(0)} | ${f(b.p95)} | ${(a.rps / b.rps).toFixed(2)} |${a.non2xx ? ` (${a.non2xx} non-2xx!)` : ''}`);
    }
    console.log(`\n$everything one at a time (400 requests, ${everythingSizes[Math.floor(everythingSizes.length / 2)]} resources median, ${everythingSizes.at(-1)} max): p50 ${f(percentile(serial, 50))} ms, p95 ${f(percentile(serial, 95))} ms, p99 ${f(percentile(serial, 99))} ms`);
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
