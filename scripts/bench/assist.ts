/**
 * Smart-assist benchmark: the suggestions for one patient message — knowledge search, similar
 * resolved conversations, a script, replies and actions from the language models, and the red-flag
 * triage check — as the server computes them after each message, with `--resolved` resolved
 * conversations in the similarity index. Baseline in the same run: the knowledge search alone with
 * the same words (the one part a desk already did before smart assist).
 *
 *   npm run bench:assist -- [--resolved 5000] [--samples 2000]
 *
 * Composes the application in this process on a fresh database in a temp folder (shipped knowledge
 * base and agent scripts), times `AssistService.suggest` one message at a time after a warm-up (no
 * HTTP, no socket: the server's own work per message). Not part of npm test.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { compose } from '../../server/src/composition.js';
import { loadConfig } from '../../server/src/platform/config.js';
import { openDatabase } from '../../server/src/platform/db/index.js';
import { createLogger } from '../../server/src/platform/logging.js';

const { values: args } = parseArgs({ options: { resolved: { type: 'string', default: '5000' }, samples: { type: 'string', default: '2000' } } });
const RESOLVED = Number(args.resolved);
const SAMPLES = Number(args.samples);
const root = path.resolve(import.meta.dirname, '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-assist-bench-'));
const loadAtStart = os.loadavg()[0]!;

const MESSAGES = [
  'I need to book an appointment for my flu shot',
  'can you send my lisinopril refill to the pharmacy on main street',
  'I have a question about my bill, I was charged twice',
  'my chest hurts and my left arm is numb',
  'my son has had a fever of 102 since yesterday and a rash',
  'when will my blood test results be ready',
  'I need to cancel my appointment tomorrow',
  'does my insurance cover physical therapy',
  'thank you so much for your help',
  'I have been feeling really down and hopeless lately',
  'necesito una cita para mi hijo',
  'what are the side effects of metformin',
  'I want to complain about the wait time last week',
  'how do I reset my portal password',
  'my ankle is swollen after I twisted it',
];
const NOTES = [
  'Refill of lisinopril sent to the pharmacy',
  'Booked a flu shot at the main clinic',
  'Explained the duplicate charge, refund requested from billing',
  'Test results released to the portal, patient informed',
  'Rescheduled the annual physical to next week',
  'Insurance coverage for physical therapy confirmed, prior authorization needed',
  'Password reset link sent, patient signed in',
  'Transferred to the nurse line for fever in a child',
  'Complaint about wait times passed to the practice manager',
  'Metformin side effects: nurse called back',
];

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const ms = (v: number) => v.toFixed(2);
function row(label: string, samples: number[]): string {
  const s = [...samples].sort((a, b) => a - b);
  return `| ${label} | ${s.length} | ${ms(percentile(s, 50))} | ${ms(percentile(s, 95))} | ${ms(percentile(s, 99))} | ${ms(s[s.length - 1]!)} |`;
}

async function main(): Promise<void> {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: `sqlite:${path.join(dir, 'bench.db')}`,
    JWT_SECRET: 'bench-secret-that-is-at-least-32-characters-long',
    AUDIT_KEY: 'b1'.repeat(32),
    AGENT_SCRIPTS_DIR: path.join(root, 'agent-scripts'),
  });
  const database = await openDatabase(config.databasePath);
  const context = compose({ config, logger: createLogger('silent'), database });
  await context.start();
  const assist = context.assist;
  const dispositions = context.conversations.settings.dispositions;
  // The similarity index as after months of wrap-ups.
  for (let i = 0; i < RESOLVED; i++) {
    const disposition = dispositions[i % dispositions.length]!;
    assist.resolvedConversation({ id: `resolved-${i}`, closedAt: new Date(Date.now() - i * 60_000).toISOString(), disposition: disposition.code, dispositionLabel: disposition.label, queue: 'general', text: `${NOTES[i % NOTES.length]} (${i % 97}). ${disposition.label}` });
  }
  const conversation = { id: 'bench', state: 'active', patientId: null, agentId: 'agent', queue: 'general', handoff: null };
  const viewer = { kind: 'staff' as const, userId: 'bench', role: 'agent' };

  for (let i = 0; i < 200; i++) await assist.suggest(conversation, MESSAGES[i % MESSAGES.length]!);
  const suggest: number[] = [];
  const search: number[] = [];
  let suggestions = 0;
  for (let i = 0; i < SAMPLES; i++) {
    const text = MESSAGES[i % MESSAGES.length]!;
    let t = performance.now();
    const out = await assist.suggest(conversation, text);
    suggest.push(performance.now() - t);
    suggestions += out.suggestions.length;
    t = performance.now();
    await context.knowledge.search(viewer, { q: text.slice(0, 190), limit: 3 });
    search.push(performance.now() - t);
  }

  console.log(`Smart assist: ${SAMPLES} patient messages (${MESSAGES.length} kinds) one at a time, ${RESOLVED.toLocaleString('en-US')} resolved conversations indexed, shipped knowledge base and scripts; ${(suggestions / SAMPLES).toFixed(1)} suggestions a message`);
  console.log('');
  console.log('| what | samples | p50 ms | p95 ms | p99 ms | max ms |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  console.log(row('suggestions for a message (all parts, red-flag check included)', suggest));
  console.log(row('baseline: knowledge search alone, same words', search));
  console.log('');
  console.log(`load average ${loadAtStart.toFixed(2)} at the start, ${os.loadavg()[0]!.toFixed(2)} at the end (${os.cpus().length} cores)`);
  await context.close();
  await database.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
