/**
 * The knowledge base's logic: importing `knowledge-base/` files, search with synonyms and spelling
 * correction, reading by who asks, and the editors' workflow (draft → review → published, versions,
 * restore). Who may see what:
 *
 * - `public` (anonymous visitors and signed-in patients): published articles for patients (audience
 *   `patient` or `both`); anything else is "not found".
 * - `staff`: every published article.
 * - `editor` (supervisors, admins): drafts and articles in review too, versions, review dates.
 */
import type { Logger } from '../platform/logging.js';
import type { AuditLog } from '../platform/audit/audit.js';
import { conflict, notFound, unprocessable } from '../platform/errors.js';
import {
  CONDITION_SYSTEMS,
  type ArticleFrontMatter,
  type KnowledgeArticle,
  type KnowledgeArticleSummary,
  type KnowledgeAudience,
  type KnowledgeLanguage,
  type KnowledgeListQuery,
  type KnowledgeListResponse,
  type KnowledgeReviewDueResponse,
  type KnowledgeSearchResponse,
  type KnowledgeStatus,
  type KnowledgeVersionsResponse,
  type KnowledgeWriteResponse,
} from '../contracts/knowledge.js';
import type { createArticleRequestSchema, knowledgeSearchQuerySchema, updateDraftRequestSchema } from '../contracts/knowledge.js';
import type { z } from 'zod';
import { readArticleFiles, type FileProblem } from './content.js';
import { planSearch, type SearchPlan } from './query-plan.js';
import { snippetParts } from '../platform/db/fts-snippet.js';
import type { IndexFilter, KnowledgeIndex, VocabularyScope } from './search-index.js';
import { SpellingCorrector } from './spelling.js';
import type { KnowledgeStore, PublishedRow, VersionRow } from './store.js';
import { Synonyms } from './synonyms.js';
import { excerpts, markdownPlainText, slugFor, STOP_WORDS, words } from './text.js';

export interface Editor {
  kind: 'editor';
  userId: string;
  role: string;
}
export type Viewer = { kind: 'public' } | { kind: 'staff'; userId: string; role: string } | Editor;

/** Where a write came from, for the audit row. */
export interface WriteMeta {
  ip?: string | null;
  requestId?: string | null;
}

export interface ImportReport {
  created: number;
  updated: number;
  unchanged: number;
  skipped: FileProblem[];
}

export interface KnowledgeServiceDeps {
  store: KnowledgeStore;
  index: KnowledgeIndex;
  synonyms: Synonyms;
  audit: Pick<AuditLog, 'record'>;
  logger: Pick<Logger, 'info' | 'warn'>;
  now?: () => Date;
}

type ArticleInput = z.infer<typeof createArticleRequestSchema> | z.infer<typeof updateDraftRequestSchema>;

const PUBLIC_AUDIENCES: readonly KnowledgeAudience[] = ['patient', 'both'];
const AUDIENCES_FOR: Record<KnowledgeAudience, readonly KnowledgeAudience[]> = {
  patient: ['patient', 'both'],
  agent: ['agent', 'both'],
  both: ['both'],
};
const RELATED_COUNT = 4;

export class KnowledgeService {
  private readonly now: () => Date;
  private readonly correctors = new Map<VocabularyScope, { generation: number; value: SpellingCorrector }>();

