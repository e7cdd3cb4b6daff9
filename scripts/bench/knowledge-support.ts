/**
 * What both knowledge benchmarks share: a knowledge module on a fresh SQLite file (the real
 * migrations), the shipped articles and synonyms, and MiniSearch with its default settings over the
 * same articles as the baseline.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import MiniSearch from 'minisearch';
import { openDatabase, type DatabaseHandle } from '../../server/src/platform/db/index.js';
import { OpenApiRegistry } from '../../server/src/platform/http/openapi.js';
import { createLogger } from '../../server/src/platform/logging.js';
import { createKnowledgeModule, markdownPlainText, readArticleFiles, type KnowledgeService } from '../../server/src/knowledge/index.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const KNOWLEDGE_DIR = path.join(ROOT, 'knowledge-base');
export const SYNONYMS_FILE = path.join(ROOT, 'health-bot/vocabulary/synonyms.json');

export interface PlainArticle {
  id: string;
  title: string;
  summary: string;
  body: string;
  tags: string;
  audience: 'patient' | 'agent' | 'both';
  language: 'en' | 'es';
  category: string;
}

/** The shipped articles, parsed and validated like the server does, bodies as plain text. */
export function shippedArticles(): PlainArticle[] {
  return readArticleFiles(KNOWLEDGE_DIR).flatMap((f) =>
    f.ok
      ? [
          {
            id: f.article.frontMatter.id,
            title: f.article.frontMatter.title,
            summary: f.article.frontMatter.summary,
            body: markdownPlainText(f.article.body),
            tags: f.article.frontMatter.tags.join(', '),
            audience: f.article.frontMatter.audience,
            language: f.article.frontMatter.language,
            category: f.article.frontMatter.category,
          },
        ]
      : [],
  );
}

export interface KnowledgeBench {
  service: KnowledgeService;
  database: DatabaseHandle;
  dir: string;
  close(): Promise<void>;
}

/** A knowledge module on a new database in a temp folder, importing `contentDir` (timed by the caller). */
export async function knowledgeOnFreshDatabase(): Promise<KnowledgeBench & { importFrom(dir: string): ReturnType<KnowledgeService['importDirectory']> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-kb-bench-'));
  const database = await openDatabase(path.join(dir, 'bench.db'));
  const module = createKnowledgeModule({
    sqlite: database.sqlite,
    // Editing is not benchmarked: nothing here writes audit rows.
    audit: { record: () => undefined as never },
    openapi: new OpenApiRegistry(),
    logger: createLogger('warn'),
    contentDir: null,
    synonymsFile: SYNONYMS_FILE,
  });
  return {
    service: module.api,
    database,
    dir,
    importFrom: (contentDir: string) => module.api.importDirectory(contentDir),
    close: async () => {
      await database.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** MiniSearch with default options (no boosts, no fuzzy, no prefix) over title, summary, body and tags. */
export function miniSearchOver(articles: readonly PlainArticle[]): MiniSearch<PlainArticle> {
  const index = new MiniSearch<PlainArticle>({ fields: ['title', 'summary', 'body', 'tags'], storeFields: ['audience', 'language'] });
  index.addAll(articles);
  return index;
}

/** The audiences a reader sees: patients patient and both articles, agents all. */
export const audiencesOf = (by: 'patient' | 'agent') => (by === 'patient' ? ['patient', 'both'] : ['patient', 'agent', 'both']);

export const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
