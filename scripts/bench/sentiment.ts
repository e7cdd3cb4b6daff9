/**
 * Sentiment benchmark: the local model (server/src/sentiment) next to the unmodified `sentiment`
 * (AFINN) and `vader-sentiment` packages, measured in the same run:
 *
 * - throughput on chat-length messages (the patient messages below, cycled), one core, messages/s;
 * - accuracy on the labelled sentence sets inside the `sentiment` package (`test/fixtures`: Amazon,
 *   IMDB, Yelp; 1,000 sentences each, class 0/1), with that package's own rule: a score below zero is
 *   negative, anything else positive — the same rule for all three models;
 * - macro-F1 (positive / neutral / negative) on scripts/bench/sentiment-patient-messages.json: the
 *   held-out `test` half is the figure to report; the `dev` half (what the lexicon was tuned on) is
 *   printed beside it. The packages' own three-way rules: AFINN score > 0 / < 0 / = 0, VADER compound
 *   ≥ 0.05 / ≤ −0.05.
 *
 *   npm run bench:sentiment -- [--seconds 2]
 *
 * - the listener's cost beside message delivery: the module's `conversation.message` listener over a
 *   real migrated SQLite file and group commit (score, conversation value, alert check, the queued
 *   write, the published events), per patient message, p50/p99, and the group commits it causes.
 *
 * The fixtures ship in the installed package; if they are missing (an install that drops tests/),
 * the bench packs sentiment@5.0.2 into a temp folder and reads them from the tarball. Not part of npm test.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import Sentiment from 'sentiment';
import type { MessageView } from '../../server/src/contracts/conversations.js';
import { createGroupCommit, openDatabase } from '../../server/src/platform/db/index.js';
import { createEventBus } from '../../server/src/platform/events.js';
import { OpenApiRegistry } from '../../server/src/platform/http/openapi.js';
import { createLogger } from '../../server/src/platform/logging.js';
import { createLocalModel, createSentimentModule } from '../../server/src/sentiment/index.js';

const require = createRequire(import.meta.url);
// The package has no types; its default export is the analyzer class (`SentimentIntensityAnalyzer`).
const vader = require('vader-sentiment') as { SentimentIntensityAnalyzer: { polarity_scores(text: string): { compound: number } } };

const { values: args } = parseArgs({ options: { seconds: { type: 'string', default: '2' } } });
const SECONDS = Number(args.seconds);
const loadAtStart = os.loadavg();

type Label = 'positive' | 'neutral' | 'negative';
interface Model {
  name: string;
  /** The sign rule of the fixtures: < 0 negative, else positive. */
  polarity(text: string): number;
  label(text: string): Label;
}

const afinn = new Sentiment();
const local = createLocalModel();
const models: Model[] = [
  {
    name: 'Carebridge local model',
    polarity: (t) => local.score(t).score,
    label: (t) => local.score(t).label,
  },
  {
    name: 'sentiment 5.0.2 (AFINN), unmodified',
    polarity: (t) => afinn.analyze(t).comparative,
    label: (t) => {
      const s = afinn.analyze(t).score;
      return s > 0 ? 'positive' : s < 0 ? 'negative' : 'neutral';
    },
  },
  {
    name: 'vader-sentiment 1.1.3, unmodified',
    polarity: (t) => vader.SentimentIntensityAnalyzer.polarity_scores(t).compound,
    label: (t) => {
      const c = vader.SentimentIntensityAnalyzer.polarity_scores(t).compound;
      return c >= 0.05 ? 'positive' : c <= -0.05 ? 'negative' : 'neutral';
    },
  },
];

// --- data ---

interface Fixture {
  text: string;
  class: 0 | 1;
}

