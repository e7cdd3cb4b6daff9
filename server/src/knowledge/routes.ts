/**
 * Knowledge base routes under `/api/knowledge`: search and read (anyone; what each caller sees is
 * decided by the service: patients and visitors published patient articles, staff every published
 * one, editors drafts too), browse, and the editors' workflow: create, save the draft, submit,
 * publish, versions, restore, review due.
 */
import type { Request, Router } from 'express';
import { z } from 'zod';
import {
  KNOWLEDGE_EDITOR_ROLES,
  articleIdSchema,
  createArticleRequestSchema,
  knowledgeListQuerySchema,
  knowledgeSearchQuerySchema,
  updateDraftRequestSchema,
  type KnowledgeSearchResponse,
} from '../contracts/knowledge.js';
import { addGuardedRoute, anyone, requireStaff, roles } from '../platform/auth/access.js';
import { notFound } from '../platform/errors.js';
import type { OpenApiRegistry } from '../platform/http/openapi.js';
import { requestMeta } from '../platform/http/request-meta.js';
import { parseInput } from '../platform/http/validation.js';
import type { Editor, KnowledgeService, Viewer } from './service.js';

const versionParam = z.coerce.number().int().min(1).max(1_000_000);
const reviewDueQuerySchema = z.strictObject({ withinDays: z.coerce.number().int().min(0).max(365).default(30) });
const editors = roles(...KNOWLEDGE_EDITOR_ROLES);

/** Who is asking, as the service's visibility rules see it. */
function viewerOf(req: Request): Viewer {
  const principal = req.principal;
  if (!principal || principal.kind === 'patient') return { kind: 'public' };
  const editor = (KNOWLEDGE_EDITOR_ROLES as readonly string[]).includes(principal.role);
  return editor ? { kind: 'editor', userId: principal.userId, role: principal.role } : { kind: 'staff', userId: principal.userId, role: principal.role };
}

function editorOf(req: Request): Editor {
  const principal = requireStaff(req, KNOWLEDGE_EDITOR_ROLES);
  return { kind: 'editor', userId: principal.userId, role: principal.role };
}

/** An unknown or malformed id is simply not found (no article has it). */
function articleIdOf(req: Request): string {
  const id = articleIdSchema.safeParse(req.params.id);
  if (!id.success) throw notFound('Article', String(req.params.id).slice(0, 100));
  return id.data;
}

function versionOf(req: Request): number {
  const version = versionParam.safeParse(req.params.version);
  if (!version.success) throw notFound('Version', String(req.params.version).slice(0, 20));
  return version.data;
}

