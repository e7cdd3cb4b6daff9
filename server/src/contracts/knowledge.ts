/**
 * The knowledge base: articles (Markdown with YAML front matter in `knowledge-base/`, imported at
 * start and editable in the desk), their versions (draft → review → published, history kept) and
 * search. Shared by the server, the desk and the portal. Pure zod, no runtime dependencies.
 */
import { z } from 'zod';
import { isCalendarDate } from './forms.js';
import type { SnippetPart } from './history.js';

export const KNOWLEDGE_AUDIENCES = ['patient', 'agent', 'both'] as const;
export const KNOWLEDGE_LANGUAGES = ['en', 'es'] as const;
/** A version's life: written (draft), waiting for an editor's approval (review), live (published), replaced by a later published one (superseded). */
export const KNOWLEDGE_STATUSES = ['draft', 'review', 'published', 'superseded'] as const;
/** Staff roles that may write, review and publish articles (and read drafts). */
export const KNOWLEDGE_EDITOR_ROLES = ['supervisor', 'admin'] as const;

export type KnowledgeAudience = (typeof KNOWLEDGE_AUDIENCES)[number];
export type KnowledgeLanguage = (typeof KNOWLEDGE_LANGUAGES)[number];
export type KnowledgeStatus = (typeof KNOWLEDGE_STATUSES)[number];

/** Code systems a condition may name, by their short form in front matter. */
export const CONDITION_SYSTEMS = {
  icd10cm: 'http://hl7.org/fhir/sid/icd-10-cm',
  snomed: 'http://snomed.info/sct',
} as const;

export const KNOWLEDGE_LIMITS = {
  id: 80,
  title: 200,
  summary: 400,
  category: 40,
  tag: 40,
  tags: 20,
  conditions: 20,
  owner: 120,
  /** Markdown body, in characters. */
  body: 40_000,
  /** Search text; longer is refused (a 10 kB paste is taken, only its first words are used). */
  query: 12_000,
} as const;

/** An article id: a lower-case slug, e.g. `high-blood-pressure`. */
export const articleIdSchema = z
  .string()
  .max(KNOWLEDGE_LIMITS.id)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a lower-case slug like high-blood-pressure');

const categorySchema = z
  .string()
  .max(KNOWLEDGE_LIMITS.category)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a lower-case slug like appointments');

const calendarDateSchema = z
  .preprocess((v) => (v instanceof Date && !Number.isNaN(v.getTime()) ? v.toISOString().slice(0, 10) : v), z.string())
  .refine(isCalendarDate, 'must be a date written YYYY-MM-DD');

/**
 * A related code: `system|code`, the system as a short form (`icd10cm`, `snomed`) or its URI
 * (`http://hl7.org/fhir/sid/icd-10-cm`, `http://snomed.info/sct`), e.g. `icd10cm|I10`, `snomed|38341003`.
 */
export const conditionCodeSchema = z
  .string()
  .max(120)
  .regex(/^[^|\s]+\|[A-Za-z0-9.-]{1,30}$/, 'must be system|code, e.g. icd10cm|I10 or snomed|38341003')
  .refine((v) => {
    const system = v.slice(0, v.indexOf('|'));
    return system in CONDITION_SYSTEMS || (Object.values(CONDITION_SYSTEMS) as string[]).includes(system);
  }, 'the system must be icd10cm, snomed or one of their URIs');

/** The fields an article has besides its body: the front matter of a file, the form in the desk. */
const articleFields = {
  title: z.string().trim().min(1).max(KNOWLEDGE_LIMITS.title),
  summary: z.string().trim().min(1).max(KNOWLEDGE_LIMITS.summary),
  audience: z.enum(KNOWLEDGE_AUDIENCES),
  category: categorySchema,
  tags: z.array(z.string().trim().min(1).max(KNOWLEDGE_LIMITS.tag)).max(KNOWLEDGE_LIMITS.tags).default([]),
  conditions: z.array(conditionCodeSchema).max(KNOWLEDGE_LIMITS.conditions).default([]),
  language: z.enum(KNOWLEDGE_LANGUAGES),
  /** For a translation: the id of the article it translates. */
  translationOf: articleIdSchema.optional(),
  /** When the content must next be checked by its owner. */
  reviewDate: calendarDateSchema,
  owner: z.string().trim().min(1).max(KNOWLEDGE_LIMITS.owner),
};

