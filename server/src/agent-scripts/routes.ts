/**
 * Agent scripts under /api: the scripts and their versions (everyone who chats reads; supervisors and
 * admins write drafts, publish and roll back), live validation for the editor, and a conversation's
 * run (`/api/conversations/:id/script-run`, staff in the conversation only).
 *
 * A script that does not validate is answered 422 with `errors: [{ line, column, step, message }]`
 * (also in `error.details.errors`, as every refusal carries its details).
 */
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import {
  chooseScriptSchema,
  publishScriptSchema,
  recordStepSchema,
  rollbackScriptSchema,
  scriptIdSchema,
  scriptSourceSchema,
  stepIdSchema,
  type ScriptError,
  type ScriptListResponse,
} from '../contracts/agent-scripts.js';
import { actorOf } from '../platform/auth/actor.js';
import { addGuardedRoute, requireStaff, roles } from '../platform/auth/access.js';
import { isAppError, notFound } from '../platform/errors.js';
import type { OpenApiRegistry } from '../platform/http/openapi.js';
import { requestMeta } from '../platform/http/request-meta.js';
import { parseInput } from '../platform/http/validation.js';
import type { AgentScriptsService } from './service.js';

const READERS = ['agent', 'supervisor', 'admin'] as const;
const EDITORS = ['supervisor', 'admin'] as const;
const conversationIdParam = z.string().uuid();
const planStepIdParam = z.string().min(1).max(200).regex(/^[a-z0-9-]+(?:\.[a-z0-9-]+)*$/);

const INVALID_SCRIPT = { description: 'The YAML does not validate: `errors` names each line, column and step' };

function scriptIdOf(req: Request): string {
  const id = scriptIdSchema.safeParse(req.params.scriptId);
  if (!id.success) throw notFound('Script');
  return id.data;
}

function conversationIdOf(req: Request): string {
  const id = conversationIdParam.safeParse(req.params.conversationId);
  if (!id.success) throw notFound('Conversation');
  return id.data;
}

/** Runs `work`; a script that does not validate is answered 422 with its errors at the top level too. */
function withScriptErrors(res: Response, work: () => unknown, status = 200): void {
  try {
    res.status(status).json(work());
  } catch (err) {
    const errors = isAppError(err) && err.code === 'unprocessable' ? (err.details as { errors?: ScriptError[] } | undefined)?.errors : undefined;
    if (!errors || !isAppError(err)) throw err;
    res.status(422).json({ error: { code: err.code, message: err.message, details: { errors } }, errors });
  }
}

