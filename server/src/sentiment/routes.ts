/**
 * Sentiment's REST routes: the trend of one conversation (staff who may read it; audited, since it
 * quotes the patient's messages) and batch scoring (staff; for integrations and evaluation).
 */
import type { Router } from 'express';
import { z } from 'zod';
import { conversationSentimentResponseSchema, scoreTextsBodySchema, scoreTextsResponseSchema, type ScoreTextsResponse } from '../contracts/sentiment.js';
import type { Actor } from '../platform/auth/actor.js';
import { actorOf } from '../platform/auth/actor.js';
import { addGuardedRoute, requireStaff, roles, staff } from '../platform/auth/access.js';
import type { AuditBatch } from '../platform/audit/batch.js';
import { SlidingWindowLimiter } from '../platform/auth/rate-limit.js';
import { forbidden, notFound, tooManyRequests } from '../platform/errors.js';
import type { OpenApiRegistry } from '../platform/http/openapi.js';
import { requestMeta } from '../platform/http/request-meta.js';
import { parseInput } from '../platform/http/validation.js';
import type { SentimentService } from './service.js';

/** Who reads a conversation's trend: those who read conversations (the conversations module's history policy decides which). */
export const TREND_READERS = ['agent', 'supervisor', 'admin'] as const;

export interface SentimentRouteDeps {
  openapi: OpenApiRegistry;
  service: SentimentService;
  auditBatch: Pick<AuditBatch, 'record'>;
  conversations: {
    /** The conversation's patient, or undefined when there is no such conversation. */
    find(conversationId: string): { patientId: string | null } | undefined;
    /** The conversations module's policy: took part, supervises, or serves its queue. */
    mayRead(actor: Actor, conversationId: string): boolean;
    /** The bodies of the conversation's patient messages, by message id. */
    patientMessageBodies(conversationId: string): Map<string, string>;
  };
}

const conversationIdParam = z.string().uuid();
/** Batch scoring per staff member: a full batch (1,000 × 5,000 characters) is ~150 ms of CPU (scored in slices that yield to chat traffic). */
export const BATCHES_PER_MINUTE = 60;

export function registerSentimentRoutes(api: Router, ctx: SentimentRouteDeps): void {
  const batches = new SlidingWindowLimiter({ limit: BATCHES_PER_MINUTE, windowMs: 60_000 });
  addGuardedRoute(
    api,
    ctx.openapi,
    {
      method: 'get',
      path: '/conversations/:conversationId/sentiment',
      summary: "A conversation's sentiment trend: each patient message's score with an excerpt, the conversation's 7-point value after it, and the drops (audited)",
      tags: ['sentiment'],
      access: roles(...TREND_READERS),
      responses: {
        200: { description: 'The trend, oldest first', schema: conversationSentimentResponseSchema },
        403: { description: 'Not a conversation this staff member may read' },
        404: { description: 'Unknown conversation' },
      },
    },
    async (req, res) => {
      const principal = requireStaff(req, TREND_READERS);
      const id = conversationIdParam.safeParse(req.params.conversationId);
      if (!id.success) throw notFound('Conversation');
      const conversation = ctx.conversations.find(id.data);
      if (!conversation) throw notFound('Conversation');
      const actor = actorOf(principal);
      if (!ctx.conversations.mayRead(actor, id.data)) throw forbidden('You did not take part in this conversation and it is not in a queue you serve.');
      const trend = await ctx.service.trend(id.data, ctx.conversations.patientMessageBodies(id.data));
      const meta = requestMeta(req);
      // The excerpts are the patient's words: recorded as a read before they leave.
      await ctx.auditBatch.record([
        {
          actorId: principal.userId,
          actorRole: principal.role,
          action: 'phi.read',
          resourceType: 'Conversation',
          resourceId: id.data,
          patientId: conversation.patientId,
          reason: 'conversation sentiment',
          ip: meta.ip,
          requestId: meta.requestId,
          details: { purpose: 'sentiment.trend', messages: trend.points.length },
        },
      ]);
      res.setHeader('Cache-Control', 'private, no-store');
      res.json(trend);
    },
  );

  addGuardedRoute(
    api,
    ctx.openapi,
    {
      method: 'post',
      path: '/sentiment',
      summary: 'Scores a batch of texts with the local model: label, score (−1 … 1), 7-point scale, flags (at most 1,000 texts of 5,000 characters)',
      tags: ['sentiment'],
      access: staff,
      body: scoreTextsBodySchema,
      responses: {
        200: { description: 'One result per text, in order', schema: scoreTextsResponseSchema },
        400: { description: 'Not an array of strings, too many or too long' },
        429: { description: `More than ${BATCHES_PER_MINUTE} batches a minute from this staff member` },
      },
    },
    async (req, res) => {
      const principal = requireStaff(req);
      const retryAfter = batches.retryAfterSeconds(principal.userId);
      if (retryAfter > 0) res.setHeader('Retry-After', String(retryAfter));
      if (retryAfter > 0) throw tooManyRequests(`At most ${BATCHES_PER_MINUTE} batches a minute: try again in ${retryAfter} s.`, retryAfter);
      batches.hit(principal.userId);
      const { texts } = parseInput(scoreTextsBodySchema, req.body);
      const body: ScoreTextsResponse = { results: await ctx.service.scoreTexts(texts) };
      res.setHeader('Cache-Control', 'no-store');
      res.json(body);
    },
  );
}
