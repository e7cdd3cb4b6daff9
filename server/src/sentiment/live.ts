/**
 * `GET /api/sentiment/live`: the supervisors' heat view starts from the current sentiment of every
 * open conversation (then `supervisor:sentiment` keeps it fresh). Values only — no patient words.
 */
import type { Router } from 'express';
import type { LiveSentimentResponse } from '../contracts/sentiment.js';
import { SUPERVISOR_ROLES } from '../contracts/supervision.js';
import { addGuardedRoute, requireStaff, roles } from '../platform/auth/access.js';
import type { OpenApiRegistry } from '../platform/http/openapi.js';
import type { SentimentService } from './service.js';

export function registerLiveSentimentRoute(api: Router, ctx: { openapi: OpenApiRegistry; service: Pick<SentimentService, 'current' | 'alertScale'>; openConversationIds(): string[] }): void {
  addGuardedRoute(
    api,
    ctx.openapi,
    {
      method: 'get',
      path: '/sentiment/live',
      summary: 'The current sentiment (7-point scale) of every open conversation, for the supervisors’ heat view',
      tags: ['sentiment', 'supervision'],
      access: roles(...SUPERVISOR_ROLES),
      responses: { 200: { description: '`{ alertScale, conversations: [{ conversationId, current }] }`' } },
    },
    (req, res) => {
      requireStaff(req, SUPERVISOR_ROLES);
      const body: LiveSentimentResponse = {
        alertScale: ctx.service.alertScale,
        conversations: ctx.openConversationIds().map((conversationId) => ({ conversationId, current: ctx.service.current(conversationId) })),
      };
      res.setHeader('Cache-Control', 'private, no-store');
      res.json(body);
    },
  );
}
