/**
 * Follow-up survey routes under /api/surveys. The by-token routes need no sign-in: the single-use
 * token in the link is the credential. Supervisors and admins list the answers.
 */
import type { Response, Router } from 'express';
import { z } from 'zod';
import {
  surveyByTokenResponseSchema,
  surveyResponsesQuerySchema,
  surveySubmitBodySchema,
  type SurveyByTokenResponse,
} from '../contracts/surveys.js';
import type { OpenApiRegistry } from '../platform/http/openapi.js';
import type { SurveyService } from './service.js';
import { addGuardedRoute, anyone, requireStaff, roles } from '../platform/auth/access.js';
import { notFound } from '../platform/errors.js';
import { parseInput } from '../platform/http/validation.js';
import { actorOf } from '../platform/auth/actor.js';

const conversationIdSchema = z.string().uuid();
const surveyTokenSchema = z.string().min(10).max(200).regex(/^[A-Za-z0-9_-]+$/);

/** A token that cannot be one of ours is simply not found (as an unknown one is). */
function tokenParam(raw: unknown): string {
  const parsed = surveyTokenSchema.safeParse(raw);
  if (!parsed.success) throw notFound('Survey');
  return parsed.data;
}

/** The token is in the URL: keep the page out of caches and the token out of Referer headers. */
function privatePage(res: Response): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Referrer-Policy', 'no-referrer');
}

export function registerSurveyRoutes(api: Router, ctx: { openapi: OpenApiRegistry; surveys: SurveyService }): void {
  const route = addGuardedRoute.bind(null, api, ctx.openapi);
  const tags = ['surveys'];

  route(
    {
      method: 'get',
      path: '/surveys/by-token/:token',
      summary: 'The follow-up survey behind a link (the token is the credential)',
      tags,
      access: anyone,
      responses: {
        200: { description: 'The survey and whether it was answered', schema: surveyByTokenResponseSchema },
        404: { description: 'Unknown token' },
        410: { description: 'The link has expired' },
      },
    },
    (req, res) => {
      privatePage(res);
      const body: SurveyByTokenResponse = ctx.surveys.byToken(tokenParam(req.params.token));
      res.json(body);
    },
  );

  route(
    {
      method: 'post',
      path: '/surveys/by-token/:token',
      summary: 'Answer the follow-up survey behind a link (once)',
      tags,
      access: anyone,
      body: surveySubmitBodySchema,
      responses: {
        201: { description: 'Stored as a QuestionnaireResponse', schema: z.object({ id: z.string() }) },
        400: { description: 'Answers that do not fit the survey (types, ranges, required, skip rules)' },
        404: { description: 'Unknown token' },
        409: { description: 'Already answered' },
        410: { description: 'The link has expired' },
      },
    },
    (req, res) => {
      privatePage(res);
      const token = tokenParam(req.params.token);
      const { answers } = parseInput(surveySubmitBodySchema, req.body);
      res.status(201).json(ctx.surveys.submit(token, answers, { via: 'link' }));
    },
  );

  route(
    {
      method: 'get',
      path: '/surveys/responses',
      summary: 'Answered follow-up surveys, newest first, with CSAT and NPS overall, per agent and per queue (audited)',
      tags,
      access: roles('supervisor', 'admin'),
      query: surveyResponsesQuerySchema,
      responses: { 200: { description: 'Answers and their summary' } },
    },
    async (req, res) => {
      const principal = requireStaff(req, ['supervisor', 'admin']);
      const query = parseInput(surveyResponsesQuerySchema, req.query, 'query');
      res.setHeader('Cache-Control', 'private, no-store');
      res.json(await ctx.surveys.responses(principal, query));
    },
  );

  route(
    {
      method: 'get',
      path: '/surveys/conversations/:conversationId',
      summary: 'The follow-up survey of one conversation, for staff who may read it in history: offered or not, and the answers (audited)',
      tags,
      access: roles('agent', 'supervisor', 'admin'),
      responses: { 200: { description: '`{ offered, response }`' }, 403: { description: 'Not yours to read' }, 404: { description: 'Unknown conversation' } },
    },
    (req, res) => {
      const principal = requireStaff(req, ['agent', 'supervisor', 'admin']);
      const id = conversationIdSchema.safeParse(req.params.conversationId);
      if (!id.success) throw notFound('Conversation');
      res.setHeader('Cache-Control', 'private, no-store');
      res.json(ctx.surveys.forConversation(actorOf(principal), id.data));
    },
  );
}
