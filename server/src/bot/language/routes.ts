/**
 * `/api/bot/language-models`: bot authors list and read every model (built-in and custom), save
 * custom ones (trained on save; the answer carries the held-out evaluation) and try recognition.
 */
import type { Router } from 'express';
import { languageModelIdSchema, recognizeRequestSchema, saveLanguageModelRequestSchema } from '../../contracts/language.js';
import type { AuditLog } from '../../platform/audit/audit.js';
import { addGuardedRoute, requireStaff, roles } from '../../platform/auth/access.js';
import { notFound } from '../../platform/errors.js';
import type { OpenApiRegistry } from '../../platform/http/openapi.js';
import { requestMeta } from '../../platform/http/request-meta.js';
import { parseInput } from '../../platform/http/validation.js';
import type { LanguageModelsService } from './service.js';

/** Staff roles that may read and edit language models. */
export const LANGUAGE_MODEL_AUTHOR_ROLES = ['bot-author', 'admin'] as const;
const authors = roles(...LANGUAGE_MODEL_AUTHOR_ROLES);

function modelIdOf(raw: unknown): string {
  const id = languageModelIdSchema.safeParse(raw);
  if (!id.success) throw notFound('Language model', String(raw).slice(0, 100));
  return id.data;
}

export function registerLanguageModelRoutes(api: Router, ctx: { openapi: OpenApiRegistry; service: LanguageModelsService; audit?: Pick<AuditLog, 'record'> | undefined }): void {
  const route = addGuardedRoute.bind(null, api, ctx.openapi);
  const tags = ['bot'];

  route(
    {
      method: 'get',
      path: '/bot/language-models',
      summary: 'Every language model: built-in (from health-bot/language-models) and custom (RegEx or trained), with intents, scenarios and the last evaluation',
      tags,
      access: authors,
      responses: { 200: { description: '`{ models: [{ id, name, kind, version, enabled, intents, evaluation }] }`' } },
    },
    async (_req, res) => {
      res.setHeader('Cache-Control', 'private, no-store');
      res.json({ models: await ctx.service.list() });
    },
  );

  route(
    {
      method: 'post',
      path: '/bot/language-models/recognize',
      summary: 'Recognize an utterance with every enabled model, as the bot would: intent (null below the threshold), score, scenario, entities, alternatives',
      tags,
      access: authors,
      body: recognizeRequestSchema,
      responses: { 200: { description: 'The recognition' }, 400: { description: 'No text, text over 2,000 characters, or a malformed locale' } },
    },
    async (req, res) => {
      const body = parseInput(recognizeRequestSchema, req.body);
      res.json({ ...(await ctx.service.recognize(body.text, body.locale)), threshold: ctx.service.threshold });
    },
  );

  route(
    {
      method: 'get',
      path: '/bot/language-models/:id',
      summary: 'One language model with its definition (utterances, patterns) and versions',
      tags,
      access: authors,
      responses: { 200: { description: 'The model' }, 404: { description: 'No model has this id' } },
    },
    async (req, res) => {
      const detail = await ctx.service.get(modelIdOf(req.params.id));
      if (!detail) throw notFound('Language model', String(req.params.id));
      res.setHeader('Cache-Control', 'private, no-store');
      res.json(detail);
    },
  );

  route(
    {
      method: 'put',
      path: '/bot/language-models/:id',
      summary:
        'Save a custom model (new version): RegEx patterns (RE2 syntax) or utterances per locale, trained on save and evaluated on a held-out fifth of each intent; live at once',
      tags,
      access: authors,
      body: saveLanguageModelRequestSchema,
      responses: {
        200: { description: 'Saved as the next version: the model with `evaluation`' },
        201: { description: 'Created as version 1' },
        400: { description: 'A missing or invalid field, or over the limits (100 intents, 500 utterances an intent, 5,000 in all, 300 characters each)' },
        409: { description: 'A built-in model id, or `baseVersion` is not the current version' },
        422: { description: 'A pattern RE2 cannot compile (`details.patterns` names each with its path)' },
      },
    },
    async (req, res) => {
      const author = requireStaff(req, LANGUAGE_MODEL_AUTHOR_ROLES);
      const id = modelIdOf(req.params.id);
      const body = parseInput(saveLanguageModelRequestSchema, req.body);
      const { detail, created } = await ctx.service.save(id, body, author.userId);
      ctx.audit?.record({
        actorId: author.userId,
        actorRole: author.role,
        action: 'bot.language_model.save',
        resourceType: 'LanguageModel',
        resourceId: id,
        details: { version: detail.version, kind: detail.kind, accuracy: detail.evaluation?.accuracy ?? null },
        ...requestMeta(req),
      });
      res.status(created ? 201 : 200).location(`/api/bot/language-models/${id}`).json(detail);
    },
  );
}
