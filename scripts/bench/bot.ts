/**
 * Health-bot benchmark: bot reply latency with many concurrent bot conversations, through the real
 * server (a child process running server/src/main.ts) and the Direct Line–shaped channel API.
 *
 *   npm run bench:bot -- [--conversations 500] [--turns 10] [--cdc 100] [--think-ms 3000]
 *
 * `--conversations` visitors each start a conversation (the greeting and menu) and then send
 * `--turns` messages, all at once: menu choices, "help" (an interrupting scenario), words it does not
 * understand. `--cdc` of them start the CDC COVID-19 self-checker instead (imported from
 * ../shared/fixtures by the demo bot author) and answer its questions. A reply's latency is the time
 * from sending the activity to the bot's answer being stored (the POST answers after the bot's turn:
 * recognition, the engine with its sandboxed scripts, the checkpoint), i.e. what a channel waits.
 * Between a reply and its next message each visitor "reads and types" for `--think-ms` (±50 %,
 * random; 0 makes it a closed-loop saturation test), and the conversations start spread over that
 * time, so all of them are in progress at once.
 *
 * The replies asked for after the last conversation started are also reported on their own: the
 * steady state, with every conversation in progress and none still starting (the first think time is
 * a flash crowd of `--conversations` starts, each a greeting turn).
 *
 * Baseline, same run, same server, same clients and concurrency: reading the conversation's
 * activities (`GET …/activities`, the same path, token check and message read without a bot turn).
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
    conversations: { type: 'string', default: '500' },
    turns: { type: 'string', default: '10' },
    cdc: { type: 'string', default: '100' },
    'think-ms': { type: 'string', default: '3000' },
  },
});
const CONVERSATIONS = Number(args.conversations);
const TURNS = Number(args.turns);
const CDC = Math.min(Number(args.cdc), CONVERSATIONS);
const THINK_MS = Number(args['think-ms']);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const think = () => sleep(THINK_MS * (0.5 + Math.random()));
const root = path.resolve(import.meta.dirname, '../..');
const fixtures = path.resolve(root, '../shared/fixtures/azure-health-bot/cdc-covid19');

function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening on http:\/\/localhost:(\d+)/.exec(out);
      if (m) {
        child.stdout!.off('data', onData);
        resolve({ child, port: Number(m[1]) });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${out.slice(-2000)}`)));
  });
}

/** The server process's CPU time so far (user + system), in ms; undefined where /proc is not there. */
function cpuMs(pid: number | undefined): number | undefined {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

const percentile = (sorted: number[], p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);
function row(label: string, samples: number[]): string {
  const s = [...samples].sort((a, b) => a - b);
  const f = (v: number) => v.toFixed(1);
  return `| ${label} | ${s.length} | ${f(percentile(s, 50))} | ${f(percentile(s, 95))} | ${f(percentile(s, 99))} | ${f(s[s.length - 1] ?? NaN)} |`;
}

async function json<T>(res: Response): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

const MENU_TURNS = ['1', '2', 'help', '3', 'what can you do', 'Appointments', 'Billing', 'blue', 'Prescriptions', '1', '2', '3'];
const CDC_TURNS = ['I agree', 'yes', 'Maine', 'skip', 'Myself', 'yes', '30-39', 'Female', 'Female', 'No', 'White', 'No', 'No', '4', '1', 'No', 'No', 'None of the above'];

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-bench-bot-'));
  let server: ChildProcess | undefined;
  try {
    const started = await startServer({
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${path.join(dir, 'bench.db')}`,
      NODE_ENV: 'production',
      DEMO_MODE: '1',
      SEED_PATIENTS: '0',
      LOG_LEVEL: 'info',
      AUDIT_KEY: randomBytes(32).toString('base64'),
      BOT_STARTS_PER_MINUTE: '1000000',
    });
    server = started.child;
    const base = `http://127.0.0.1:${started.port}`;

    if (CDC > 0) {
      const login = await json<{ accessToken: string }>(
        await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'author@demo.carebridge.local', password: 'carebridge-demo' }) }),
      );
      const strings = JSON.parse(fs.readFileSync(path.join(fixtures, 'strings_en.json'), 'utf8')) as Record<string, string>;
      for (const [file, extra] of [['covid_19_core_vaccinated_protocol.json', {}], ['covid_19_cdc_wrapper.json', { strings: { 'en-US': strings } }]] as const) {
        const body = { ...(JSON.parse(fs.readFileSync(path.join(fixtures, file), 'utf8')) as object), ...extra };
        await json(await fetch(`${base}/api/bot/scenarios/import`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${login.accessToken}` }, body: JSON.stringify(body) }));
      }
    }

    const startTimes: number[] = [];
    const replyTimes: number[] = [];
    const cdcReplyTimes: number[] = [];
    // When each reply was asked for, and when the last conversation had started: the replies after it
    // are the steady state the target speaks of (all conversations in progress, none still starting).
    const replies: { sentAt: number; ms: number }[] = [];
    let lastStartedAt = 0;
    const readTimes: number[] = [];
    let failures = 0;
    let inProgress = 0;
    let mostInProgress = 0;
    const wall = performance.now();
    const cpuBefore = cpuMs(server.pid);
    await Promise.all(
      Array.from({ length: CONVERSATIONS }, async (_, i) => {
        // Conversations start spread over one think time, then all run side by side.
        await sleep(Math.random() * THINK_MS);
        const cdc = i < CDC;
        let t = performance.now();
        const body = cdc ? { trigger: 'covid19', displayName: `Visitor ${i}` } : { displayName: `Visitor ${i}` };
        const client = await json<{ conversationId: string; token: string }>(await fetch(`${base}/api/bot/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
        startTimes.push(performance.now() - t);
        lastStartedAt = Math.max(lastStartedAt, performance.now());
        inProgress += 1;
        mostInProgress = Math.max(mostInProgress, inProgress);
        let watermark = '0';
        const headers = { 'content-type': 'application/json', authorization: `Bearer ${client.token}` };
        const url = `${base}/api/bot/conversations/${client.conversationId}/activities`;
        const script = cdc ? CDC_TURNS : MENU_TURNS;
        for (let turn = 0; turn < Math.min(TURNS, script.length); turn++) {
          await think();
          // Reading first (the baseline: the same path, no bot turn), then the message.
          t = performance.now();
          const read = await json<{ watermark: string }>(await fetch(`${url}?watermark=${watermark}`, { headers }));
          readTimes.push(performance.now() - t);
          watermark = read.watermark;
          t = performance.now();
          const sent = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ type: 'message', text: cdc ? script[turn] : script[(turn + i) % script.length] }) });
          const elapsed = performance.now() - t;
          if (!sent.ok) failures++;
          await sent.text();
          (cdc ? cdcReplyTimes : replyTimes).push(elapsed);
          replies.push({ sentAt: t, ms: elapsed });
        }
        inProgress -= 1;
      }),
    );
    const seconds = (performance.now() - wall) / 1000;
    const cpuAfter = cpuMs(server.pid);
    const total = replyTimes.length + cdcReplyTimes.length;

    console.log(`${CONVERSATIONS} concurrent bot conversations (${CONVERSATIONS - CDC} greeting and menu, ${CDC} CDC self-checker), ${TURNS} turns each, think time ${THINK_MS} ms ±50 %, Direct Line API, server in a child process`);
    console.log(`${total} bot replies in ${seconds.toFixed(1)} s (${(total / seconds).toFixed(0)} replies/s), ${failures} failed; at most ${mostInProgress} conversations in progress at once`);
    if (cpuBefore !== undefined && cpuAfter !== undefined) {
      const cpu = cpuAfter - cpuBefore;
      console.log(`server CPU: ${(cpu / 1000).toFixed(1)} s over ${seconds.toFixed(1)} s (${((100 * cpu) / 1000 / seconds).toFixed(0)} % of one core), ${(cpu / total).toFixed(2)} ms per bot reply with its read and its share of the starts`);
    }
    console.log('');
    console.log('| what | samples | p50 ms | p95 ms | p99 ms | max ms |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
    console.log(row('bot reply (menu)', replyTimes));
    if (cdcReplyTimes.length) console.log(row('bot reply (CDC scenario)', cdcReplyTimes));
    console.log(row('bot reply (all)', [...replyTimes, ...cdcReplyTimes]));
    console.log(row(`bot reply (all), once all ${CONVERSATIONS} had started`, replies.filter((r) => r.sentAt > lastStartedAt).map((r) => r.ms)));
    console.log(row('baseline: read activities (same path, no bot turn)', readTimes));
    console.log(row('start a conversation (greeting)', startTimes));
    console.log('');
    console.log(`load average (1, 5, 15 min): ${os.loadavg().map((l) => l.toFixed(2)).join(', ')} on ${os.cpus().length} CPUs`);
  } finally {
    server?.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
