/**
 * Who scores text: the `SentimentProvider` interface and the local one (the lexicon model in
 * model.ts). The local provider also scores synchronously — the hot path beside message delivery;
 * Azure (azure.ts) is asynchronous only and runs from a job.
 */
import type { SentimentProviderName, SentimentResult } from '../contracts/sentiment.js';
import type { LocalModel } from './model.js';

/** One text's score and who produced it (Azure falls back to the local model per text). */
export interface ScoredText {
  result: SentimentResult;
  provider: SentimentProviderName;
}

export interface SentimentProvider {
  readonly name: SentimentProviderName;
  /** Scores every text, in order; never rejects for bad input (bad texts are neutral with a flag). */
  score(texts: readonly string[], options?: { signal?: AbortSignal }): Promise<ScoredText[]>;
}

export interface LocalSentimentProvider extends SentimentProvider {
  readonly name: 'local';
  /** The hot path: synchronous, a few microseconds per chat message. */
  scoreSync(text: unknown): SentimentResult;
}

export function createLocalProvider(model: LocalModel): LocalSentimentProvider {
  return {
    name: 'local',
    scoreSync: (text) => model.score(text),
    score: (texts) => Promise.resolve(texts.map((text) => ({ result: model.score(text), provider: 'local' as const }))),
  };
}
