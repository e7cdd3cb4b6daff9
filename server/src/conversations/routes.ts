import type { Router } from 'express';
import { z } from 'zod';
import {
  conversationSettingsResponseSchema,
  messageSchema,
  personalQuickRepliesSchema,
  sendCardBodySchema,
  visitorTokenRequestSchema,
  visitorTokenResponseSchema,
  type ConversationSettingsResponse,
  type ConversationSettings,
  type PersonalQuickReplies as PersonalQuickRepliesBody,
  type VisitorTokenResponse,
} from '../contracts/conversations.js';
import { historyQuerySchema } from '../contracts/history.js';
import type { OpenApiRegistry } from '../platform/http/openapi.js';
import { requestMeta } from '../platform/http/request-meta.js';
import { actorOf } from '../platform/auth/actor.js';
import type { VisitorTokens } from '../platform/auth/visitor-tokens.js';
import { addGuardedRoute, anyone, requireStaff, roles, staff } from '../platform/auth/access.js';
import { SlidingWindowLimiter } from '../platform/auth/rate-limit.js';
import { notFound, tooManyRequests } from '../platform/errors.js';
import type { ConversationHistory } from './history.js';
import type { PersonalQuickReplies } from './personal-quick-replies.js';
import type { ChatCards } from './cards.js';
import { parseInput } from '../platform/http/validation.js';

export interface ConversationRouteDeps {
  openapi: OpenApiRegistry;
  visitorTokens: VisitorTokens;
  settings: () => ConversationSettings;
  /** The queues staff may transfer to (routing's configuration). */
  queues: () => { id: string; name: string }[];
  history: ConversationHistory;
  personalQuickReplies: PersonalQuickReplies;
  cards: ChatCards;
}

/** Who keeps quick replies of their own: those who chat with patients. */
const QUICK_REPLY_OWNERS = ['agent', 'supervisor'] as const;

const HISTORY_READERS = ['agent', 'supervisor', 'admin'] as const;
const CARD_SENDERS = ['agent', 'supervisor'] as const;
const conversationIdParam = z.string().uuid();

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
        queues: ctx.queues().map((q) => ({ id: q.id, name: q.name })),
      };
      res.json(body);
    },
  );

  addGuardedRoute(
    api,
    ctx.openapi,
    {
      method: 'get',
      path: '/conversations/history',
      summary:
        'Conversations, newest first: mine, my queues’ (team) or everyone’s (supervisors, admins); open or closed; by queue, agent, disposition and day; searched by words in the transcript or the patient’s name (each shown conversation audited)',
      tags: ['conversations'],
      access: roles(...HISTORY_READERS),
      query: historyQuerySchema,
      responses: { 200: { description: '`{ items, nextCursor }`' }, 400: { description: 'Bad filters or cursor' }, 403: { description: '`scope=all` for an agent' } },
    },
    async (req, res) => {
      const principal = requireStaff(req, HISTORY_READERS);
      const query = parseInput(historyQuerySchema, req.query, 'query');
      res.setHeader('Cache-Control', 'private, no-store');
      res.json(await ctx.history.list(actorOf(principal), query, requestMeta(req)));
    },
  );

  addGuardedRoute(
    api,
    ctx.openapi,
    {
      method: 'get',
      path: '/conversations/history/:conversationId',
      summary: 'One conversation read back whole and read-only: transcript with notes, everyone who took part, the wrap-up (audited)',
      tags: ['conversations'],
      access: roles(...HISTORY_READERS),
      responses: { 200: { description: '`{ conversation, patientName, participants, messages, wrapup }`' }, 403: { description: 'Not yours to read' }, 404: { description: 'Unknown conversation' } },
    },
    async (req, res) => {
      const principal = requireStaff(req, HISTORY_READERS);
      const id = conversationIdParam.safeParse(req.params.conversationId);
      if (!id.success) throw notFound('Conversation');
      res.setHeader('Cache-Control', 'private, no-store');
      res.json(await ctx.history.read(actorOf(principal), id.data, requestMeta(req)));
    },
  );

  addGuardedRoute(
    api,
    ctx.openapi,
    {
      method: 'post',
      path: '/conversations/:conversationId/cards',
      summary: 'Send the patient a card (appointment confirmation, article link, notice) in an open conversation',
      tags: ['conversations'],
      access: roles(...CARD_SENDERS),
      body: sendCardBodySchema,
      responses: {
        201: { description: 'The card message, delivered', schema: z.object({ message: messageSchema }) },
        200: { description: 'Already sent with this clientMessageId: the same message', schema: z.object({ message: messageSchema }) },
        403: { description: 'Not the agent or a supervisor in this conversation' },
        404: { description: 'Unknown conversation' },
        409: { description: 'The conversation is in wrap-up or closed' },
      },
    },
    async (req, res) => {
      const principal = requireStaff(req, CARD_SENDERS);
      const id = conversationIdParam.safeParse(req.params.conversationId);
      if (!id.success) throw notFound('Conversation');
      const body = parseInput(sendCardBodySchema, req.body);
      const sent = await ctx.cards.send(actorOf(principal), id.data, body.card, body.clientMessageId);
      res.status(sent.duplicate ? 200 : 201).json({ message: sent.message });
    },
  );

  addGuardedRoute(
    api,
    ctx.openapi,
    {
      method: 'get',
      path: '/me/quick-replies',
      summary: 'My own quick replies (the composer offers them before the clinic’s)',
      tags: ['conversations'],
      access: roles(...QUICK_REPLY_OWNERS),
      responses: { 200: { description: '`{ quickReplies }`', schema: personalQuickRepliesSchema } },
    },
    async (req, res) => {
      const principal = requireStaff(req, QUICK_REPLY_OWNERS);
      res.setHeader('Cache-Control', 'private, no-store');
      const body: PersonalQuickRepliesBody = { quickReplies: await ctx.personalQuickReplies.list(principal.userId) };
      res.json(body);
    },
  );

  addGuardedRoute(
    api,
    ctx.openapi,
    {
      method: 'put',
      path: '/me/quick-replies',
      summary: 'Replace my own quick replies (up to 100, each shortcut once)',
      tags: ['conversations'],
      access: roles(...QUICK_REPLY_OWNERS),
      body: personalQuickRepliesSchema,
      responses: { 200: { description: 'The stored list', schema: personalQuickRepliesSchema }, 400: { description: 'A bad or repeated shortcut, an empty title or text, too many' } },
    },
    async (req, res) => {
      const principal = requireStaff(req, QUICK_REPLY_OWNERS);
      const { quickReplies } = parseInput(personalQuickRepliesSchema, req.body);
      const body: PersonalQuickRepliesBody = { quickReplies: await ctx.personalQuickReplies.replace(principal.userId, quickReplies) };
      res.json(body);
    },
  );
}
