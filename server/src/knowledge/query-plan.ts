/**
 * From what someone typed to what the index looks for, independent of the search engine: folded
 * words, stop words set aside, misspellings corrected against the index's vocabulary, medical
 * synonyms added ("high blood pressure" also looks for "hypertension" and "HBP"), and the last word
 * a prefix while it is still being typed. The index turns the plan into its own query language
 * (FTS5 MATCH for SQLite; PostgreSQL would build a tsquery), quoting every word, so nothing typed is
 * ever read as query syntax.
 */
import type { SpellingCorrector } from './spelling.js';
import type { Synonyms } from './synonyms.js';
import { endsInWord, STOP_WORDS, words } from './text.js';

/** A phrase to look for: its folded words in order; `prefix` when its last word may continue. */
export interface PlannedPhrase {
  words: string[];
  prefix: boolean;
  /**
   * A synonym of what was typed (not the typed words): the index looks for it only where an article
   * says what it is about (title, summary, tags), so an article that merely mentions several
   * synonyms in passing does not outrank one about the topic.
   */
  synonym?: boolean;
}

/** One idea of the query: any of its phrases will do. */
export interface PlannedGroup {
  alternatives: PlannedPhrase[];
}

export interface SearchPlan {
  /** Every group should match (the index relaxes this to "any" when that finds too few). */
  groups: PlannedGroup[];
  /** The query with its corrections, when a word was corrected; else null. */
  correctedQuery: string | null;
}

/** Words of a query taken at most: a pasted page is searched by its beginning. */
export const MAX_QUERY_WORDS = 24;
/** The shortest unfinished word taken as a prefix: "re" would be every word starting with it. */
export const MIN_PREFIX = 3;
/** Longer "words" (a pasted token, a hash) are not words anyone searches for. */
const MAX_WORD_LENGTH = 40;

export interface PlannerDeps {
  synonyms: Synonyms;
  spelling: SpellingCorrector;
}

export function planSearch(text: string, deps: PlannerDeps): SearchPlan {
  const all = words(text).filter((w) => w.length <= MAX_WORD_LENGTH);
  const typed = all.slice(0, MAX_QUERY_WORDS);
  const lastIsPrefix = all.length === typed.length && endsInWord(text);
  let corrected = false;
  const tokens = typed.map((word, i) => {
    const last = i === typed.length - 1;
    if (STOP_WORDS.has(word) || deps.spelling.has(word)) return word;
    if (last && lastIsPrefix && word.length >= MIN_PREFIX && deps.spelling.hasPrefix(word)) return word;
    const fix = deps.spelling.correct(word);
    if (fix === null) return word;
    corrected = true;
    return fix;
  });

  const groups: PlannedGroup[] = [];
  const stopGroups: PlannedGroup[] = [];
  for (let i = 0; i < tokens.length; ) {
    // A one-word term that is also a stop word ("mi": Spanish "my", and myocardial infarction) is read as the stop word.
    const found = deps.synonyms.matchAt(tokens, i);
    const match = found && !(found.length === 1 && STOP_WORDS.has(tokens[i]!)) ? found : null;
    const reachesEnd = (length: number) => i + length === tokens.length;
    if (match) {
      const prefix = lastIsPrefix && reachesEnd(match.length);
      groups.push({ alternatives: match.alternatives.map((phrase, k) => (k === 0 ? { words: phrase, prefix } : { words: phrase, prefix: false, synonym: true })) });
      i += match.length;
      continue;
    }
    const word = tokens[i]!;
    const group = { alternatives: [{ words: [word], prefix: lastIsPrefix && reachesEnd(1) && word.length >= MIN_PREFIX }] };
    (STOP_WORDS.has(word) ? stopGroups : groups).push(group);
    i += 1;
  }
  // A query of nothing but stop words ("how do I") still searches for them.
  return { groups: groups.length > 0 ? groups : stopGroups, correctedQuery: corrected ? tokens.join(' ') : null };
}
