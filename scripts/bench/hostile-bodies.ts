/**
 * Hostile request bodies: `/api/health` latency while N clients keep sending 4.4 MB FHIR resources.
 *
 *   npm run bench:hostile -- [--clients 4] [--seconds 10] [--mb 4.4] [--patients 20]
 *
 * Three runs of `--seconds` each on one server (a child process on a fresh temp database, demo
 * data): the baseline (health probe alone), N clients posting the body as a patient (refused: the
 * goal is health p99 ≤ 50 ms), and N clients posting it as an admin (accepted and validated: for
 * information). The probe sends one GET /api/health at a time, back to back. The hostile bodies are
 * built once as Buffers, so the load generator costs little CPU. Loopback only; not part of npm test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '10' },
    mb: { type: 'string', default: '4.4' },
    patients: { type: 'string', default: '20' },
  },
});
const CLIENTS = Number(args.clients);
const SECONDS = Number(args.seconds);
const BODY_BYTES = Math.round(Number(args.mb) * 1024 * 1024);
const root = path.resolve(import.meta.dirname, '../..');
const HEALTH_GOAL_P99_MS = 50;

function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening on http:\/\/localhost:(\d+)/.exec(out);
      if (m) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve({ child, port: Number(m[1]) });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${out.slice(-2000)}`)));
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

interface Reply {
  status: number;
  ms: number;
}

/**
 * One request; resolves once the answer is read and the request is over. The server closes the
 * connection after refusing a large body unread (the rest of the upload then fails: that is fine).
 * No answer at all is status 0 (e.g. a keep-alive socket the server closed as its event loop came back).
 */
function request(port: number, method: string, pathName: string, headers: Record<string, string>, body?: Buffer): Promise<Reply> {
  const t = performance.now();
  return new Promise((resolve) => {
    let status = 0;
    const req = http.request({ host: '127.0.0.1', port, method, path: pathName, agent, headers: body ? { ...headers, 'content-length': String(body.length) } : headers }, (res) => {
      status = res.statusCode ?? 0;
      res.resume();
    });
    req.on('error', () => undefined);
    req.on('close', () => resolve({ status, ms: performance.now() - t }));
    req.end(body);
  });
}