  constructor(private readonly deps: KnowledgeServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  // ─── Import ────────────────────────────────────────────────────────────────

  /**
   * Imports every article file of `dir`: a new file becomes a published article, a changed one a new
   * published version (the one before it superseded); an unchanged one is left alone. A file that
   * fails validation is logged with its field and skipped, and what was published from it stays.
   */
  importDirectory(dir: string): ImportReport {
    const report: ImportReport = { created: 0, updated: 0, unchanged: 0, skipped: [] };
    const files = readArticleFiles(dir);
    const ids = new Set(files.flatMap((f) => (f.ok ? [f.article.frontMatter.id] : [])));
    // One transaction for the whole folder: the import is all or nothing, and one fsync, not one per file.
    this.deps.store.transaction(() => {
      for (const parsed of files) {
        if (!parsed.ok) {
          report.skipped.push(parsed.problem);
          this.deps.logger.warn({ file: parsed.problem.file, field: parsed.problem.field, problem: parsed.problem.message }, 'knowledge article file skipped');
          continue;
        }
        const { frontMatter, body, hash, file } = parsed.article;
        if (frontMatter.translationOf !== undefined && !ids.has(frontMatter.translationOf) && !this.deps.store.article(frontMatter.translationOf)) {
          this.deps.logger.warn({ file, field: 'translationOf', problem: `no article ${frontMatter.translationOf}` }, 'knowledge article translates an unknown article');
        }
        const outcome = ((): 'created' | 'updated' | 'unchanged' => {
          const existing = this.deps.store.article(frontMatter.id);
          if (existing?.file_hash === hash) return 'unchanged' as const;
          const at = this.now().toISOString();
          const version = (existing?.latest_version ?? 0) + 1;
          const row = versionRow(frontMatter.id, version, 'published', { ...frontMatter, body }, { source: 'file', at, by: null });
          row.published_at = at;
          if (existing) {
            this.supersede(existing.published_version, frontMatter.id, at);
            this.deps.store.insertVersion(row);
            this.deps.store.updateArticle({ ...existing, published_version: version, latest_version: version, source_file: file, file_hash: hash, updated_at: at });
            this.deps.index.put(indexed(existing.seq, row));
            return 'updated' as const;
          }
          const seq = this.deps.store.nextSeq();
          this.deps.store.insertArticle({ id: frontMatter.id, seq, published_version: version, latest_version: version, source_file: file, file_hash: hash, created_at: at, updated_at: at });
          this.deps.store.insertVersion(row);
          this.deps.index.put(indexed(seq, row));
          return 'created' as const;
        })();
        report[outcome] += 1;
      }
    });
    this.deps.logger.info({ dir, created: report.created, updated: report.updated, unchanged: report.unchanged, skipped: report.skipped.length }, 'knowledge base imported');
    return report;
  }

  // ─── Search and reading ────────────────────────────────────────────────────

  /**
   * The plan a query becomes (synonyms, corrections, prefix), against the index as it is now:
   * corrected against the words of the articles the viewer may read.
   */
  plan(text: string, scope: VocabularyScope): SearchPlan {
    return planSearch(text, { synonyms: this.deps.synonyms, spelling: this.spelling(scope) });
  }

  async search(viewer: Viewer, query: z.infer<typeof knowledgeSearchQuerySchema>): Promise<KnowledgeSearchResponse> {
    const plan = this.plan(query.q, viewer.kind === 'public' ? 'public' : 'staff');
    const filter: IndexFilter = {
      audiences: audiencesFor(viewer, query.audience),
      ...(query.language ? { language: query.language } : {}),
      ...(query.category ? { category: query.category } : {}),
    };
    if (filter.audiences!.length === 0) return { results: [], correctedQuery: plan.correctedQuery };
    const hits = await this.deps.index.search(plan, filter, query.limit);
    const results = hits.flatMap((hit) => {
      const row = this.deps.store.publishedVersionOf(hit.id);
      if (!row) return [];
      return [
        {
          id: row.article_id,
          title: row.title,
          summary: row.summary,
          snippet: snippetParts(hit.passage),
          score: hit.score,
          audience: row.audience as KnowledgeAudience,
          category: row.category,
          language: row.language as KnowledgeLanguage,
          tags: JSON.parse(row.tags) as string[],
        },
      ];
    });
    return { results, correctedQuery: plan.correctedQuery };
  }

  /** Browse: published articles (editors: each article's open version when it has one, or by status). */
  list(viewer: Viewer, query: KnowledgeListQuery): KnowledgeListResponse {
    const allowed = audiencesFor(viewer, query.audience);
    const editing = viewer.kind === 'editor' && query.status !== undefined && query.status !== 'published';
    const rows = (editing ? this.deps.store.current() : this.deps.store.published()).filter(
      (row) =>
        allowed.includes(row.audience as KnowledgeAudience) &&
        (query.language === undefined || row.language === query.language) &&
        (query.category === undefined || row.category === query.category) &&
        (!editing || row.status === query.status),
    );
    const counts = new Map<string, number>();
    for (const row of rows) counts.set(row.category, (counts.get(row.category) ?? 0) + 1);
    return {
      articles: rows.map(summaryOf),
      categories: [...counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([category, count]) => ({ category, count })),
    };
  }

  /** An article as this viewer may read it: the published version (editors: the open one when nothing is published). */
  async read(viewer: Viewer, id: string): Promise<KnowledgeArticle> {
    const article = this.deps.store.article(id);
    if (!article) throw notFound('Article', id);
    const published = this.deps.store.publishedVersionOf(id);
    const open = viewer.kind === 'editor' ? this.deps.store.openVersion(id) : undefined;
    const shown: VersionRow | undefined = published ?? open;
    if (!shown || !this.mayRead(viewer, shown)) throw notFound('Article', id);
    return this.present(viewer, shown, article.published_version, open);
  }

  /** One version in full (editors). */
  async readVersion(editor: Editor, id: string, version: number): Promise<KnowledgeArticle> {
    const article = this.deps.store.article(id);
    const row = article ? this.deps.store.version(id, version) : undefined;
    if (!article || !row) throw notFound('Version', `${version} of ${id}`);
    return this.present(editor, row, article.published_version, this.deps.store.openVersion(id));
  }

  versions(id: string): KnowledgeVersionsResponse {
    if (!this.deps.store.article(id)) throw notFound('Article', id);
    return {
      id,
      versions: this.deps.store.versions(id).map((v) => ({
        version: v.version,
        status: v.status as KnowledgeStatus,
        title: v.title,
        source: v.source as 'file' | 'editor' | 'restore',
        createdAt: v.created_at,
        createdBy: v.created_by,
        publishedAt: v.published_at,
        publishedBy: v.published_by,
        restoredFrom: v.restored_from,
      })),
    };
  }

  /** Published articles whose review date has passed or comes within `withinDays` days, soonest first. */
  reviewDue(withinDays: number): KnowledgeReviewDueResponse {
    const today = dayNumber(this.now().toISOString().slice(0, 10));
    const limit = new Date((today + withinDays) * 86_400_000).toISOString().slice(0, 10);
    return {
      withinDays,
      items: this.deps.store.reviewDueBy(limit).map((row) => {
        const daysLeft = dayNumber(row.review_date) - today;
        return { id: row.article_id, title: row.title, language: row.language as KnowledgeLanguage, owner: row.owner, reviewDate: row.review_date, overdue: daysLeft < 0, daysLeft };
      }),
    };
  }

  // ─── Editing ───────────────────────────────────────────────────────────────

  create(editor: Editor, input: z.infer<typeof createArticleRequestSchema>, meta: WriteMeta = {}): KnowledgeWriteResponse {
    const id = input.id ?? slugFor(input.title);
    this.checkTranslation(id, input);
    return this.deps.store.transaction(() => {
      if (this.deps.store.article(id)) throw conflict(`An article with the id "${id}" already exists: choose another id.`, { id });
      const at = this.now().toISOString();
      this.deps.store.insertArticle({ id, seq: this.deps.store.nextSeq(), published_version: null, latest_version: 1, source_file: null, file_hash: null, created_at: at, updated_at: at });
      this.deps.store.insertVersion(versionRow(id, 1, 'draft', input, { source: 'editor', at, by: editor.userId }));
      this.audit(editor, 'knowledge.create', id, { version: 1 }, meta);
      return { id, version: 1, status: 'draft', publishedVersion: null };
    });
  }

  /** Saves the open draft (one in review goes back to draft), or starts a new draft from these fields. */
  updateDraft(editor: Editor, id: string, input: z.infer<typeof updateDraftRequestSchema>, meta: WriteMeta = {}): KnowledgeWriteResponse {
    this.checkTranslation(id, input);
    return this.deps.store.transaction(() => {
      const article = this.deps.store.article(id);
      if (!article) throw notFound('Article', id);
      const open = this.deps.store.openVersion(id);
      const expected = open?.version ?? article.published_version ?? article.latest_version;
      if (input.baseVersion !== undefined && input.baseVersion !== expected) {
        throw conflict(`The article changed since you opened version ${input.baseVersion} (now ${open ? `draft ${open.version}` : `version ${expected}`}): reload it.`, { currentVersion: expected });
      }
      const at = this.now().toISOString();
      const version = this.saveDraft(article.latest_version, open, id, input, { source: 'editor', at, by: editor.userId, restoredFrom: null });
      this.deps.store.updateArticle({ ...article, latest_version: Math.max(article.latest_version, version), updated_at: at });
      this.audit(editor, 'knowledge.update', id, { version }, meta);
      return { id, version, status: 'draft', publishedVersion: article.published_version };
    });
  }

  submit(editor: Editor, id: string, meta: WriteMeta = {}): KnowledgeWriteResponse {
    return this.deps.store.transaction(() => {
      const article = this.deps.store.article(id);
      if (!article) throw notFound('Article', id);
      const open = this.deps.store.openVersion(id);
      if (!open) throw conflict('There is no draft to submit: edit the article first.');
      if (open.status === 'review') throw conflict(`Version ${open.version} is already waiting for review.`);
      const at = this.now().toISOString();
      this.deps.store.updateVersion({ ...open, status: 'review', updated_at: at });
      this.deps.store.updateArticle({ ...article, updated_at: at });
      this.audit(editor, 'knowledge.submit', id, { version: open.version }, meta);
      return { id, version: open.version, status: 'review', publishedVersion: article.published_version };
    });
  }

  /** Publishes the version in review: patients and staff read it, search finds it, the one before is superseded. */
  publish(editor: Editor, id: string, meta: WriteMeta = {}): KnowledgeWriteResponse {
    return this.deps.store.transaction(() => {
      const article = this.deps.store.article(id);
      if (!article) throw notFound('Article', id);
      const open = this.deps.store.openVersion(id);
      if (!open) throw conflict('There is nothing to publish: the published version is the latest.');
      if (open.status !== 'review') throw conflict(`Version ${open.version} is a draft: submit it for review before publishing.`);
      const at = this.now().toISOString();
      this.supersede(article.published_version, id, at);
      const row: VersionRow = { ...open, status: 'published', updated_at: at, published_at: at, published_by: editor.userId };
      this.deps.store.updateVersion(row);
      this.deps.store.updateArticle({ ...article, published_version: open.version, updated_at: at });
      this.deps.index.put(indexed(article.seq, row));
      this.audit(editor, 'knowledge.publish', id, { version: open.version, previous: article.published_version }, meta);
      return { id, version: open.version, status: 'published', publishedVersion: open.version };
    });
  }

  /** Copies an older version into the open draft (or a new one), to be reviewed and published again. */
  restore(editor: Editor, id: string, version: number, meta: WriteMeta = {}): KnowledgeWriteResponse {
    return this.deps.store.transaction(() => {
      const article = this.deps.store.article(id);
      const source = article ? this.deps.store.version(id, version) : undefined;
      if (!article || !source) throw notFound('Version', `${version} of ${id}`);
      const open = this.deps.store.openVersion(id);
      if (open?.version === version) throw conflict(`Version ${version} is the open draft already.`);
      const at = this.now().toISOString();
      const input = fieldsOf(source);
      const saved = this.saveDraft(article.latest_version, open, id, input, { source: 'restore', at, by: editor.userId, restoredFrom: version });
      this.deps.store.updateArticle({ ...article, latest_version: Math.max(article.latest_version, saved), updated_at: at });
      this.audit(editor, 'knowledge.restore', id, { version: saved, restoredFrom: version }, meta);
      return { id, version: saved, status: 'draft', publishedVersion: article.published_version };
    });
  }

  // ─── Helpers ───────────────────────────────────────────────────────────────

  private saveDraft(
    latest: number,
    open: VersionRow | undefined,
    id: string,
    input: ArticleInput,
    how: { source: 'editor' | 'restore'; at: string; by: string; restoredFrom: number | null },
  ): number {
    if (open) {
      const row = versionRow(id, open.version, 'draft', input, { source: how.source, at: open.created_at, by: open.created_by });
      this.deps.store.updateVersion({ ...row, restored_from: how.restoredFrom, updated_at: how.at });
      return open.version;
    }
    const row = versionRow(id, latest + 1, 'draft', input, { source: how.source, at: how.at, by: how.by });
    this.deps.store.insertVersion({ ...row, restored_from: how.restoredFrom });
    return latest + 1;
  }

  private supersede(version: number | null, id: string, at: string): void {
    if (version === null) return;
    const previous = this.deps.store.version(id, version);
    if (previous) this.deps.store.updateVersion({ ...previous, status: 'superseded', updated_at: at });
  }

  private checkTranslation(id: string, input: ArticleInput): void {
    if (input.translationOf === undefined) return;
    if (input.translationOf === id) throw unprocessable('An article cannot be a translation of itself.', { field: 'translationOf' });
    if (!this.deps.store.article(input.translationOf)) throw unprocessable(`translationOf: there is no article "${input.translationOf}".`, { field: 'translationOf' });
  }

  private mayRead(viewer: Viewer, row: VersionRow): boolean {
    if (viewer.kind === 'public') return row.status === 'published' && PUBLIC_AUDIENCES.includes(row.audience as KnowledgeAudience);
    if (viewer.kind === 'staff') return row.status === 'published';
    return true;
  }

  private async present(viewer: Viewer, row: VersionRow, publishedVersion: number | null, open: VersionRow | undefined): Promise<KnowledgeArticle> {
    const article = this.deps.store.article(row.article_id)!;
    const root = row.translation_of ?? row.article_id;
    const translations = this.deps.store
      .translationFamily(row.article_id, root)
      .filter((t) => t.language !== row.language || t.article_id !== row.article_id)
      .filter((t) => this.mayRead(viewer, t))
      .map((t) => ({ id: t.article_id, language: t.language as KnowledgeLanguage, title: t.title }));
    return {
      ...summaryOf({ ...row, seq: article.seq, published_version: publishedVersion, latest_version: article.latest_version }),
      conditions: JSON.parse(row.conditions) as string[],
      translationOf: row.translation_of,
      translations,
      body: row.body,
      excerpts: excerpts(row.body),
      related: await this.related(viewer, row, [row.article_id, ...translations.map((t) => t.id)]),
      publishedVersion,
      pending: viewer.kind === 'editor' && open ? { version: open.version, status: open.status as 'draft' | 'review' } : null,
    };
  }

  /** Published articles sharing the most tags, conditions and category words, same language, readable by the viewer. */
  private async related(viewer: Viewer, row: VersionRow, exclude: string[]): Promise<KnowledgeArticle['related']> {
    const tags = JSON.parse(row.tags) as string[];
    const phrases = [...tags, ...(JSON.parse(row.conditions) as string[]).map(conditionCode), row.category.replace(/-/g, ' ')]
      .map((t) => words(t).filter((w) => !STOP_WORDS.has(w)))
      .filter((w) => w.length > 0);
    if (phrases.length === 0) return [];
    const hits = await this.deps.index.search(
      { groups: [{ alternatives: phrases.map((w) => ({ words: w, prefix: false })) }], correctedQuery: null },
      { audiences: audiencesFor(viewer, undefined), language: row.language as KnowledgeLanguage, exclude },
      RELATED_COUNT,
      'any',
    );
    return hits.flatMap((h) => {
      const r = this.deps.store.publishedVersionOf(h.id);
      return r ? [{ id: r.article_id, title: r.title, summary: r.summary }] : [];
    });
  }

  private spelling(scope: VocabularyScope): SpellingCorrector {
    const generation = this.deps.index.generation;
    let corrector = this.correctors.get(scope);
    if (corrector?.generation !== generation) {
      const entries = [...this.deps.index.vocabulary(scope)];
      for (const word of this.deps.synonyms.allWords()) entries.push({ word, documents: 0 });
      for (const word of STOP_WORDS) entries.push({ word, documents: 0 });
      corrector = { generation, value: new SpellingCorrector(entries) };
      this.correctors.set(scope, corrector);
    }
    return corrector.value;
  }

  private audit(editor: Editor, action: string, id: string, details: Record<string, unknown>, meta: WriteMeta): void {
    this.deps.audit.record({ actorId: editor.userId, actorRole: editor.role, action, resourceType: 'KnowledgeArticle', resourceId: id, details, ip: meta.ip ?? null, requestId: meta.requestId ?? null });
  }
}

/** The audiences a viewer may see among those asked for. */
function audiencesFor(viewer: Viewer, asked: KnowledgeAudience | undefined): KnowledgeAudience[] {
  const wanted = asked ? AUDIENCES_FOR[asked] : (['patient', 'agent', 'both'] as const);
  return wanted.filter((a) => viewer.kind !== 'public' || PUBLIC_AUDIENCES.includes(a));
}

function conditionCode(condition: string): string {
  return condition.slice(condition.indexOf('|') + 1);
}

/** `icd10cm|I10` as stored: the system's URI, then the code. */
function normalizedCondition(condition: string): string {
  const at = condition.indexOf('|');
  const system = condition.slice(0, at);
  const uri = (CONDITION_SYSTEMS as Record<string, string>)[system] ?? system;
  return `${uri}|${condition.slice(at + 1)}`;
}

function versionRow(
  id: string,
  version: number,
  status: KnowledgeStatus,
  input: ArticleInput | (ArticleFrontMatter & { body: string }),
  how: { source: 'file' | 'editor' | 'restore'; at: string; by: string | null },
): VersionRow {
  return {
    article_id: id,
    version,
    status,
    title: input.title,
    summary: input.summary,
    audience: input.audience,
    category: input.category,
    tags: JSON.stringify(input.tags ?? []),
    conditions: JSON.stringify((input.conditions ?? []).map(normalizedCondition)),
    language: input.language,
    translation_of: input.translationOf ?? null,
    review_date: input.reviewDate as string,
    owner: input.owner,
    body: input.body,
    source: how.source,
    restored_from: null,
    created_at: how.at,
    created_by: how.by,
    updated_at: how.at,
    published_at: null,
    published_by: null,
  };
}

function fieldsOf(row: VersionRow): z.infer<typeof updateDraftRequestSchema> {
  return {
    title: row.title,
    summary: row.summary,
    audience: row.audience as KnowledgeAudience,
    category: row.category,
    tags: JSON.parse(row.tags) as string[],
    conditions: JSON.parse(row.conditions) as string[],
    language: row.language as KnowledgeLanguage,
    ...(row.translation_of ? { translationOf: row.translation_of } : {}),
    reviewDate: row.review_date,
    owner: row.owner,
    body: row.body,
  };
}

function indexed(seq: number, row: VersionRow) {
  const conditions = (JSON.parse(row.conditions) as string[]).map(conditionCode);
  return {
    seq,
    id: row.article_id,
    title: row.title,
    summary: row.summary,
    body: markdownPlainText(row.body),
    keywords: [...(JSON.parse(row.tags) as string[]), ...conditions].join(', '),
    language: row.language as KnowledgeLanguage,
    audience: row.audience as KnowledgeAudience,
    category: row.category,
  };
}

function summaryOf(row: PublishedRow): KnowledgeArticleSummary {
  return {
    id: row.article_id,
    title: row.title,
    summary: row.summary,
    audience: row.audience as KnowledgeAudience,
    category: row.category,
    language: row.language as KnowledgeLanguage,
    tags: JSON.parse(row.tags) as string[],
    reviewDate: row.review_date,
    owner: row.owner,
    version: row.version,
    status: row.status as KnowledgeStatus,
    updatedAt: row.updated_at,
  };
}

function dayNumber(date: string): number {
  return Math.floor(Date.parse(`${date}T00:00:00Z`) / 86_400_000);
}


export { Synonyms };