export function registerAgentScriptRoutes(api: Router, ctx: { openapi: OpenApiRegistry; scripts: AgentScriptsService }): void {
  const route = addGuardedRoute.bind(null, api, ctx.openapi);
  const tags = ['agent-scripts'];
  const { scripts } = ctx;

  route(
    {
      method: 'get',
      path: '/agent-scripts',
      summary: 'Agent scripts: title, description, selection rules, the version in force and any draft',
      tags,
      access: roles(...READERS),
      responses: { 200: { description: '`{ scripts }`' } },
    },
    (req, res) => {
      requireStaff(req, READERS);
      const body: ScriptListResponse = { scripts: scripts.list() };
      res.setHeader('Cache-Control', 'no-store');
      res.json(body);
    },
  );

  route(
    {
      method: 'post',
      path: '/agent-scripts',
      summary: 'Create a script from YAML, as a draft (version 1)',
      tags,
      access: roles(...EDITORS),
      body: scriptSourceSchema,
      responses: { 201: { description: 'The script with its versions' }, 400: { description: 'No YAML' }, 409: { description: 'A script with that id exists' }, 422: INVALID_SCRIPT },
    },
    (req, res) => {
      const principal = requireStaff(req, EDITORS);
      const { yaml } = parseInput(scriptSourceSchema, req.body);
      withScriptErrors(res, () => scripts.create(actorOf(principal), yaml), 201);
    },
  );

  route(
    {
      method: 'post',
      path: '/agent-scripts/validate',
      summary: 'Check YAML as a draft would be checked (the editor’s live markers); `scriptId` in the query: a draft of that script',
      tags,
      access: roles(...EDITORS),
      body: scriptSourceSchema,
      query: z.strictObject({ scriptId: scriptIdSchema.optional() }),
      responses: { 200: { description: '`{ ok, errors: [{ line, column, step, message }] }`' }, 400: { description: 'No YAML, or a bad script id' } },
    },
    (req, res) => {
      requireStaff(req, EDITORS);
      const { yaml } = parseInput(scriptSourceSchema, req.body);
      const { scriptId } = parseInput(z.strictObject({ scriptId: scriptIdSchema.optional() }), req.query, 'query');
      res.json(scripts.validate(yaml, scriptId));
    },
  );

  route(
    {
      method: 'get',
      path: '/agent-scripts/:scriptId',
      summary: 'One script: the definition in force and every version (draft, published, retired) with its YAML',
      tags,
      access: roles(...READERS),
      responses: { 200: { description: 'The script' }, 404: { description: 'Unknown script' } },
    },
    (req, res) => {
      requireStaff(req, READERS);
      res.setHeader('Cache-Control', 'no-store');
      res.json(scripts.detail(scriptIdOf(req)));
    },
  );

  route(
    {
      method: 'put',
      path: '/agent-scripts/:scriptId/draft',
      summary: 'Save the script’s draft from YAML (one draft per script; saving again replaces it)',
      tags,
      access: roles(...EDITORS),
      body: scriptSourceSchema,
      responses: { 200: { description: 'The script with its versions' }, 400: { description: 'No YAML' }, 404: { description: 'Unknown script' }, 422: INVALID_SCRIPT },
    },
    (req, res) => {
      const principal = requireStaff(req, EDITORS);
      const id = scriptIdOf(req);
      const { yaml } = parseInput(scriptSourceSchema, req.body);
      withScriptErrors(res, () => scripts.saveDraft(actorOf(principal), id, yaml));
    },
  );

  route(
    {
      method: 'post',
      path: '/agent-scripts/:scriptId/publish',
      summary: 'Publish the draft: it is in force for runs started from now; the previous version is retired',
      tags,
      access: roles(...EDITORS),
      body: publishScriptSchema,
      responses: {
        200: { description: 'The script with its versions' },
        400: { description: 'No version' },
        404: { description: 'Unknown script' },
        409: { description: 'No draft, or the draft is another version (reload)' },
        422: INVALID_SCRIPT,
      },
    },
    (req, res) => {
      const principal = requireStaff(req, EDITORS);
      const id = scriptIdOf(req);
      const { version } = parseInput(publishScriptSchema, req.body);
      withScriptErrors(res, () => scripts.publish(actorOf(principal), id, version));
    },
  );

  route(
    {
      method: 'post',
      path: '/agent-scripts/:scriptId/rollback',
      summary: 'Put an earlier version back in force, as a new published version',
      tags,
      access: roles(...EDITORS),
      body: rollbackScriptSchema,
      responses: {
        200: { description: 'The script with its versions' },
        400: { description: 'No version' },
        404: { description: 'Unknown script or version' },
        409: { description: 'That version is the draft or already in force' },
        422: INVALID_SCRIPT,
      },
    },
    (req, res) => {
      const principal = requireStaff(req, EDITORS);
      const id = scriptIdOf(req);
      const { version } = parseInput(rollbackScriptSchema, req.body);
      withScriptErrors(res, () => scripts.rollback(actorOf(principal), id, version));
    },
  );

  route(
    {
      method: 'get',
      path: '/conversations/:conversationId/script-run',
      summary: 'The conversation’s script run: the script chosen by hand, else the best match (queue, hand-off intent, topic, specialty; by priority), with progress',
      tags: [...tags, 'conversations'],
      access: roles(...READERS),
      responses: { 200: { description: '`{ run, available }` (run null: no script matches)' }, 403: { description: 'Not in this conversation' }, 404: { description: 'Unknown conversation' } },
    },
    (req, res) => {
      const principal = requireStaff(req, READERS);
      const id = conversationIdOf(req);
      res.setHeader('Cache-Control', 'private, no-store');
      res.json(scripts.runFor(actorOf(principal), id, requestMeta(req)));
    },
  );

  route(
    {
      method: 'put',
      path: '/conversations/:conversationId/script-run',
      summary: 'Switch the conversation to another published script by hand (answers start over)',
      tags: [...tags, 'conversations'],
      access: roles(...READERS),
      body: chooseScriptSchema,
      responses: {
        200: { description: '`{ run, available }`' },
        400: { description: 'No or a malformed script id' },
        403: { description: 'Not in this conversation' },
        404: { description: 'Unknown conversation or no such published script' },
        409: { description: 'The conversation is closed' },
      },
    },
    (req, res) => {
      const principal = requireStaff(req, READERS);
      const id = conversationIdOf(req);
      const { scriptId } = parseInput(chooseScriptSchema, req.body);
      res.setHeader('Cache-Control', 'private, no-store');
      res.json(scripts.choose(actorOf(principal), id, scriptId, requestMeta(req)));
    },
  );

  route(
    {
      method: 'post',
      path: '/conversations/:conversationId/script-run/steps/:stepId',
      summary: 'Record a step: a question’s answer (checked against the step), or an instruction or macro done; answers `{ run, next }` with branching applied',
      tags: [...tags, 'conversations'],
      access: roles(...READERS),
      body: recordStepSchema,
      responses: {
        200: { description: '`{ run, next }`' },
        400: { description: 'A malformed body' },
        403: { description: 'Not in this conversation' },
        404: { description: 'Unknown conversation or step, or no script running' },
        409: { description: 'The step is off the path the answers lead along, or the conversation is closed' },
        422: { description: 'The answer does not fit the step (not one of its choices, not a date, an answer for a step that is not a question, none for a question)' },
      },
    },
    (req, res) => {
      const principal = requireStaff(req, READERS);
      const id = conversationIdOf(req);
      const step = planStepIdParam.safeParse(req.params.stepId);
      if (!step.success || !step.data.split('.').every((part) => stepIdSchema.safeParse(part).success)) throw notFound('Step');
      const { answer } = parseInput(recordStepSchema, req.body ?? {});
      res.setHeader('Cache-Control', 'private, no-store');
      res.json(scripts.recordStep(actorOf(principal), id, step.data, answer, requestMeta(req)));
    },
  );
}
