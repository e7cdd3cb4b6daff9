/**
 * Intent recognition benchmark: accuracy on a held-out split of the built-in models' utterances
 * (every fifth of each intent and locale; the models are trained on the rest), per intent and
 * overall, out-of-domain texts turned away, misspelt complaints, and throughput through
 * `recognize` (vocabulary, patterns, classifiers and the entity recognizers, cache off) —
 * next to a same-run baseline: @nlpjs with its defaults (its NLU on the raw text, threshold 0.5,
 * no vocabulary, no patterns).
 *
 *   npm run bench:intents -- [--passes 5]
 *
 * Not part of npm test.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import {
  CompiledModel,
  EntityRecognizers,
  IntentClassifier,
  MedicalVocabulary,
  SHIPPED_LANGUAGE_FILES,
  commonWordsOf,
  createLanguageModels,
  evaluate,
  readBuiltInModels,
  recognizeWith,
  splitHeldOut,
  type LabelledUtterance,
  // eslint-disable-next-line carebridge/module-boundaries -- the language models are the bot's sub-module with their own door; bot/index.ts re-exports it once the engine lands
} from '../../server/src/bot/language/index.js';

const { values: args } = parseArgs({ options: { passes: { type: 'string', default: '5' } } });
const PASSES = Number(args.passes);
const loadAtStart = os.loadavg()[0]!;
const NOW = new Date();

const files = readBuiltInModels(SHIPPED_LANGUAGE_FILES.modelsDir);
const intents = files.flatMap((f) => f.intents);
const all: LabelledUtterance[] = intents.flatMap((i) => (['en-US', 'es-US'] as const).flatMap((locale) => (i.utterances[locale] ?? []).map((utterance) => ({ utterance, locale, intent: i.intent }))));
const { train, heldOut } = splitHeldOut(all);
const trainingOf = (withPatterns: boolean) => ({
  id: 'builtin',
  intents: intents.map((i) => ({
    intent: i.intent,
    scenario: i.scenario,
    patterns: withPatterns ? i.patterns : undefined,
    utterances: Object.fromEntries((['en-US', 'es-US'] as const).map((locale) => [locale, train.filter((u) => u.intent === i.intent && u.locale === locale).map((u) => u.utterance)])),
  })),
});

/** Texts no built-in intent covers: the bot should say it did not understand. */
const OUT_OF_DOMAIN: Array<[string, 'en-US' | 'es-US']> = [
  ['tell me a joke', 'en-US'],
  ['how tall is mount everest', 'en-US'],
  ['what is the capital of france', 'en-US'],
  ['who won the game last night', 'en-US'],
  ['play some music', 'en-US'],
  ['my cat is orange', 'en-US'],
  ['the weather in paris is nice', 'en-US'],
  ['recommend a good movie', 'en-US'],
  ['cuéntame un chiste', 'es-US'],
  ['cuál es la capital de francia', 'es-US'],
  ['pon música', 'es-US'],
  ['me gusta el fútbol', 'es-US'],
  ['qué tiempo hace en madrid', 'es-US'],
  ['recomiéndame una película', 'es-US'],
];
/** Complaints and questions with medical words misspelt as patients do, none of them in the training data. */
const MISSPELT: LabelledUtterance[] = [
  ['i think im having a hart attack', 'en-US', 'triage'],
  ['what is numonia', 'en-US', 'condition_info'],
  ['tell me about diabetis', 'en-US', 'condition_info'],
  ['my astma is getting worse', 'en-US', 'triage'],
  ['what causes hypertention', 'en-US', 'condition_info'],
  ['i have a migrane and i keep vomitting', 'en-US', 'triage'],
  ['information about alzeimers', 'en-US', 'condition_info'],
  ['my ashtma inhaler ran out, i need a refil', 'en-US', 'medication_refill'],
  ['qué es la neumonia', 'es-US', 'condition_info'],
  ['tengo diabetis y me siento mal', 'es-US', 'triage'],
  ['háblame de la artrites', 'es-US', 'condition_info'],
  ['mi asma esta peor hoy', 'es-US', 'triage'],
].map(([utterance, locale, intent]) => ({ utterance: utterance!, locale: locale as 'en-US' | 'es-US', intent: intent! }));

const vocabulary = MedicalVocabulary.fromFiles(SHIPPED_LANGUAGE_FILES, commonWordsOf(intents));
const ours = await CompiledModel.build(trainingOf(true), vocabulary);
const oursWithoutPatterns = await CompiledModel.build(trainingOf(false), vocabulary);
const THRESHOLD = createLanguageModels({ entities: false }).threshold;
const oursRecognize = (model: CompiledModel) => (u: { utterance: string; locale: string }) =>
  recognizeWith({ models: [model], symptomFallback: { intent: 'triage', model }, vocabulary, entities: null, threshold: THRESHOLD, now: NOW }, u.utterance, u.locale);

// Baseline: @nlpjs as it comes: one NLU per language on the raw utterances; below 0.5 (nlp's default threshold) or None is "not understood".
const baseline = {
  en: await IntentClassifier.train('en', train.filter((u) => u.locale === 'en-US').map((u) => ({ text: u.utterance, intent: u.intent })), 'nlpjs'),
  es: await IntentClassifier.train('es', train.filter((u) => u.locale === 'es-US').map((u) => ({ text: u.utterance, intent: u.intent })), 'nlpjs'),
};
const baselineRecognize = async (u: { utterance: string; locale: string }) => {
  const top = (await baseline[u.locale.startsWith('es') ? 'es' : 'en'].classify(u.utterance))[0];
  return top && top.score >= 0.5 ? { intent: top.intent, score: top.score } : { intent: null, score: top?.score ?? 0 };
};

