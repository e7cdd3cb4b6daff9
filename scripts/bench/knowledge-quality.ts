/**
 * Search quality of the knowledge base: the labelled queries of knowledge-queries.ts (lay wording,
 * misspellings, synonyms, unfinished words, Spanish, agents' questions) against the shipped articles,
 * MRR@10 and nDCG@10 for our search (FTS5, field weights, synonyms, spelling, prefix) and, as the
 * baseline in the same run, MiniSearch 7.2.0 with default settings over the same articles with the
 * same audience and language filters.
 *
 *   npm run bench:knowledge-quality [-- --verbose]
 */
import { parseArgs } from 'node:util';
import { LABELLED_QUERIES, type LabelledQuery } from './knowledge-queries.js';
import { KNOWLEDGE_DIR, audiencesOf, knowledgeOnFreshDatabase, miniSearchOver, shippedArticles } from './knowledge-support.js';

const { values: args } = parseArgs({ options: { verbose: { type: 'boolean', default: false } } });
const K = 10;

/** 1 / rank of the first relevant article in the top K (0 when none). */
function reciprocalRank(ranked: readonly string[], query: LabelledQuery): number {
  const at = ranked.slice(0, K).findIndex((id) => (query.relevant[id] ?? 0) > 0);
  return at < 0 ? 0 : 1 / (at + 1);
}

/** nDCG@K with graded gains 2^grade − 1. */
function ndcg(ranked: readonly string[], query: LabelledQuery): number {
  const dcg = (grades: readonly number[]) => grades.slice(0, K).reduce((sum, g, i) => sum + (2 ** g - 1) / Math.log2(i + 2), 0);
  const ideal = dcg(Object.values(query.relevant).sort((a, b) => b - a));
  return ideal === 0 ? 0 : dcg(ranked.map((id) => query.relevant[id] ?? 0)) / ideal;
}

const bench = await knowledgeOnFreshDatabase();
try {
  bench.importFrom(KNOWLEDGE_DIR);
  const articles = shippedArticles();
  const mini = miniSearchOver(articles);
  const known = new Set(articles.map((a) => a.id));
  for (const q of LABELLED_QUERIES) for (const id of Object.keys(q.relevant)) if (!known.has(id)) throw new Error(`label names no article: ${id} (query "${q.q}")`);

  type Row = { query: LabelledQuery; ours: string[]; baseline: string[] };
  const rows: Row[] = [];
  for (const query of LABELLED_QUERIES) {
    const viewer = query.by === 'patient' ? ({ kind: 'public' } as const) : ({ kind: 'staff', userId: 'bench', role: 'agent' } as const);
    const ours = (await bench.service.search(viewer, { q: query.q, limit: K, ...(query.language ? { language: query.language } : {}) })).results.map((r) => r.id);
    const audiences = audiencesOf(query.by);
    const baseline = mini
      .search(query.q, { filter: (r) => audiences.includes(r.audience as string) && (query.language === undefined || r.language === query.language) })
      .slice(0, K)
      .map((r) => String(r.id));
    rows.push({ query, ours, baseline });
  }

  const groups: Array<[string, (q: LabelledQuery) => boolean]> = [
    ['all', () => true],
    ['patients, English', (q) => q.by === 'patient' && q.language === undefined],
    ['patients, Spanish', (q) => q.language === 'es'],
    ['agents', (q) => q.by === 'agent'],
  ];
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  console.log(`Knowledge search quality: ${LABELLED_QUERIES.length} labelled queries over ${articles.length} articles (k = ${K})\n`);
  console.log('| queries | n | MRR@10 ours | MRR@10 MiniSearch | nDCG@10 ours | nDCG@10 MiniSearch |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const [label, test] of groups) {
    const subset = rows.filter((r) => test(r.query));
    const f = (v: number) => v.toFixed(3);
    console.log(
      `| ${label} | ${subset.length} | ${f(mean(subset.map((r) => reciprocalRank(r.ours, r.query))))} | ${f(mean(subset.map((r) => reciprocalRank(r.baseline, r.query))))} | ${f(mean(subset.map((r) => ndcg(r.ours, r.query))))} | ${f(mean(subset.map((r) => ndcg(r.baseline, r.query))))} |`,
    );
  }
  const missedOurs = rows.filter((r) => reciprocalRank(r.ours, r.query) === 0).length;
  const missedBaseline = rows.filter((r) => reciprocalRank(r.baseline, r.query) === 0).length;
  console.log(`\nNo relevant article in the top ${K}: ours ${missedOurs}, MiniSearch ${missedBaseline} (of ${rows.length}).`);
  if (args.verbose) {
    console.log('\nPer query (first three ids; ✓ = relevant):');
    for (const r of rows) {
      const show = (ids: string[]) => ids.slice(0, 3).map((id) => `${id}${r.query.relevant[id] ? '✓' : ''}`).join(', ') || '—';
      console.log(`- "${r.query.q}"  ours: ${show(r.ours)}  |  mini: ${show(r.baseline)}`);
    }
  }
} finally {
  await bench.close();
}
