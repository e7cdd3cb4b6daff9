/**
 * Knowledge-base speed at 10,000 articles generated from the shipped ones' own sentences and words
 * (so the vocabulary, lengths and languages are realistic), on a fresh SQLite file:
 *
 * - import: 10,000 Markdown files parsed, validated, stored as published versions and indexed, in one
 *   transaction (what the server does at start with a new knowledge-base/ folder);
 * - index build alone: the same 10,000 documents put into an empty FTS5 index;
 * - search: the labelled queries of knowledge-queries.ts, whole and cut mid-word as typed, through
 *   the service (plan with synonyms and spelling correction, FTS5, presentation), p50/p95/p99;
 * - baseline in the same run: MiniSearch 7.2.0 with default settings, built over the same 10,000
 *   articles and asked the same queries.
 *
 *   npm run bench:knowledge [-- --articles 10000 --passes 5]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { openDatabase } from '../../server/src/platform/db/index.js';
import { SqliteKnowledgeIndex, searchWords } from '../../server/src/knowledge/index.js';
import { speedQueries } from './knowledge-queries.js';
import { knowledgeOnFreshDatabase, miniSearchOver, percentile, shippedArticles, type PlainArticle } from './knowledge-support.js';

const loadAtStart = os.loadavg()[0]!;
const { values: args } = parseArgs({ options: { articles: { type: 'string', default: '10000' }, passes: { type: 'string', default: '5' } } });
const COUNT = Number(args.articles);
const PASSES = Number(args.passes);

let seed = 7;
const random = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

// ─── Generate ────────────────────────────────────────────────────────────────

const real = shippedArticles();
const sentencesOf = (a: PlainArticle) => a.body.split(/(?<=[.!?])\s+|\n/).filter((s) => s.split(' ').length >= 4);
const byLanguage = { en: real.filter((a) => a.language === 'en'), es: real.filter((a) => a.language === 'es') };
const sentencePool = { en: byLanguage.en.flatMap(sentencesOf), es: byLanguage.es.flatMap(sentencesOf) };
const wordPool = { en: byLanguage.en.flatMap((a) => searchWords(a.title)), es: byLanguage.es.flatMap((a) => searchWords(a.title)) };

function generated(i: number): PlainArticle & { markdown: string } {
  const source = real[i % real.length]!;
  const language = source.language;
  const own = sentencesOf(source);
  const titleWords = [...searchWords(source.title).filter(() => random() < 0.7), pick(wordPool[language]), pick(wordPool[language])];
  const title = titleWords.join(' ').replace(/^./, (c) => c.toUpperCase());
  const summary = pick(own);
  const sentences = Array.from({ length: 10 + Math.floor(random() * 16) }, () => (random() < 0.6 ? pick(own) : pick(sentencePool[language])));
  const paragraphs: string[] = [];
  for (let k = 0; k < sentences.length; k += 4) paragraphs.push(sentences.slice(k, k + 4).join(' '));
  const markdown = paragraphs.map((p, k) => (k % 2 === 1 ? `## ${pick(wordPool[language])}\n\n${p}` : p)).join('\n\n');
  return { ...source, id: `gen-${String(i).padStart(5, '0')}`, title, summary, body: paragraphs.join('\n'), markdown };
}

const articles = Array.from({ length: COUNT }, (_, i) => generated(i));
const words = articles.reduce((n, a) => n + a.body.split(/\s+/).length, 0);

// ─── Ours ────────────────────────────────────────────────────────────────────

const bench = await knowledgeOnFreshDatabase();
const filesDir = path.join(bench.dir, 'files');
for (const lang of ['en', 'es']) fs.mkdirSync(path.join(filesDir, lang), { recursive: true });
for (const a of articles) {
  const front = [
    '---',
    `id: ${a.id}`,
    `title: ${JSON.stringify(a.title.slice(0, 200))}`,
    `summary: ${JSON.stringify(a.summary.slice(0, 400))}`,
    `audience: ${a.audience}`,
    `category: ${a.category}`,
    `tags: ${JSON.stringify(a.tags.split(', ').filter(Boolean))}`,
    `language: ${a.language}`,
    'reviewDate: 2027-06-30',
    'owner: "Benchmark"',
    '---',
  ].join('\n');
  fs.writeFileSync(path.join(filesDir, a.language, `${a.id}.md`), `${front}\n${a.markdown}\n`);
}

const importStart = performance.now();
const report = bench.importFrom(filesDir);
const importMs = performance.now() - importStart;
if (report.created !== COUNT) throw new Error(`imported ${report.created} of ${COUNT}: ${JSON.stringify(report.skipped.slice(0, 3))}`);

// The index alone, on an empty database of its own.
const indexOnly = await openDatabase(path.join(bench.dir, 'index-only.db'));
const index = new SqliteKnowledgeIndex(indexOnly.sqlite);
const indexStart = performance.now();
indexOnly.sqlite.transaction(() => {
  articles.forEach((a, i) => index.put({ seq: i + 1, id: a.id, title: a.title, summary: a.summary, body: a.body, keywords: a.tags, language: a.language, audience: a.audience, category: a.category }));
})();
const indexMs = performance.now() - indexStart;
await indexOnly.close();

const queries = speedQueries();
const staff = { kind: 'staff', userId: 'bench', role: 'agent' } as const;
const firstStart = performance.now();
await bench.service.search(staff, { q: 'high blood pressure', limit: 10 });
const firstMs = performance.now() - firstStart;
const ours: number[] = [];
const perQuery = new Map<string, number[]>();
let oursResults = 0;
for (let pass = 0; pass < PASSES; pass++) {
  for (const { q, language } of queries) {
    const t = performance.now();
    const res = await bench.service.search(staff, { q, limit: 10, ...(language ? { language } : {}) });
    const took = performance.now() - t;
    ours.push(took);
    const key = `${q}${language ? ` [${language}]` : ''}`;
    perQuery.set(key, [...(perQuery.get(key) ?? []), took]);
    oursResults += res.results.length;
  }
}
const dbBytes = fs.statSync(path.join(bench.dir, 'bench.db')).size + (fs.existsSync(path.join(bench.dir, 'bench.db-wal')) ? fs.statSync(path.join(bench.dir, 'bench.db-wal')).size : 0);
await bench.close();

// ─── Baseline: MiniSearch, default settings ─────────────────────────────────

const miniStart = performance.now();
const mini = miniSearchOver(articles);
const miniBuildMs = performance.now() - miniStart;
const baseline: number[] = [];
let baselineResults = 0;
for (let pass = 0; pass < PASSES; pass++) {
  for (const { q, language } of queries) {
    const t = performance.now();
    const hits = mini.search(q, language ? { filter: (r) => r.language === language } : {}).slice(0, 10);
    baseline.push(performance.now() - t);
    baselineResults += hits.length;
  }
}

// ─── Report ──────────────────────────────────────────────────────────────────

const ms = (v: number) => `${v.toFixed(2)} ms`;
const row = (label: string, samples: number[], results: number) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return `| ${label} | ${samples.length} | ${ms(percentile(sorted, 50))} | ${ms(percentile(sorted, 95))} | ${ms(percentile(sorted, 99))} | ${(results / samples.length).toFixed(1)} |`;
};
console.log(`Knowledge base at ${COUNT.toLocaleString('en-US')} articles (${Math.round(words / COUNT)} words each on average), ${queries.length} queries × ${PASSES} passes; load average ${loadAtStart.toFixed(2)} at the start, ${os.loadavg()[0]!.toFixed(2)} at the end\n`);
console.log('| build | time |');
console.log('| --- | ---: |');
console.log(`| import (parse, validate, store, index; one transaction) | ${(importMs / 1000).toFixed(2)} s |`);
console.log(`| FTS5 index alone (title, summary, body, keywords + spelling vocabulary) | ${(indexMs / 1000).toFixed(2)} s |`);
console.log(`| baseline: MiniSearch build (in memory) | ${(miniBuildMs / 1000).toFixed(2)} s |`);
console.log(`\nDatabase with ${COUNT} articles: ${(dbBytes / 1024 / 1024).toFixed(1)} MiB. First search after the import (loads the spelling vocabulary): ${ms(firstMs)}.\n`);
console.log('| search | n | p50 | p95 | p99 | results |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
console.log(row('ours (synonyms, spelling, prefix, snippets)', ours, oursResults));
console.log(row('baseline: MiniSearch default', baseline, baselineResults));
const slowest = [...perQuery.entries()].map(([q, t]) => [q, t.reduce((a, b) => a + b, 0) / t.length] as const).sort((a, b) => b[1] - a[1]).slice(0, 8);
console.log(`\nSlowest queries (mean of ${PASSES} passes): ${slowest.map(([q, t]) => `"${q}" ${ms(t)}`).join(', ')}`);
