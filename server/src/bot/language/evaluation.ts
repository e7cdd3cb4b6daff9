/**
 * Held-out evaluation of a model trained from utterances: every fifth utterance of each intent and
 * locale (of those with at least three) is kept out of training, the rest trains a model, and the
 * held-out ones are recognized by it. Deterministic, so the same model always reports the same
 * figures.
 */
import type { BotLocale, ModelEvaluation } from '../../contracts/language.js';

export interface LabelledUtterance {
  utterance: string;
  locale: BotLocale;
  intent: string;
}

export function splitHeldOut(utterances: readonly LabelledUtterance[]): { train: LabelledUtterance[]; heldOut: LabelledUtterance[] } {
  const groups = new Map<string, LabelledUtterance[]>();
  for (const u of utterances) {
    const key = `${u.locale}|${u.intent}`;
    const list = groups.get(key) ?? [];
    list.push(u);
    groups.set(key, list);
  }
  const train: LabelledUtterance[] = [];
  const heldOut: LabelledUtterance[] = [];
  for (const list of groups.values()) {
    list.forEach((u, i) => (list.length >= 3 && i % 5 === 4 ? heldOut : train).push(u));
  }
  return { train, heldOut };
}

const MAX_MISSES = 20;

export async function evaluate(
  heldOut: readonly LabelledUtterance[],
  trained: number,
  recognize: (u: LabelledUtterance) => Promise<{ intent: string | null; score: number }>,
): Promise<ModelEvaluation> {
  const perIntent = new Map<string, { heldOut: number; correct: number }>();
  const misses: ModelEvaluation['misses'] = [];
  let correct = 0;
  for (const u of heldOut) {
    const result = await recognize(u);
    const row = perIntent.get(u.intent) ?? { heldOut: 0, correct: 0 };
    row.heldOut += 1;
    if (result.intent === u.intent) {
      row.correct += 1;
      correct += 1;
    } else if (misses.length < MAX_MISSES) {
      misses.push({ utterance: u.utterance, locale: u.locale, expected: u.intent, got: result.intent, score: Math.round(result.score * 1000) / 1000 });
    }
    perIntent.set(u.intent, row);
  }
  return {
    trained,
    heldOut: heldOut.length,
    accuracy: heldOut.length ? correct / heldOut.length : null,
    perIntent: [...perIntent.entries()].map(([intent, row]) => ({ intent, ...row })).sort((a, b) => a.intent.localeCompare(b.intent)),
    misses,
  };
}