function fixturesDir(): string {
  const installed = path.join(path.dirname(require.resolve('sentiment/package.json')), 'test', 'fixtures');
  if (fs.existsSync(path.join(installed, 'amazon.json'))) return installed;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sentiment-pack-'));
  execFileSync('npm', ['pack', 'sentiment@5.0.2', '--silent'], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
  const tarball = fs.readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
  execFileSync('tar', ['-xzf', tarball], { cwd: dir });
  return path.join(dir, 'package', 'test', 'fixtures');
}

const fixtures = fixturesDir();
const sets = ['amazon', 'imdb', 'yelp'].map((name) => ({ name, rows: JSON.parse(fs.readFileSync(path.join(fixtures, `${name}.json`), 'utf8')) as Fixture[] }));

interface PatientMessage {
  text: string;
  label: Label;
  split: 'dev' | 'test';
}
const patient = (JSON.parse(fs.readFileSync(new URL('./sentiment-patient-messages.json', import.meta.url), 'utf8')) as { messages: PatientMessage[] }).messages;

// --- measures ---

function accuracy(model: Model, rows: Fixture[]): number {
  let right = 0;
  for (const row of rows) if ((model.polarity(row.text) < 0 ? 0 : 1) === row.class) right++;
  return right / rows.length;
}

function macroF1(model: Model, rows: PatientMessage[]): { f1: number; perLabel: Record<Label, number>; accuracy: number } {
  const labels: Label[] = ['positive', 'neutral', 'negative'];
  const predicted = rows.map((r) => model.label(r.text));
  const perLabel = {} as Record<Label, number>;
  for (const label of labels) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    rows.forEach((r, i) => {
      if (predicted[i] === label && r.label === label) tp++;
      else if (predicted[i] === label) fp++;
      else if (r.label === label) fn++;
    });
    const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
    const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
    perLabel[label] = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  }
  const right = rows.filter((r, i) => predicted[i] === r.label).length;
  return { f1: labels.reduce((s, l) => s + perLabel[l], 0) / labels.length, perLabel, accuracy: right / rows.length };
}

function throughput(model: Model, texts: string[]): number {
  // Warm up, then count whole passes until the time is up.
  for (let i = 0; i < 20_000; i++) model.label(texts[i % texts.length]!);
  let n = 0;
  let sink = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(SECONDS * 1e9));
  let now = start;
  while (now < end) {
    for (let i = 0; i < 1_000; i++) sink += model.polarity(texts[(n + i) % texts.length]!);
    n += 1_000;
    now = process.hrtime.bigint();
  }
  if (Number.isNaN(sink)) console.log('');
  return n / (Number(now - start) / 1e9);
}

// --- run ---

const texts = patient.map((m) => m.text);
const meanChars = texts.reduce((s, t) => s + t.length, 0) / texts.length;
const test = patient.filter((m) => m.split === 'test');
const dev = patient.filter((m) => m.split === 'dev');

console.log(`\n## Sentiment (${new Date().toISOString()}, ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'cpu'}, load ${loadAtStart.map((l) => l.toFixed(2)).join(' / ')})\n`);
console.log(`Throughput: ${texts.length} patient messages (mean ${meanChars.toFixed(0)} characters) cycled for ${SECONDS} s per model, one thread.\n`);
console.log('| model | messages/s | µs/message |');
console.log('| --- | ---: | ---: |');
for (const model of models) {
  const rate = throughput(model, texts);
  console.log(`| ${model.name} | ${Math.round(rate).toLocaleString('en-US')} | ${(1e6 / rate).toFixed(2)} |`);
}

console.log(`\nAccuracy on the sentence sets in sentiment's test/fixtures (${fixtures.includes('sentiment-pack-') ? 'packed sentiment@5.0.2' : 'installed package'}; < 0 negative, else positive):\n`);
console.log(`| model | ${sets.map((s) => `${s.name} (${s.rows.length})`).join(' | ')} | mean |`);
console.log(`| --- | ${sets.map(() => '---:').join(' | ')} | ---: |`);
for (const model of models) {
  const values = sets.map((s) => accuracy(model, s.rows));
  console.log(`| ${model.name} | ${values.map((v) => (v * 100).toFixed(1) + ' %').join(' | ')} | ${((values.reduce((a, b) => a + b, 0) / values.length) * 100).toFixed(1)} % |`);
}

