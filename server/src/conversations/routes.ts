import type { Router } from 'express';
import {
  agentListResponseSchema,
  conversationSettingsResponseSchema,
  visitorTokenRequestSchema,
  visitorTokenResponseSchema,
  type AgentListResponse,
  type ConversationSettingsResponse,
  type VisitorTokenResponse,
} from '../contracts/conversations.js';
import type { AppContext } from '../app.js';
import { addGuardedRoute, anyone, staff } from '../platform/auth/access.js';
import { SlidingWindowLimiter } from '../platform/auth/rate-limit.js';
import { tooManyRequests } from '../platform/errors.js';
import { parseInput } from '../platform/http/validation.js';

export function registerConversationRoutes(api: Router, ctx: AppContext): void {
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
        ...ctx.conversations.settings,
        queues: ctx.routing.config.queues.map((q) => ({ id: q.id, name: q.name })),
      };
      res.json(body);
    },
  );

  addGuardedRoute(
    api,
    ctx.openapi,
    {
      method: 'get',
      path: '/conversations/agents',
      summary: 'Colleagues to transfer to or consult: agents with presence, load, capacity and skills',
      tags: ['conversations'],
      access: staff,
      responses: { 200: { description: 'Agents', schema: agentListResponseSchema } },
    },
    (_req, res) => {
      const body: AgentListResponse = { items: ctx.assignment.agents() };
      res.setHeader('Cache-Control', 'no-store');
      res.json(body);
    },
  );
}
