/**
 * `KnowledgeIndex` on SQLite FTS5 (migration 018), in two tiers:
 *
 * - `knowledge_head`: title, summary and keywords (tags, condition codes) — what an article is
 *   about. Searched first; BM25 weights title 10 > summary 4 > keywords 3.
 * - `knowledge_fts`: the same plus the body (weight 1). Searched only when the head finds fewer
 *   than asked for; its matches rank after every head match. (BM25 over a body index costs time in
 *   proportion to how many articles contain the words: at 10,000 articles, common words make every
 *   query pay for thousands of bodies. The head answers most queries alone.)
 * - `knowledge_words`: contentless and unstemmed, for the vocabulary spelling correction compares with.
 *
 * Porter stemming, folded accents, a prefix index for three letters. The passage shown with a hit
 * is cut here, from the body, around the words that matched. The only SQLite-only SQL of the
 * knowledge base is in this file.
 */
import type SQLite from 'better-sqlite3';
import type { PlannedGroup, PlannedPhrase, SearchPlan } from './query-plan.js';
import { MATCH_END, MATCH_START } from '../platform/db/fts-snippet.js';
import type { IndexFilter, IndexHit, IndexedArticle, KnowledgeIndex, VocabularyScope } from './search-index.js';
import type { VocabularyEntry } from './spelling.js';
import { fold, STOP_WORDS } from './text.js';

/** BM25 column weights. */
export const FIELD_WEIGHTS = { title: 10, summary: 4, body: 1, keywords: 3 } as const;
/** Words around the matches in a passage. */
const PASSAGE_WORDS = 28;
/** How many of the best synonym-widened matches are scored again by the typed words. */
const RESCORED_CANDIDATES = 30;
/** The widened query's share of the blended score (the typed words' score counts in full). */
export const SYNONYM_BLEND = 0.5;
/** Where synonyms are looked for: the fields that say what an article is about. */
const SYNONYM_COLUMNS = '{title summary keywords}';

type Table = 'knowledge_head' | 'knowledge_fts';
/** A hit with its row in the index. */
type Ranked = IndexHit & { seq: number };

/** One phrase as FTS5 syntax: every word in double quotes (quotes inside doubled), `*` for a prefix. */
function phraseQuery(phrase: PlannedPhrase): string {
  return `"${phrase.words.join(' ').replace(/"/g, '""')}"${phrase.prefix ? '*' : ''}`;
}

function groupQuery(group: PlannedGroup): string {
  const typed = group.alternatives.filter((a) => !a.synonym).map(phraseQuery);
  const synonyms = group.alternatives.filter((a) => a.synonym).map(phraseQuery);
  const parts = [...typed, ...(synonyms.length > 0 ? [`${SYNONYM_COLUMNS} : (${synonyms.join(' OR ')})`] : [])];
  return parts.length === 1 ? parts[0]! : `(${parts.join(' OR ')})`;
}

/**
 * The plan as an FTS5 MATCH expression: groups joined by AND (`all`), or, for `any`, every phrase and
 * every word of a longer phrase joined by OR ("high blood pressure" also finds "blood pressure").
 */
export function matchExpression(plan: SearchPlan, mode: 'all' | 'any'): string {
  if (mode === 'all') return plan.groups.map(groupQuery).join(' AND ');
  const parts = new Set<string>();
  for (const group of plan.groups) {
    for (const phrase of group.alternatives) {
      parts.add(phraseQuery(phrase));
      if (phrase.words.length > 1) for (const word of phrase.words) if (!STOP_WORDS.has(word)) parts.add(phraseQuery({ words: [word], prefix: false }));
    }
  }
  return [...parts].join(' OR ');
}

export class SqliteKnowledgeIndex implements KnowledgeIndex {
  private version = 0;
  private readonly statements;
  private readonly searches = new Map<string, SQLite.Statement>();

