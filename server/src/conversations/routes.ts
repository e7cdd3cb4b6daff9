import type { Router } from 'express';
import {
  conversationSettingsResponseSchema,
  visitorTokenRequestSchema,
  visitorTokenResponseSchema,
  type ConversationSettingsResponse,
  type ConversationSettings,
  type VisitorTokenResponse,
} from '../contracts/conversations.js';
import type { OpenApiRegistry } from '../platform/http/openapi.js';
import type { VisitorTokens } from '../platform/auth/visitor-tokens.js';
import { addGuardedRoute, anyone, staff } from '../platform/auth/access.js';
import { SlidingWindowLimiter } from '../platform/auth/rate-limit.js';
import { tooManyRequests } from '../platform/errors.js';
import { parseInput } from '../platform/http/validation.js';

export interface ConversationRouteDeps {
  openapi: OpenApiRegistry;
  visitorTokens: VisitorTokens;
  settings: () => ConversationSettings;
  /** The queues staff may transfer to (routing's configuration). */
  queues: () => { id: string; name: string }[];
}

export function registerConversationRoutes(api: Router, ctx: ConversationRouteDeps): void {
  // Anyone may start an anonymous chat; one address may not mint tokens without limit.
  const perAddress = new SlidingWindowLimiter({ limit: 20, windowMs: 60_000 });

  addGuardedRoute(
    api,
    ctx.openapi,
    {
      method: 'post',
      path: '/chat/visitor',
      summary: 'Get a short-lived visitor token for an anonymous chat (the /patient live channel)',
      tags: ['conversations'],
      access: anyone,
      body: visitorTokenRequestSchema,
      responses: { 201: { description: 'A visitor token', schema: visitorTokenResponseSchema } },
    },
    async (req, res) => {
      const address = req.ip ?? 'unknown';
      const retryAfter = perAddress.retryAfterSeconds(address);
      if (retryAfter > 0) throw tooManyRequests('Too many chat starts from this address: try again shortly.', retryAfter);
      perAddress.hit(address);
      const { displayName } = parseInput(visitorTokenRequestSchema, req.body);
      const { token, visitorId } = await ctx.visitorTokens.issue(displayName);
      const body: VisitorTokenResponse = { token, visitorId, expiresIn: ctx.visitorTokens.ttlSeconds };
      res.setHeader('Cache-Control', 'no-store');
      res.status(201).json(body);
    },
  );

  addGuardedRoute(
    api,
    ctx.openapi,
    {
      method: 'get',
      path: '/conversations/settings',
      summary: 'The desk’s conversation settings: disposition codes, quick replies, session limit, queues to transfer to',
      tags: ['conversations'],
      access: staff,
      responses: { 200: { description: 'Conversation settings', schema: conversationSettingsResponseSchema } },
    },
    (_req, res) => {
      const body: ConversationSettingsResponse = {
        ...ctx.settings(),
        queues: ctx.queues(),
      };
      res.json(body);
    },
  );
}
