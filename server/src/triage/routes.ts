/**
 * Triage routes under `/api/triage`, public (no sign-in) and limited per client address: a whole
 * description assessed at once, and interactive sessions that ask one question at a time.
 */
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { triageAnswerSchema, triageAssessRequestSchema, triageSessionStartSchema } from '../contracts/triage.js';
import { addGuardedRoute, anyone } from '../platform/auth/access.js';
import { SlidingWindowLimiter } from '../platform/auth/rate-limit.js';
import { notFound, tooManyRequests } from '../platform/errors.js';
import type { OpenApiRegistry } from '../platform/http/openapi.js';
import { parseInput } from '../platform/http/validation.js';
import type { TriageService } from './service.js';

/** Per client address: generous for a person (and a clinic sharing one address), not for a script. */
export const TRIAGE_REQUESTS_PER_WINDOW = { limit: 120, windowMs: 60_000 };

const sessionIdParam = z.string().uuid();

export interface TriageRouteDeps {
  openapi: OpenApiRegistry;
  service: TriageService;
  rateLimit?: { limit: number; windowMs: number };
}

export function registerTriageRoutes(api: Router, ctx: TriageRouteDeps): void {
  const perAddress = new SlidingWindowLimiter(ctx.rateLimit ?? TRIAGE_REQUESTS_PER_WINDOW);
  const route = addGuardedRoute.bind(null, api, ctx.openapi);
  const tags = ['triage'];
  const limit = (req: Request, res: Response) => {
    const address = req.ip ?? 'unknown';
    const retryAfter = perAddress.retryAfterSeconds(address);
    if (retryAfter > 0) res.setHeader('Retry-After', String(retryAfter));
    if (retryAfter > 0) throw tooManyRequests(`Too many triage requests from this address: try again in ${retryAfter} seconds. If this is an emergency, call 911.`, retryAfter);
    perAddress.hit(address);
  };

  route(
    {
      method: 'post',
      path: '/triage/assess',
      summary:
        'Assess a free-text description of symptoms (English or Spanish) with optional age, sex and pregnancy: disposition (emergency_ambulance … self_care), reasons, findings (present or denied), follow-up questions',
      tags,
      access: anyone,
      body: triageAssessRequestSchema,
      responses: {
        200: { description: '`{ disposition, level, instruction, advice, reasons, findings, followUpQuestions, protocols, facts, language, recognised, notices }`' },
        400: { description: 'No text, or a field of the wrong type' },
        422: { description: 'The text is binary data' },
        429: { description: 'Too many requests from this address' },
      },
    },
    (req, res) => {
      limit(req, res);
      const body = parseInput(triageAssessRequestSchema, req.body);
      res.setHeader('Cache-Control', 'no-store');
      res.json(ctx.service.assess(body));
    },
  );

  route(
    {
      method: 'post',
      path: '/triage/sessions',
      summary: 'Start an interactive triage from a description: the answer carries the first question (red flags first) or, when nothing is left to ask, the disposition',
      tags,
      access: anyone,
      body: triageSessionStartSchema,
      responses: {
        201: { description: '`{ sessionId, status: "asking" | "done", question, assessment, answered, expiresAt }`' },
        400: { description: 'No text, or a field of the wrong type' },
        429: { description: 'Too many requests from this address' },
      },
    },
    (req, res) => {
      limit(req, res);
      const body = parseInput(triageSessionStartSchema, req.body);
      const view = ctx.service.startSession(body);
      res.setHeader('Cache-Control', 'no-store');
      res.status(201).location(`/api/triage/sessions/${view.sessionId}`).json(view);
    },
  );

  route(
    {
      method: 'post',
      path: '/triage/sessions/:id/answers',
      summary: 'Answer the question asked (yes/no, a number, or words); the answer carries the next question or the disposition',
      tags,
      access: anyone,
      body: triageAnswerSchema,
      responses: {
        200: { description: 'The session: next question or `status: "done"`' },
        400: { description: 'An answer of the wrong kind (the message says what is expected)' },
        404: { description: 'No such session, or it expired' },
        409: { description: 'Not the question asked, or the session is finished' },
        429: { description: 'Too many requests from this address' },
      },
    },
    (req, res) => {
      limit(req, res);
      const id = sessionIdParam.safeParse(req.params.id);
      if (!id.success) throw notFound('Triage session', String(req.params.id).slice(0, 60));
      const body = parseInput(triageAnswerSchema, req.body);
      res.setHeader('Cache-Control', 'no-store');
      res.json(ctx.service.answer(id.data, body));
    },
  );
}