const evalOurs = await evaluate(heldOut, train.length, oursRecognize(ours));
const evalNoPatterns = await evaluate(heldOut, train.length, oursRecognize(oursWithoutPatterns));
const evalBaseline = await evaluate(heldOut, train.length, baselineRecognize);
const rejected = async (recognize: (u: { utterance: string; locale: string }) => Promise<{ intent: string | null }>) => {
  let n = 0;
  for (const [utterance, locale] of OUT_OF_DOMAIN) if ((await recognize({ utterance, locale })).intent === null) n += 1;
  return n;
};
const misspelt = async (recognize: (u: { utterance: string; locale: string }) => Promise<{ intent: string | null }>) => {
  let n = 0;
  for (const u of MISSPELT) if ((await recognize(u)).intent === u.intent) n += 1;
  return n;
};

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);
console.log(
  `Intent recognition: ${intents.length} built-in intents, ${all.length} utterances (en ${all.filter((u) => u.locale === 'en-US').length}, es ${all.filter((u) => u.locale === 'es-US').length}); trained on ${train.length}, held out ${heldOut.length}; threshold ${THRESHOLD}\n`,
);
console.log('| | held-out accuracy | out-of-domain turned away | misspelt (12) |');
console.log('| --- | ---: | ---: | ---: |');
console.log(`| ours (vocabulary, patterns, @nlpjs + nearest example) | ${pct(evalOurs.accuracy)} | ${await rejected(oursRecognize(ours))}/${OUT_OF_DOMAIN.length} | ${await misspelt(oursRecognize(ours))}/${MISSPELT.length} |`);
console.log(`| ours without the command patterns | ${pct(evalNoPatterns.accuracy)} | ${await rejected(oursRecognize(oursWithoutPatterns))}/${OUT_OF_DOMAIN.length} | ${await misspelt(oursRecognize(oursWithoutPatterns))}/${MISSPELT.length} |`);
console.log(`| baseline: @nlpjs defaults | ${pct(evalBaseline.accuracy)} | ${await rejected(baselineRecognize)}/${OUT_OF_DOMAIN.length} | ${await misspelt(baselineRecognize)}/${MISSPELT.length} |`);

console.log('\n| intent | held out | ours | baseline |');
console.log('| --- | ---: | ---: | ---: |');
for (const row of evalOurs.perIntent) {
  const base = evalBaseline.perIntent.find((r) => r.intent === row.intent)!;
  console.log(`| ${row.intent} | ${row.heldOut} | ${pct(row.correct / row.heldOut)} | ${pct(base.correct / base.heldOut)} |`);
}

// Throughput through the public recognize(): every utterance, the out-of-domain and misspelt ones, PASSES times; entity cache off.
const language = createLanguageModels({ entityCacheSize: 0, now: () => NOW });
await language.ready();
const cached = createLanguageModels({ now: () => NOW });
await cached.ready();
new EntityRecognizers().warmUp();
const dateCue = (t: string) => /\d|today|tomorrow|morning|afternoon|evening|week|month|day|monday|tuesday|wednesday|thursday|friday|saturday|sunday|hoy|mañana|tarde|noche|semana|mes|día|lunes|martes|miércoles|jueves|viernes|sábado|domingo/i.test(t);
const texts = [...all, ...MISSPELT, ...OUT_OF_DOMAIN.map(([utterance, locale]) => ({ utterance, locale }))];
async function timeCalls(label: string, call: (u: { utterance: string; locale: string }) => Promise<unknown>) {
  for (const u of texts.slice(0, 100)) await call(u);
  const times: number[] = [];
  const started = performance.now();
  for (let p = 0; p < PASSES; p++) {
    for (const u of texts) {
      const t = performance.now();
      await call(u);
      times.push(performance.now() - t);
    }
  }
  const elapsed = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(3);
  console.log(`| ${label} | ${Math.round(times.length / elapsed).toLocaleString('en-US')} | ${q(0.5)} | ${q(0.95)} | ${q(0.99)} | ${times.at(-1)!.toFixed(1)} |`);
}
console.log(`\nThroughput: ${texts.length} texts (about ${texts.filter((u) => dateCue(u.utterance)).length} with a date or time word) × ${PASSES} passes, one at a time; entity cache off unless said\n`);
console.log('| | utterances/s | p50 ms | p95 ms | p99 ms | max ms |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
await timeCalls('recognize() with entities (dates, numbers, yes/no)', (u) => language.recognize(u.utterance, u.locale));
await timeCalls('recognize() with entities, cache on (passes 2–5 repeat pass 1)', (u) => cached.recognize(u.utterance, u.locale));
await timeCalls('recognize(…, { entities: false }): intent, conditions and symptoms', (u) => language.recognize(u.utterance, u.locale, { entities: false }));
await timeCalls('baseline: @nlpjs NLU alone', baselineRecognize);
console.log(`\nload average ${loadAtStart.toFixed(2)} at the start, ${os.loadavg()[0]!.toFixed(2)} at the end (${os.cpus().length} cores)`);
