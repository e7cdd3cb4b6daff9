/**
 * Trains @nlpjs's neural NLU in a worker thread and hands back the trained model as JSON: training
 * is CPU-bound (about 0.5 s per 1,000 utterances), and on the event loop a bot author's save of a
 * large model would hold up every patient's bot reply. The worker is plain JavaScript evaluated from
 * a string (no TypeScript loader needed under tsx, vitest or the built server), and requires the
 * packages by the paths this module resolves.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Language } from './text.js';

const require = createRequire(import.meta.url);
const PATHS = {
  core: require.resolve('@nlpjs/core'),
  nlu: require.resolve('@nlpjs/nlu'),
  en: require.resolve('@nlpjs/lang-en'),
  es: require.resolve('@nlpjs/lang-es'),
};

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { containerBootstrap } = require(workerData.paths.core);
const { NluManager, NluNeural } = require(workerData.paths.nlu);
const { LangEn } = require(workerData.paths.en);
const { LangEs } = require(workerData.paths.es);
const container = containerBootstrap();
container.use(LangEn);
container.use(LangEs);
container.use(NluNeural);
(async () => {
  const nlu = new NluManager({ container, locales: [workerData.language], trainByDomain: false, log: false });
  for (const e of workerData.examples) nlu.add(workerData.language, e.text, e.intent);
  await nlu.train();
  parentPort.postMessage({ ok: true, model: nlu.toJSON() });
})().catch((err) => parentPort.postMessage({ ok: false, message: String(err && err.stack || err) }));
`;

/** A model at the limits (5,000 utterances) trains in a few seconds; past this something is wrong. */
const TRAINING_TIMEOUT_MS = 120_000;

export function trainInWorker(language: Language, examples: ReadonlyArray<{ text: string; intent: string }>): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { paths: PATHS, language, examples } });
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error(`language model training took longer than ${TRAINING_TIMEOUT_MS / 1000} s`));
    }, TRAINING_TIMEOUT_MS);
    const finish = () => {
      clearTimeout(timer);
      void worker.terminate();
    };
    worker.once('message', (message: { ok: true; model: unknown } | { ok: false; message: string }) => {
      finish();
      if (message.ok) resolve(message.model);
      else reject(new Error(`language model training failed: ${message.message}`));
    });
    worker.once('error', (err) => {
      finish();
      reject(err);
    });
  });
}