async function login(port: number, email: string): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'carebridge-demo' }),
  });
  if (!res.ok) throw new Error(`login ${email} failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

/** A valid Patient of about `bytes` bytes: tens of thousands of extensions, each validated. */
function hostileBody(bytes: number): Buffer {
  const one = JSON.stringify({ url: 'http://example.org/fhir/StructureDefinition/note', valueString: 'x'.repeat(40) });
  const count = Math.ceil(bytes / (one.length + 1));
  return Buffer.from(`{"resourceType":"Patient","name":[{"family":"Hostile"}],"extension":[${Array.from({ length: count }, () => one).join(',')}]}`);
}

const percentile = (sorted: number[], p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);

interface RunResult {
  name: string;
  clients: number;
  health: number[];
  /** Probes whose connection dropped (counted in the latencies with the time until then). */
  healthErrors: number;
  hostile: Reply[];
}

async function run(name: string, port: number, clients: number, hostile?: { headers: Record<string, string>; body: Buffer }): Promise<RunResult> {
  const until = performance.now() + SECONDS * 1000;
  const replies: Reply[] = [];
  const attackers = Array.from({ length: hostile ? clients : 0 }, async () => {
    while (performance.now() < until) replies.push(await request(port, 'POST', '/fhir/R4/Patient', hostile!.headers, hostile!.body));
  });
  const health: number[] = [];
  let healthErrors = 0;
  while (performance.now() < until) {
    const reply = await request(port, 'GET', '/api/health', {});
    if (reply.status === 0) healthErrors++;
    else if (reply.status !== 200) throw new Error(`/api/health answered ${reply.status}`);
    health.push(reply.ms);
  }
  await Promise.all(attackers);
  health.sort((a, b) => a - b);
  return { name, clients: hostile ? clients : 0, health, healthErrors, hostile: replies };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-bench-hostile-'));
  let server: ChildProcess | undefined;
  try {
    console.log(`Starting the server (${args.patients} demo patients)…`);
    const started = await startServer({
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${path.join(dir, 'bench.db')}`,
      SEED_PATIENTS: String(args.patients),
      LOG_LEVEL: 'info', // the "listening" line is logged at info
      NODE_ENV: 'production',
      // Production requires the audit checkpoint key; a throwaway one for a throwaway database.
      AUDIT_KEY: randomBytes(32).toString('base64'),
      DEMO_MODE: '1',
    });
    server = started.child;
    const { port } = started;
    const body = hostileBody(BODY_BYTES);
    const json = { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' };
    const patient = { ...json, authorization: `Bearer ${await login(port, 'patient1@demo.carebridge.local')}` };
    const admin = {
      ...json,
      authorization: `Bearer ${await login(port, 'admin@demo.carebridge.local')}`,
      'x-access-reason': 'hostile body benchmark',
      prefer: 'return=minimal',
    };
    // Warm-up: JIT, prepared statements, the R4 definitions the validator loads on first use.
    for (let i = 0; i < 50; i++) await request(port, 'GET', '/api/health', {});
    await request(port, 'POST', '/fhir/R4/Patient', admin, Buffer.from('{"resourceType":"Patient","name":[{"family":"Warm"}]}'));

    const runs: RunResult[] = [];
    for (const [name, hostile] of [
      ['baseline: /api/health alone', undefined],
      [`${CLIENTS} clients × ${args.mb} MB POST /fhir/R4/Patient as a patient`, { headers: patient, body }],
      [`${CLIENTS} clients × ${args.mb} MB POST /fhir/R4/Patient as an admin (for information)`, { headers: admin, body }],
    ] as const) {
      console.log(`${name}: ${SECONDS} s…`);
      runs.push(await run(name, port, CLIENTS, hostile));
    }

    const f = (n: number) => (Number.isNaN(n) ? '–' : n.toFixed(1));
    console.log(`\n## Hostile bodies (${os.cpus().length} cores, ${SECONDS} s per run, body ${body.length} bytes)\n`);
    console.log('| run | hostile requests | their statuses (0 = reset seen before the answer) | hostile p50 ms | health requests | dropped | health p50 ms | p95 ms | p99 ms | max ms |');
    console.log('| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const r of runs) {
      const statuses = new Map<number, number>();
      for (const h of r.hostile) statuses.set(h.status, (statuses.get(h.status) ?? 0) + 1);
      const hostileMs = r.hostile.map((h) => h.ms).sort((a, b) => a - b);
      const statusText = [...statuses].map(([s, n]) => `${n}× ${s}`).join(', ') || '–';
      console.log(
        `| ${r.name} | ${r.hostile.length} | ${statusText} | ${f(percentile(hostileMs, 50))} | ${r.health.length} | ${r.healthErrors} | ${f(percentile(r.health, 50))} | ${f(percentile(r.health, 95))} | ${f(percentile(r.health, 99))} | ${f(r.health.at(-1) ?? NaN)} |`,
      );
    }
    const patientRun = runs[1]!;
    const p99 = percentile(patientRun.health, 99);
    // 0: the server closed the connection after its 403 and the client saw the reset first.
    const refused = patientRun.hostile.every((h) => h.status === 403 || h.status === 0) && patientRun.healthErrors === 0;
    console.log(`\nGoal: /api/health p99 ≤ ${HEALTH_GOAL_P99_MS} ms while patients send ${args.mb} MB bodies: ${f(p99)} ms — ${p99 <= HEALTH_GOAL_P99_MS && refused ? 'met' : 'NOT met'}${refused ? '' : ' (some patient bodies were not refused, or health probes dropped!)'}`);
    process.exitCode = p99 <= HEALTH_GOAL_P99_MS && refused ? 0 : 1;
  } finally {
    server?.kill('SIGTERM');
    agent.destroy();
    await new Promise((r) => setTimeout(r, 500));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