/** A file's YAML front matter (knowledge-base/README.md). Unknown keys are refused, so typos show. */
export const articleFrontMatterSchema = z
  .strictObject({ id: articleIdSchema, ...articleFields })
  .refine((a) => a.translationOf !== a.id, { message: 'an article cannot translate itself', path: ['translationOf'] });
export type ArticleFrontMatter = z.infer<typeof articleFrontMatterSchema>;

const bodySchema = z.string().max(KNOWLEDGE_LIMITS.body).refine((b) => b.trim().length > 0, 'must not be empty');

/** `POST /api/knowledge/articles`: a new article, as a draft. Without `id`, one is made from the title. */
export const createArticleRequestSchema = z.strictObject({
  id: articleIdSchema.optional(),
  ...articleFields,
  body: bodySchema,
});
export type CreateArticleRequest = z.input<typeof createArticleRequestSchema>;

/**
 * `PUT /api/knowledge/articles/:id/draft`: the article's open draft as it should be now (a new draft
 * from these fields when none is open). `baseVersion`: the version the editor started from; when
 * someone else has saved the draft since, 409.
 */
export const updateDraftRequestSchema = z.strictObject({
  ...articleFields,
  body: bodySchema,
  baseVersion: z.number().int().min(1).optional(),
});
export type UpdateDraftRequest = z.input<typeof updateDraftRequestSchema>;

/** `GET /api/knowledge/search` */
export const knowledgeSearchQuerySchema = z.strictObject({
  q: z.string().max(KNOWLEDGE_LIMITS.query),
  /** patient: articles for patients (patient and both); agent: for staff (agent and both); both: only those written for both. */
  audience: z.enum(KNOWLEDGE_AUDIENCES).optional(),
  language: z.enum(KNOWLEDGE_LANGUAGES).optional(),
  category: categorySchema.optional(),
  limit: z.coerce.number().int().min(1).max(50).default(10),
});
export type KnowledgeSearchQuery = Omit<z.input<typeof knowledgeSearchQuerySchema>, 'limit'> & { limit?: number };

/** `GET /api/knowledge/articles`: browse (editors may list drafts and articles in review by status). */
export const knowledgeListQuerySchema = z.strictObject({
  audience: z.enum(KNOWLEDGE_AUDIENCES).optional(),
  language: z.enum(KNOWLEDGE_LANGUAGES).optional(),
  category: categorySchema.optional(),
  status: z.enum(['published', 'draft', 'review']).optional(),
});
export type KnowledgeListQuery = z.input<typeof knowledgeListQuerySchema>;

export interface KnowledgeSearchResult {
  id: string;
  title: string;
  summary: string;
  /** The best matching passage, the matched words marked. */
  snippet: SnippetPart[];
  /** Higher is better (BM25, field-weighted); only comparable within one response. */
  score: number;
  audience: KnowledgeAudience;
  category: string;
  language: KnowledgeLanguage;
  tags: string[];
}

export interface KnowledgeSearchResponse {
  results: KnowledgeSearchResult[];
  /** When a typed word was taken for another (spelling): the query as searched, e.g. "diabetes diet" for "diabetis diet". */
  correctedQuery: string | null;
}

export interface KnowledgeArticleSummary {
  id: string;
  title: string;
  summary: string;
  audience: KnowledgeAudience;
  category: string;
  language: KnowledgeLanguage;
  tags: string[];
  reviewDate: string;
  owner: string;
  /** The version shown (the published one for readers). */
  version: number;
  status: KnowledgeStatus;
  updatedAt: string;
}

