/**
 * Resolved conversations an agent may learn from: those closed with a wrap-up (disposition and
 * notes), indexed by the content words of their notes, their disposition's label and the bot's
 * hand-off summary and intent. A patient message is matched against them by shared words weighted by
 * rarity (IDF), so "refill" and "pharmacy" count more than "help". Kept in memory (a few thousand
 * recent conversations) and told of each new wrap-up.
 */
import { STOP_WORDS, searchWords as words } from '../knowledge/index.js';
import { stem } from '../triage/index.js';

export interface ResolvedConversation {
  id: string;
  closedAt: string | null;
  disposition: string | null;
  dispositionLabel: string | null;
  queue: string | null;
  /** Notes, disposition label, hand-off summary and intent: what is matched (never shown). */
  text: string;
}

export interface SimilarMatch {
  conversation: ResolvedConversation;
  score: number;
  matched: string[];
}

/** Content words and their stems (the stem is matched, the first word seen for it is shown). */
export function contentTerms(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const word of words(text)) {
    if (word.length < 3 || STOP_WORDS.has(word) || /^\d+$/.test(word)) continue;
    const key = stem(word);
    if (!out.has(key)) out.set(key, word);
  }
  return out;
}

export class SimilarConversations {
  private readonly docs = new Map<string, { conversation: ResolvedConversation; terms: Set<string> }>();
  /** Term → the conversations that have it (its size is the term's document frequency). */
  private readonly postings = new Map<string, Set<string>>();

  constructor(private readonly capacity = 5_000) {}

  get size(): number {
    return this.docs.size;
  }

  add(conversation: ResolvedConversation): void {
    this.remove(conversation.id);
    const terms = new Set(contentTerms(conversation.text).keys());
    if (terms.size === 0) return;
    if (this.docs.size >= this.capacity) this.remove(this.docs.keys().next().value!);
    this.docs.set(conversation.id, { conversation, terms });
    for (const t of terms) {
      let ids = this.postings.get(t);
      if (!ids) this.postings.set(t, (ids = new Set()));
      ids.add(conversation.id);
    }
  }

  remove(id: string): void {
    const doc = this.docs.get(id);
    if (!doc) return;
    this.docs.delete(id);
    for (const t of doc.terms) {
      const ids = this.postings.get(t);
      ids?.delete(id);
      if (ids?.size === 0) this.postings.delete(t);
    }
  }

  /** The best matches for the patient's words (at least two shared words, or one rare one), best first. */
  search(text: string, limit: number, exclude: string | null = null): SimilarMatch[] {
    const query = contentTerms(text);
    if (query.size === 0 || this.docs.size === 0) return [];
    const n = this.docs.size;
    const idf = new Map<string, number>();
    let total = 0;
    for (const t of query.keys()) {
      const df = this.postings.get(t)?.size ?? 0;
      const weight = Math.log(1 + n / (1 + df));
      idf.set(t, weight);
      total += df > 0 ? weight : 0;
    }
    if (total === 0) return [];
    // Only the conversations that share a word: walk the postings of the message's words.
    const scores = new Map<string, { score: number; matched: string[] }>();
    for (const [t, shown] of query) {
      const weight = idf.get(t)!;
      for (const id of this.postings.get(t) ?? []) {
        if (id === exclude) continue;
        let entry = scores.get(id);
        if (!entry) scores.set(id, (entry = { score: 0, matched: [] }));
        entry.score += weight;
        entry.matched.push(shown);
      }
    }
    const out: SimilarMatch[] = [];
    for (const [id, { score, matched }] of scores) {
      // The share of the message's weight this conversation covers.
      const share = score / total;
      if (matched.length < 2 && share < 0.5) continue;
      out.push({ conversation: this.docs.get(id)!.conversation, score: share, matched });
    }
    out.sort((a, b) => b.score - a.score || (b.conversation.closedAt ?? '').localeCompare(a.conversation.closedAt ?? ''));
    return out.slice(0, limit);
  }
}