export function registerKnowledgeRoutes(api: Router, ctx: { openapi: OpenApiRegistry; service: KnowledgeService }): void {
  const route = addGuardedRoute.bind(null, api, ctx.openapi);
  const tags = ['knowledge'];
  // Staff answers vary by who asks; nothing here may sit in a shared cache.
  const cacheHeaders = (req: Request) => (req.principal ? 'private, no-store' : 'public, max-age=60');

  route(
    {
      method: 'get',
      path: '/knowledge/search',
      summary:
        'Search published articles: words of title, summary, tags and body (title weighs most), medical synonyms, misspellings corrected, the last word a prefix; patients and visitors get patient articles only',
      tags,
      access: anyone,
      query: knowledgeSearchQuerySchema,
      responses: { 200: { description: '`{ results: [{ id, title, summary, snippet, score, … }], correctedQuery }`' }, 400: { description: 'A bad filter or limit' } },
    },
    async (req, res) => {
      const query = parseInput(knowledgeSearchQuerySchema, req.query, 'query');
      const body: KnowledgeSearchResponse = await ctx.service.search(viewerOf(req), query);
      res.setHeader('Cache-Control', cacheHeaders(req));
      res.json(body);
    },
  );

  route(
    {
      method: 'get',
      path: '/knowledge/articles',
      summary: 'Browse articles by category, audience and language (editors: `status=draft` or `review` lists open versions)',
      tags,
      access: anyone,
      query: knowledgeListQuerySchema,
      responses: { 200: { description: '`{ articles, categories }`' }, 400: { description: 'A bad filter' } },
    },
    (req, res) => {
      const query = parseInput(knowledgeListQuerySchema, req.query, 'query');
      res.setHeader('Cache-Control', cacheHeaders(req));
      res.json(ctx.service.list(viewerOf(req), query));
    },
  );

  route(
    {
      method: 'post',
      path: '/knowledge/articles',
      summary: 'Create an article as a draft (its id from the title unless given)',
      tags,
      access: editors,
      body: createArticleRequestSchema,
      responses: {
        201: { description: '`{ id, version, status: "draft", publishedVersion: null }`' },
        400: { description: 'A missing or invalid field (`details.issues` names each)' },
        409: { description: 'The id is taken' },
        422: { description: '`translationOf` names no article' },
      },
    },
    (req, res) => {
      const editor = editorOf(req);
      const body = parseInput(createArticleRequestSchema, req.body);
      const saved = ctx.service.create(editor, body, requestMeta(req));
      res.status(201).location(`/api/knowledge/articles/${saved.id}`).json(saved);
    },
  );

  route(
    {
      method: 'get',
      path: '/knowledge/articles/:id',
      summary: 'Read an article: its published version with translations and related articles (editors: the draft when nothing is published yet)',
      tags,
      access: anyone,
      responses: { 200: { description: 'The article' }, 404: { description: 'No such article, or none this caller may read' } },
    },
    async (req, res) => {
      const article = await ctx.service.read(viewerOf(req), articleIdOf(req));
      res.setHeader('Cache-Control', cacheHeaders(req));
      res.json(article);
    },
  );

  route(
    {
      method: 'put',
      path: '/knowledge/articles/:id/draft',
      summary: 'Save the article’s draft (a new draft when none is open; one in review goes back to draft)',
      tags,
      access: editors,
      body: updateDraftRequestSchema,
      responses: {
        200: { description: '`{ id, version, status: "draft", publishedVersion }`' },
        400: { description: 'A missing or invalid field' },
        404: { description: 'No such article' },
        409: { description: 'Saved by someone else since `baseVersion`' },
        422: { description: '`translationOf` names no article, or this one' },
      },
    },
    (req, res) => {
      const editor = editorOf(req);
      const id = articleIdOf(req);
      const body = parseInput(updateDraftRequestSchema, req.body);
      res.json(ctx.service.updateDraft(editor, id, body, requestMeta(req)));
    },
  );

  for (const [action, summary] of [
    ['submit', 'Submit the draft for review'],
    ['publish', 'Publish the version in review (the one before is superseded; search finds it at once)'],
  ] as const) {
    route(
      {
        method: 'post',
        path: `/knowledge/articles/:id/${action}`,
        summary,
        tags,
        access: editors,
        responses: { 200: { description: '`{ id, version, status, publishedVersion }`' }, 404: { description: 'No such article' }, 409: { description: 'Nothing in the right state' } },
      },
      (req, res) => {
        const editor = editorOf(req);
        const id = articleIdOf(req);
        res.json(action === 'submit' ? ctx.service.submit(editor, id, requestMeta(req)) : ctx.service.publish(editor, id, requestMeta(req)));
      },
    );
  }

  route(
    {
      method: 'get',
      path: '/knowledge/articles/:id/versions',
      summary: 'Every version of an article, newest first',
      tags,
      access: editors,
      responses: { 200: { description: '`{ id, versions }`' }, 404: { description: 'No such article' } },
    },
    (req, res) => {
      editorOf(req);
      res.setHeader('Cache-Control', 'private, no-store');
      res.json(ctx.service.versions(articleIdOf(req)));
    },
  );

  route(
    {
      method: 'get',
      path: '/knowledge/articles/:id/versions/:version',
      summary: 'One version of an article in full',
      tags,
      access: editors,
      responses: { 200: { description: 'The version' }, 404: { description: 'No such article or version' } },
    },
    async (req, res) => {
      const editor = editorOf(req);
      res.setHeader('Cache-Control', 'private, no-store');
      res.json(await ctx.service.readVersion(editor, articleIdOf(req), versionOf(req)));
    },
  );

  route(
    {
      method: 'post',
      path: '/knowledge/articles/:id/versions/:version/restore',
      summary: 'Restore an older version: its content becomes the draft, to be reviewed and published',
      tags,
      access: editors,
      responses: { 200: { description: '`{ id, version, status: "draft", publishedVersion }`' }, 404: { description: 'No such article or version' }, 409: { description: 'That version is the open draft' } },
    },
    (req, res) => {
      const editor = editorOf(req);
      res.json(ctx.service.restore(editor, articleIdOf(req), versionOf(req), requestMeta(req)));
    },
  );

  route(
    {
      method: 'get',
      path: '/knowledge/review-due',
      summary: 'Published articles whose review date has passed or comes within `withinDays` (default 30)',
      tags,
      access: editors,
      query: reviewDueQuerySchema,
      responses: { 200: { description: '`{ items, withinDays }`' }, 400: { description: 'A bad withinDays' } },
    },
    (req, res) => {
      editorOf(req);
      const query = parseInput(reviewDueQuerySchema, req.query, 'query');
      res.setHeader('Cache-Control', 'private, no-store');
      res.json(ctx.service.reviewDue(query.withinDays));
    },
  );
}