  constructor(private readonly sqlite: SQLite.Database) {
    // The weights as each table's default rank, so `ORDER BY rank` takes FTS5's own top-N path.
    const { title, summary, body, keywords } = FIELD_WEIGHTS;
    sqlite.prepare(`INSERT INTO knowledge_fts (knowledge_fts, rank) VALUES ('rank', 'bm25(${title}, ${summary}, ${body}, ${keywords})')`).run();
    sqlite.prepare(`INSERT INTO knowledge_head (knowledge_head, rank) VALUES ('rank', 'bm25(${title}, ${summary}, ${keywords})')`).run();
    this.statements = {
      deleteFts: sqlite.prepare('DELETE FROM knowledge_fts WHERE rowid = ?'),
      insertFts: sqlite.prepare(
        `INSERT INTO knowledge_fts (rowid, title, summary, body, keywords, article_id, language, audience, category)
         VALUES (@seq, @title, @summary, @body, @keywords, @id, @language, @audience, @category)`,
      ),
      deleteHead: sqlite.prepare('DELETE FROM knowledge_head WHERE rowid = ?'),
      insertHead: sqlite.prepare(
        `INSERT INTO knowledge_head (rowid, title, summary, keywords, article_id, language, audience, category)
         VALUES (@seq, @title, @summary, @keywords, @id, @language, @audience, @category)`,
      ),
      deleteWords: sqlite.prepare('DELETE FROM knowledge_words WHERE rowid = ?'),
      insertWords: sqlite.prepare('INSERT INTO knowledge_words (rowid, text) VALUES (?, ?)'),
      deleteStaffWords: sqlite.prepare('DELETE FROM knowledge_staff_words WHERE rowid = ?'),
      insertStaffWords: sqlite.prepare('INSERT INTO knowledge_staff_words (rowid, text) VALUES (?, ?)'),
      vocabulary: sqlite.prepare('SELECT term, doc FROM knowledge_words_vocab'),
      staffVocabulary: sqlite.prepare('SELECT term, doc FROM knowledge_staff_words_vocab'),
      body: sqlite.prepare<[number], { body: string }>('SELECT body FROM knowledge_fts WHERE rowid = ?'),
    };
  }

  get generation(): number {
    return this.version;
  }

  put(article: IndexedArticle): void {
    this.remove(article.seq);
    this.statements.insertFts.run(article);
    this.statements.insertHead.run(article);
    // Words of agent-only articles apart: patients' spelling correction must not offer them.
    const words = article.audience === 'agent' ? this.statements.insertStaffWords : this.statements.insertWords;
    words.run(article.seq, [article.title, article.summary, article.keywords, article.body].join('\n'));
  }

  remove(seq: number): void {
    this.statements.deleteFts.run(seq);
    this.statements.deleteHead.run(seq);
    this.statements.deleteWords.run(seq);
    this.statements.deleteStaffWords.run(seq);
    this.version++;
  }

  async search(plan: SearchPlan, filter: IndexFilter, limit: number, mode: 'all' | 'any' = 'all'): Promise<IndexHit[]> {
    if (plan.groups.length === 0 || limit <= 0) return [];
    const hits: Ranked[] = [];
    const more = (found: readonly Ranked[]) => {
      // Each tier's matches rank after every match of the tiers before it.
      const floor = hits.length > 0 ? Math.min(...hits.map((h) => h.score)) : Infinity;
      for (const hit of found) hits.push(floor === Infinity ? hit : { ...hit, score: Math.round(Math.min(hit.score, floor * 0.999) * 1000) / 1000 });
    };
    const seen = () => ({ ...filter, exclude: [...(filter.exclude ?? []), ...hits.map((h) => h.id)] });
    if (mode === 'all') {
      more(this.matchAll('knowledge_head', plan, filter, limit));
      if (hits.length < limit) more(this.matchAll('knowledge_fts', plan, seen(), limit - hits.length));
    }
    const loosens = plan.groups.length > 1 || plan.groups.some((g) => g.alternatives.some((a) => a.words.length > 1));
    if (mode === 'any' || loosens) {
      for (const table of ['knowledge_head', 'knowledge_fts'] as const) {
        if (hits.length < limit) more(this.run(table, matchExpression(plan, 'any'), seen(), limit - hits.length));
      }
    }
    return hits.map((hit) => ({ id: hit.id, score: hit.score, passage: this.passage(hit.seq, plan) }));
  }

  /**
   * Articles matching every group. With synonyms, BM25 sums over every phrase of the query, so an
   * article mentioning many synonyms would beat one about what was typed: the best candidates are
   * scored again by the typed words alone, and the two scores blended.
   */
  private matchAll(table: Table, plan: SearchPlan, filter: IndexFilter, limit: number): Ranked[] {
    const withSynonyms = plan.groups.some((g) => g.alternatives.some((a) => a.synonym));
    if (!withSynonyms) return this.run(table, matchExpression(plan, 'all'), filter, limit);
    const candidates = this.run(table, matchExpression(plan, 'all'), filter, Math.max(limit * 3, RESCORED_CANDIDATES));
    if (candidates.length <= 1) return candidates;
    const typed: SearchPlan = { groups: plan.groups.map((g) => ({ alternatives: g.alternatives.filter((a) => !a.synonym) })).filter((g) => g.alternatives.length > 0), correctedQuery: null };
    // The typed words' score comes from the head (what each article is about) whichever tier found
    // the candidates: FTS5 ranks every row the words match before a filter narrows them to the
    // candidates, and the words of a query are common in bodies (at 10,000 articles, "time" or "are"
    // in thousands), rare in titles and summaries.
    const typedScores = new Map<string, number>(
      typed.groups.length === 0 ? [] : this.run('knowledge_head', typed.groups.map(groupQuery).join(' OR '), { ...filter, only: candidates.map((c) => c.id) }, candidates.length).map((h) => [h.id, h.score] as const),
    );
    return candidates
      .map((c) => ({ ...c, score: Math.round((c.score * SYNONYM_BLEND + (typedScores.get(c.id) ?? 0)) * 1000) / 1000 }))
      .sort((a, b) => b.score - a.score)
      .slice(0, limit);
  }

