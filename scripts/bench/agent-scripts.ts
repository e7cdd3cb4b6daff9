/**
 * Agent scripts benchmark: the start-up import of `agent-scripts/`, checking a script's YAML as the
 * editor does while a supervisor types, and the runner's calls in a conversation — reading the run
 * (plan, path, fields), recording a step, and the close guard every wrap-up and close now asks —
 * next to a same-run baseline: the one-row staff view of a conversation that every conversation
 * command reads.
 *
 *   npm run bench:agent-scripts -- [--conversations 2000] [--samples 2000]
 *
 * Composes the application in this process on a fresh database in a temp folder, puts
 * `--conversations` scheduling chats with an agent, and times the service calls one at a time after
 * a warm-up (no HTTP: the figures are the server's own work). Not part of npm test.
 */
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
    conversations: { type: 'string', default: '2000' },
    samples: { type: 'string', default: '2000' },
  },
});
const CONVERSATIONS = Number(args.conversations);
const SAMPLES = Number(args.samples);
const root = path.resolve(import.meta.dirname, '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-scripts-bench-'));

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const ms = (v: number) => v.toFixed(3);
function row(label: string, samples: number[]): string {
  const s = [...samples].sort((a, b) => a - b);
  return `| ${label} | ${s.length} | ${ms(percentile(s, 50))} | ${ms(percentile(s, 95))} | ${ms(percentile(s, 99))} | ${ms(s[s.length - 1]!)} |`;
}
function time(work: () => unknown): number {
  const start = process.hrtime.bigint();
  work();
  return Number(process.hrtime.bigint() - start) / 1e6;
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
  const scripts = context.agentScripts;
  // The start hook imports the files; timed here alone, then again with nothing changed.
  const importStarted = process.hrtime.bigint();
  await context.start();
  const firstImport = Number(process.hrtime.bigint() - importStarted) / 1e6;
  const again = time(() => scripts.importFiles());
  const files = fs.readdirSync(path.join(root, 'agent-scripts')).filter((f) => f.endsWith('.yaml'));
  const sources = files.map((f) => fs.readFileSync(path.join(root, 'agent-scripts', f), 'utf8'));

  const core = context.conversations.core;
  const agent = { kind: 'staff' as const, userId: 'bench-agent', role: 'agent', displayName: 'Bench Agent' };
  const meta = { ip: null, requestId: 'bench' };
  const ids: string[] = [];
  for (let i = 0; i < CONVERSATIONS; i++) {
    const row = core.createConversation({ kind: 'visitor', userId: `visitor-${i}`, displayName: `Visitor ${i}` }, 'widget');
    core.handoff(row.id, { reason: 'patient-asked', intent: 'scheduling', language: 'en', collectedAnswers: {}, summary: 'bench' });
    core.assignAgent(row.id, agent.userId, agent.displayName);
    scripts.runFor(agent, row.id, meta);
    ids.push(row.id);
  }
  const pick = () => ids[Math.floor(Math.random() * ids.length)]!;
  console.log(`${files.length} scripts; ${CONVERSATIONS.toLocaleString('en-US')} conversations with a run; ${SAMPLES} samples each, one at a time`);

  for (let i = 0; i < 200; i++) {
    scripts.runFor(agent, pick(), meta);
    try {
      scripts.assertMayClose(pick());
    } catch {
      // Required steps left.
    }
    core.staffView(pick());
    scripts.validate(sources[i % sources.length]!);
  }
  const baseline: number[] = [];
  const read: number[] = [];
  const record: number[] = [];
  const guard: number[] = [];
  const validate: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    baseline.push(time(() => core.staffView(pick())));
    read.push(time(() => scripts.runFor(agent, pick(), meta)));
    const id = ids[i % ids.length]!;
    // Each conversation's steps in order: greet, then the identity explanation, …
    const next = scripts.runFor(agent, id, meta).run?.currentStepId;
    if (next && !next.includes('verified') && next !== 'request' && next !== 'urgent-check' && next !== 'visit-type') record.push(time(() => scripts.recordStep(agent, id, next, undefined, meta)));
    guard.push(
      time(() => {
        try {
          scripts.assertMayClose(pick());
        } catch {
          // Refused (required steps left): the usual answer here, and what is timed.
        }
      }),
    );
    validate.push(time(() => scripts.validate(sources[i % sources.length]!)));
  }
  console.log('');
  console.log(`| import of ${files.length} files at start (fresh database) | ${ms(firstImport)} ms |`);
  console.log(`| import again, nothing changed | ${ms(again)} ms |`);
  console.log('');
  console.log('| call (ms) | n | p50 | p95 | p99 | max |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  console.log(row('baseline: staff view of a conversation (one row)', baseline));
  console.log(row('read the run (GET script-run)', read));
  console.log(row('record a step (POST …/steps/:id)', record));
  console.log(row('close guard (every wrap-up and close)', guard));
  console.log(row('validate a script’s YAML (the editor, while typing)', validate));
  const rss = process.memoryUsage().rss / 2 ** 20;
  console.log(`\npeak RSS ${rss.toFixed(0)} MiB`);
  await context.close();
  await database.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

await main();