export interface KnowledgeArticle extends KnowledgeArticleSummary {
  conditions: string[];
  translationOf: string | null;
  /** This article in the other languages (published ones for readers). */
  translations: Array<{ id: string; language: KnowledgeLanguage; title: string }>;
  /** Markdown. Clients render it with a Markdown library and sanitize the HTML. */
  body: string;
  /** The body's paragraphs as plain text (what an agent can paste into a chat). */
  excerpts: string[];
  /** Published articles on the same topics (shared tags, conditions, category), for the same readers and language. */
  related: Array<{ id: string; title: string; summary: string }>;
  /** The published version's number, if any. */
  publishedVersion: number | null;
  /** Editors: the open draft or review version, if any. */
  pending: { version: number; status: 'draft' | 'review' } | null;
}

export interface KnowledgeListResponse {
  articles: KnowledgeArticleSummary[];
  /** Categories among the listed articles, with counts. */
  categories: Array<{ category: string; count: number }>;
}

export interface KnowledgeVersionSummary {
  version: number;
  status: KnowledgeStatus;
  title: string;
  /** Where it came from: a file of knowledge-base/, the desk's editor, or a restore of an older version. */
  source: 'file' | 'editor' | 'restore';
  createdAt: string;
  createdBy: string | null;
  publishedAt: string | null;
  publishedBy: string | null;
  /** For a restore: the version it copied. */
  restoredFrom: number | null;
}

export interface KnowledgeVersionsResponse {
  id: string;
  versions: KnowledgeVersionSummary[];
}

/** A saved, submitted, published or restored article: what the editor needs to carry on. */
export interface KnowledgeWriteResponse {
  id: string;
  version: number;
  status: KnowledgeStatus;
  publishedVersion: number | null;
}

export interface KnowledgeReviewDueItem {
  id: string;
  title: string;
  language: KnowledgeLanguage;
  owner: string;
  reviewDate: string;
  /** The review date has passed. */
  overdue: boolean;
  /** Days until the review date (negative when overdue). */
  daysLeft: number;
}

export interface KnowledgeReviewDueResponse {
  /** Published articles whose review date has passed or falls within `withinDays`, soonest first. */
  items: KnowledgeReviewDueItem[];
  withinDays: number;
}

/** The portal path an article card opens. */
export const portalArticlePath = (id: string) => `/portal/#/library/${encodeURIComponent(id)}`;

/**
 * `health-bot/vocabulary/synonyms.json`: groups of words and phrases that mean the same to a
 * patient or a clinician ("high blood pressure" ↔ "hypertension" ↔ "HBP"). Search widens a query
 * with its group; the health bot reads the same file. Format: health-bot/vocabulary/README.md.
 */
export const synonymGroupSchema = z.strictObject({
  /** A stable name for the group, e.g. `hypertension`. */
  id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a lower-case slug').max(80),
  /** The language its terms are written in; `any` for codes and abbreviations used in both. */
  language: z.enum([...KNOWLEDGE_LANGUAGES, 'any']),
  /**
   * `equivalent` (default): any term finds all the others. `oneway`: every later term also finds the
   * first, not the reverse ("sugar" finds "diabetes"; "diabetes" does not find everything about sugar).
   */
  mode: z.enum(['equivalent', 'oneway']).default('equivalent'),
  /** Words or phrases, as people type them; case and accents do not matter. */
  terms: z.array(z.string().trim().min(1).max(80)).min(2).max(40),
});
export type SynonymGroup = z.infer<typeof synonymGroupSchema>;

export const synonymsFileSchema = z.strictObject({
  $comment: z.string().optional(),
  version: z.literal(1),
  groups: z.array(synonymGroupSchema).max(20_000),
});
export type SynonymsFile = z.infer<typeof synonymsFileSchema>;