  private run(table: Table, match: string, filter: IndexFilter & { only?: readonly string[] }, limit: number): Ranked[] {
    const where: string[] = [`${table} MATCH ?`];
    const params: unknown[] = [match];
    const list = (column: string, values: readonly string[], not = false) => {
      where.push(`${column} ${not ? 'NOT IN' : 'IN'} (${values.map(() => '?').join(', ')})`);
      params.push(...values);
    };
    if (filter.audiences) list('audience', filter.audiences);
    if (filter.language) list('language', [filter.language]);
    if (filter.category) list('category', [filter.category]);
    if (filter.only) list('article_id', filter.only);
    if (filter.exclude && filter.exclude.length > 0) list('article_id', filter.exclude, true);
    const rows = this.statement<{ seq: number; id: string; rank: number }>(
      `SELECT rowid AS seq, article_id AS id, rank FROM ${table} WHERE ${where.join(' AND ')} ORDER BY rank LIMIT ${Math.floor(limit)}`,
    ).all(...params);
    return rows.map((r) => ({ id: r.id, seq: r.seq, score: Math.round(-r.rank * 1000) / 1000, passage: '' }));
  }

  /**
   * The passage of the body with the most matched words (typed words and synonyms, a word matching
   * when it starts with a planned word's stem-length prefix), between MATCH_START and MATCH_END.
   */
  private passage(seq: number, plan: SearchPlan): string {
    const body = this.statements.body.get(seq)?.body ?? '';
    const tokens = body.split(/\s+/).filter(Boolean);
    if (tokens.length === 0) return '';
    const folded = fold(body).split(/\s+/).filter(Boolean);
    const wanted = plan.groups.flatMap((g) => g.alternatives.flatMap((a) => a.words)).filter((w) => !STOP_WORDS.has(w));
    // A stem-length prefix of each word stands in for its other forms ("pressures", "pressured").
    const stems = [...new Set(wanted.map((w) => (w.length > 5 ? w.slice(0, Math.max(4, w.length - 3)) : w)))];
    // One expression for every stem: a token (punctuation around it aside) is a short stem exactly,
    // or starts with a longer one.
    const escape = (w: string) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const short = stems.filter((w) => w.length <= 3).map(escape);
    const long = stems.filter((w) => w.length > 3).map(escape);
    const alternatives = [...(long.length > 0 ? [`(?:${long.join('|')})`] : []), ...(short.length > 0 ? [`(?:${short.join('|')})[^\\p{L}\\p{N}]*$`] : [])];
    const matcher = alternatives.length > 0 ? new RegExp(`^[^\\p{L}\\p{N}]*(?:${alternatives.join('|')})`, 'u') : null;
    const matches = (folded.length === tokens.length ? folded : tokens.map(fold)).map((token) => matcher !== null && matcher.test(token));
    let best = 0;
    let bestCount = -1;
    let count = 0;
    for (let i = 0; i < tokens.length; i++) {
      if (matches[i]) count++;
      if (i >= PASSAGE_WORDS && matches[i - PASSAGE_WORDS]) count--;
      if (count > bestCount) {
        bestCount = count;
        best = Math.max(0, i - PASSAGE_WORDS + 1);
      }
    }
    const end = Math.min(tokens.length, best + PASSAGE_WORDS);
    const marked = tokens.slice(best, end).map((token, k) => {
      if (!matches[best + k]) return token;
      const [, lead, core, tail] = /^([^\p{L}\p{N}]*)(.*?)([^\p{L}\p{N}]*)$/u.exec(token)!;
      return `${lead}${MATCH_START}${core}${MATCH_END}${tail}`;
    });
    return `${best > 0 ? '…' : ''}${marked.join(' ')}${end < tokens.length ? '…' : ''}`;
  }

  private statement<Row>(sql: string): SQLite.Statement<unknown[], Row> {
    let statement = this.searches.get(sql);
    if (!statement) {
      // Statements differ only by filters and limits: a bounded number of shapes, kept prepared.
      if (this.searches.size >= 200) this.searches.clear();
      statement = this.sqlite.prepare(sql);
      this.searches.set(sql, statement);
    }
    return statement as SQLite.Statement<unknown[], Row>;
  }

  *vocabulary(scope: VocabularyScope): Iterable<VocabularyEntry> {
    const statements = scope === 'staff' ? [this.statements.vocabulary, this.statements.staffVocabulary] : [this.statements.vocabulary];
    for (const statement of statements) for (const row of statement.iterate() as Iterable<{ term: string; doc: number }>) yield { word: row.term, documents: row.doc };
  }
}