console.log(`\nPatient messages, positive / neutral / negative: held-out test half (${test.length}) and the dev half (${dev.length}) the lexicon was tuned on:\n`);
console.log('| model | macro-F1 (test) | F1 pos / neu / neg (test) | accuracy (test) | macro-F1 (dev) |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const model of models) {
  const t = macroF1(model, test);
  const d = macroF1(model, dev);
  const per = `${t.perLabel.positive.toFixed(2)} / ${t.perLabel.neutral.toFixed(2)} / ${t.perLabel.negative.toFixed(2)}`;
  console.log(`| ${model.name} | ${t.f1.toFixed(3)} | ${per} | ${(t.accuracy * 100).toFixed(1)} % | ${d.f1.toFixed(3)} |`);
}
// --- the listener beside delivery ---

async function listenerCost(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sentiment-bench-'));
  const database = await openDatabase(path.join(dir, 'bench.db'), { checkpoints: 'inline' });
  const commits = createGroupCommit(database.sqlite);
  const bus = createEventBus((err) => console.error(err));
  const emitted = { n: 0 };
  const module = createSentimentModule({
    sqlite: database.sqlite,
    commits,
    events: bus,
    hub: { emit: () => void emitted.n++ },
    openapi: new OpenApiRegistry(),
    auditBatch: { record: () => Promise.resolve() },
    logger: createLogger('silent'),
    jobs: { enqueue: () => Promise.reject(new Error('no jobs')) },
    conversations: {} as never,
    config: { SENTIMENT_ENABLED: true, SENTIMENT_ALERT_SCALE: 2, SENTIMENT_AZURE_TIMEOUT_MS: 5000, AZURE_LANGUAGE_ENDPOINT: undefined, AZURE_LANGUAGE_KEY: undefined },
  });
  for (const registration of module.listeners ?? []) bus.register(registration);
  const conversations = Array.from({ length: 500 }, () => randomUUID());
  const timings: number[] = [];
  const MESSAGES = 20_000;
  for (let i = 0; i < MESSAGES; i++) {
    const conversationId = conversations[i % conversations.length]!;
    const message: MessageView = {
      id: randomUUID(),
      conversationId,
      seq: i + 1,
      clientMessageId: null,
      sender: { kind: 'patient', id: 'p' },
      kind: 'text',
      body: texts[i % texts.length]!,
      createdAt: new Date().toISOString(),
    };
    const started = process.hrtime.bigint();
    bus.publish('conversation.message', { conversationId, message });
    timings.push(Number(process.hrtime.bigint() - started) / 1e3);
    // A burst of 50 messages per event-loop turn, as a busy server delivers them; then the group commit runs.
    if (i % 50 === 49) await new Promise((r) => setImmediate(r));
  }
  await module.api.flush();
  commits.flush();
  const stored = (database.sqlite.prepare('SELECT COUNT(*) AS n FROM sentiment_message_scores').get() as { n: number }).n;
  timings.sort((a, b) => a - b);
  const at = (q: number) => timings[Math.min(timings.length - 1, Math.floor(q * timings.length))]!;
  console.log(`\nThe listener beside delivery (\`conversation.message\` → score, value over the last 6, alert check, queued write, events; ${MESSAGES.toLocaleString('en-US')} patient messages over ${conversations.length} conversations, 50 per event-loop turn, real SQLite and group commit):\n`);
  console.log('| p50 µs | p99 µs | max µs | rows stored | socket emits |');
  console.log('| ---: | ---: | ---: | ---: | ---: |');
  console.log(`| ${at(0.5).toFixed(1)} | ${at(0.99).toFixed(1)} | ${timings.at(-1)!.toFixed(1)} | ${stored.toLocaleString('en-US')} | ${emitted.n.toLocaleString('en-US')} |`);
  commits.close();
  await database.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
await listenerCost();

console.log(`\nload average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')}`);
