/**
 * Scenario authoring under `/api/bot/scenarios` (bot authors and admins only): import and export in
 * Azure Health Bot's format, list, read, create, save the draft, publish, roll back; and the string
 * tables. Handlers validate → authorize → call the service → answer.
 */
import type { Request, Router } from 'express';
import { z } from 'zod';
import {
  BOT_AUTHOR_ROLES,
  MAX_SCENARIO_CODE_CHARS,
  scenarioDraftSchema,
  scenarioImportSchema,
  scenarioPublishSchema,
  scenarioRollbackSchema,
  stringTablesSchema,
  stringsSaveSchema,
  type StringTables,
} from '../contracts/bot.js';
import { addGuardedRoute, requireStaff, roles } from '../platform/auth/access.js';
import { AppError, notFound } from '../platform/errors.js';
import type { OpenApiRegistry } from '../platform/http/openapi.js';
import { requestMeta } from '../platform/http/request-meta.js';
import { parseInput } from '../platform/http/validation.js';
import type { Author, ScenarioService } from './scenarios.js';
import type { StringCatalog } from './strings.js';

const authors = roles(...BOT_AUTHOR_ROLES);
const idSchema = z.string().min(1).max(100);
const versionQuery = z.strictObject({ version: z.coerce.number().int().min(1).optional() });
const importQuery = z.strictObject({ publish: z.enum(['true', 'false']).optional() });

function authorOf(req: Request): Author {
  const principal = requireStaff(req, BOT_AUTHOR_ROLES);
  return { userId: principal.userId, role: principal.role };
}

function scenarioId(req: Request): string {
  const id = idSchema.safeParse(req.params.id);
  if (!id.success) throw notFound('Scenario', String(req.params.id).slice(0, 100));
  return id.data;
}

export function registerBotRoutes(api: Router, ctx: { openapi: OpenApiRegistry; scenarios: ScenarioService; strings: StringCatalog }): void {
  const route = addGuardedRoute.bind(null, api, ctx.openapi);
  const tags = ['bot'];

  route(
    {
      method: 'post',
      path: '/bot/scenarios/import',
      summary:
        'Import a scenario exactly as Azure Health Bot exports it (`name`, `id`, `scenario_trigger`, `description`, `active`, `updated`, `userDisplayName`, `code` as a JSON string) plus an optional string table `strings: { "en-US": { key: text } }`; published at once unless `?publish=false`',
      tags,
      access: authors,
      body: scenarioImportSchema,
      responses: {
        201: { description: '`{ id, trigger, steps, version, status, warnings[] }`' },
        400: { description: 'A missing or malformed export field' },
        413: { description: '`code` is longer than the limit' },
        422: { description: '`{ error: { details: { errors: [{ stepId, field, message }] } } }`: invalid code, unknown step types, duplicate ids, dangling targets, loops that ask nothing' },
      },
    },
    async (req, res) => {
      const author = authorOf(req);
      const query = parseInput(importQuery, req.query, 'query');
      const raw = req.body as { code?: unknown } | undefined;
      if (raw && typeof raw.code === 'string' && raw.code.length > MAX_SCENARIO_CODE_CHARS) {
        throw new AppError('payload_too_large', `The scenario's code is ${raw.code.length} characters: at most ${MAX_SCENARIO_CODE_CHARS}.`);
      }
      const body = parseInput(scenarioImportSchema, req.body);
      const result = await ctx.scenarios.importScenario(author, { ...body, publish: query.publish !== 'false' }, 'import', requestMeta(req));
      res.status(201).location(`/api/bot/scenarios/${result.id}`).json(result);
    },
  );

  route(
    {
      method: 'get',
      path: '/bot/scenarios/:id/export',
      summary: 'Export a scenario in Azure Health Bot’s format (the published version, or `?version=`)',
      tags,
      access: authors,
      query: versionQuery,
      responses: { 200: { description: 'The export (`code` as a JSON string)' }, 404: { description: 'No such scenario or version' } },
    },
    async (req, res) => {
      authorOf(req);
      const { version } = parseInput(versionQuery, req.query, 'query');
      const body = await ctx.scenarios.exportScenario(scenarioId(req), version);
      res.setHeader('Content-Disposition', `attachment; filename="${body.scenario_trigger}.json"`);
      res.json(body);
    },
  );

  route(
    { method: 'get', path: '/bot/scenarios', summary: 'List scenarios with their published and draft versions', tags, access: authors, responses: { 200: { description: '`{ scenarios }`' } } },
    async (req, res) => {
      authorOf(req);
      res.json({ scenarios: await ctx.scenarios.list() });
    },
  );

  route(
    {
      method: 'post',
      path: '/bot/scenarios',
      summary: 'Create a scenario as a draft (`code` as an object)',
      tags,
      access: authors,
      body: scenarioDraftSchema,
      responses: { 201: { description: 'The scenario' }, 409: { description: 'The trigger is taken' }, 422: { description: 'Invalid steps (`details.errors`)' } },
    },
    async (req, res) => {
      const author = authorOf(req);
      const body = parseInput(scenarioDraftSchema, req.body);
      const detail = await ctx.scenarios.create(author, body, requestMeta(req));
      res.status(201).location(`/api/bot/scenarios/${detail.id}`).json(detail);
    },
  );

  route(
    {
      method: 'get',
      path: '/bot/scenarios/:id',
      summary: 'Read a scenario: the open draft (else the published version, or `?version=`) and its versions',
      tags,
      access: authors,
      query: versionQuery,
      responses: { 200: { description: 'The scenario' }, 404: { description: 'No such scenario' } },
    },
    async (req, res) => {
      authorOf(req);
      const { version } = parseInput(versionQuery, req.query, 'query');
      res.json(await ctx.scenarios.detail(scenarioId(req), version));
    },
  );

  route(
    {
      method: 'put',
      path: '/bot/scenarios/:id/draft',
      summary: 'Save the scenario’s draft (a new draft when none is open)',
      tags,
      access: authors,
      body: scenarioDraftSchema,
      responses: { 200: { description: 'The scenario' }, 404: { description: 'No such scenario' }, 409: { description: 'Saved by someone else since `baseVersion`' }, 422: { description: 'Invalid steps' } },
    },
    async (req, res) => {
      const author = authorOf(req);
      const body = parseInput(scenarioDraftSchema, req.body);
      res.json(await ctx.scenarios.saveDraft(author, scenarioId(req), body, requestMeta(req)));
    },
  );

  route(
    {
      method: 'post',
      path: '/bot/scenarios/:id/publish',
      summary: 'Publish the draft (or `version`) after the publish checks: the format, dangling targets, loops that ask nothing',
      tags,
      access: authors,
      body: scenarioPublishSchema,
      responses: { 200: { description: 'The scenario, with `warnings`' }, 404: { description: 'No such scenario or draft' }, 422: { description: 'The checks failed (`details.errors`)' } },
    },
    async (req, res) => {
      const author = authorOf(req);
      const body = parseInput(scenarioPublishSchema, req.body ?? {});
      res.json(await ctx.scenarios.publish(author, scenarioId(req), body.version, requestMeta(req)));
    },
  );

  route(
    {
      method: 'post',
      path: '/bot/scenarios/:id/rollback',
      summary: 'Publish an earlier version again (as a new version; history is kept)',
      tags,
      access: authors,
      body: scenarioRollbackSchema,
      responses: { 200: { description: 'The scenario' }, 404: { description: 'No such scenario or version' } },
    },
    async (req, res) => {
      const author = authorOf(req);
      const body = parseInput(scenarioRollbackSchema, req.body);
      res.json(await ctx.scenarios.rollback(author, scenarioId(req), body.version, requestMeta(req)));
    },
  );

  route(
    {
      method: 'get',
      path: '/bot/strings',
      summary: 'The string tables by locale (`stringId` and `customLocalizedStrings` keys → text)',
      tags,
      access: authors,
      responses: { 200: { description: '`{ strings: { "en-US": { key: text } } }`' } },
    },
    (req, res) => {
      authorOf(req);
      res.setHeader('Cache-Control', 'private, no-store');
      const strings = stringTablesSchema.parse(Object.fromEntries(ctx.strings.locales().map((l) => [l, ctx.strings.table(l)])));
      res.json({ strings });
    },
  );

  route(
    {
      method: 'put',
      path: '/bot/strings',
      summary: 'Save string entries (`{ strings: { "en-US": { key: text }, "es-US": {…} } }`): added or changed keys, in force at once; keys not named stay',
      tags,
      access: authors,
      body: stringsSaveSchema,
      responses: { 200: { description: 'The string tables after the save, as `GET /bot/strings`' }, 400: { description: 'An unknown locale, an empty key or no entries' } },
    },
    async (req, res) => {
      const author = authorOf(req);
      const body = parseInput(stringsSaveSchema, req.body);
      await ctx.scenarios.saveStrings(author, body.strings as StringTables, requestMeta(req));
      const strings = stringTablesSchema.parse(Object.fromEntries(ctx.strings.locales().map((l) => [l, ctx.strings.table(l)])));
      res.json({ strings });
    },
  );
}
