/**
 * The Direct Line 3.0–shaped channel API for SMS, IVR and other channels, under `/api/bot/conversations`:
 *
 * - `POST /`                    `{ trigger?, locale?, displayName? }` → `201 { conversationId, token, expiresIn }`
 * - `POST /:id/activities`      `{ type: 'message', text | value, id? }` → `{ id }`, once the bot has answered
 * - `GET  /:id/activities?watermark=` → `{ activities: [...], watermark }`
 *
 * Each is a Carebridge conversation on the `api` channel, so a hand-off reaches an agent like a
 * portal chat does and the agent's messages come back as activities. Authentication, like Direct
 * Line's per-conversation token: creating a conversation anonymously returns a chat visitor token
 * (short-lived, signed, for this visitor only) to send as `Authorization: Bearer <token>`; a signed-in
 * patient may use their access token instead, and the conversation is theirs. Creation is rate limited
 * per address. This router is mounted before the app's access-token middleware (visitor tokens are not
 * access tokens) and parses its own JSON bodies with a small limit.
 */
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  BOT_AUTHOR_ROLES,
  HERO_CARD_CONTENT_TYPE,
  directLineActivitySchema,
  directLineStartSchema,
  directLineWatermarkSchema,
  type DirectLineActivitiesResponse,
  type DirectLineActivity,
  type DirectLineStart,
  type DirectLineStartResponse,
} from '../contracts/bot.js';
import { cardText, type MessageView } from '../contracts/conversations.js';
import type { ConversationsApi } from '../conversations/index.js';
import type { Actor, ActorResolver } from '../platform/auth/actor.js';
import { SlidingWindowLimiter } from '../platform/auth/rate-limit.js';
import type { VisitorTokens } from '../platform/auth/visitor-tokens.js';
import { badRequest, forbidden, tooManyRequests, unauthorized } from '../platform/errors.js';
import type { OpenApiRegistry } from '../platform/http/openapi.js';
import { parseInput } from '../platform/http/validation.js';
import type { DraftRuns } from './draft-runs.js';

export interface DirectLineDeps {
  conversations: Pick<ConversationsApi, 'bot' | 'core'>;
  actors: ActorResolver;
  visitorTokens: VisitorTokens;
  openapi: OpenApiRegistry;
  /** Bot authors' test chats of a draft (`draft: true`). */
  drafts?: Pick<DraftRuns, 'load' | 'run'>;
  /** Conversations one address may start per minute. */
  startsPerMinute: number;
  /** How long an activity's POST waits for the bot's answer before it answers anyway. */
  replyWaitMs?: number;
}

const conversationIdSchema = z.string().min(1).max(100);
const BODY_LIMIT = 64 * 1024;

interface Locals {
  actor: Actor;
}
const locals = (res: Response) => res.locals as Locals;

function bearerAuth(actors: ActorResolver): RequestHandler {
  return async (req, res, next) => {
    const match = /^Bearer ([A-Za-z0-9_\-.]+)$/.exec(req.headers.authorization ?? '');
    if (!match) throw unauthorized('Send "Authorization: Bearer <token>" with the token the conversation was created with.');
    const actor = await actors.actorForToken(match[1]!);
    if (!actor) throw unauthorized('The token is invalid or has expired: start a new conversation.');
    if (actor.kind === 'staff') throw unauthorized('This channel is for patients and visitors: staff use the desk.');
    locals(res).actor = actor;
    next();
  };
}

/** A stored message as a Direct Line activity. */
export function toActivity(message: MessageView, botName: string): DirectLineActivity {
  const kind = message.sender.kind;
  const from: DirectLineActivity['from'] =
    kind === 'patient' || kind === 'visitor' ? { id: message.sender.id, role: 'user' } : kind === 'bot' || kind === 'system' ? { id: message.sender.id, role: 'bot', name: botName } : { id: message.sender.id, role: 'agent' };
  const bot = message.bot;
  const attachments = [...(bot?.attachments ?? [])];
  if (message.card) {
    attachments.push({
      contentType: HERO_CARD_CONTENT_TYPE,
      content: {
        title: message.card.title,
        ...(message.card.subtitle ? { subtitle: message.card.subtitle } : {}),
        ...(message.card.text ? { text: message.card.text } : {}),
        buttons: (message.card.actions ?? []).map((a) => ({ type: 'openUrl', title: a.label, value: a.url })),
      },
    });
  }
  return {
    id: `${message.conversationId}|${message.seq}`,
    type: kind === 'system' ? 'event' : 'message',
    timestamp: message.createdAt,
    from,
    text: message.card ? cardText(message.card) : message.body,
    ...(bot?.textFormat ? { textFormat: bot.textFormat } : {}),
    ...(bot?.suggestedActions?.length ? { suggestedActions: { actions: bot.suggestedActions.map((a) => ({ type: 'imBack' as const, title: a.title, value: a.value })) } } : {}),
    ...(attachments.length ? { attachments } : {}),
  };
}

export function createDirectLineRouter(deps: DirectLineDeps): Router {
  const router = express.Router();
  const json = express.json({ limit: BODY_LIMIT, type: ['application/json', 'application/*+json'], strict: true });
  const auth = bearerAuth(deps.actors);
  const perAddress = new SlidingWindowLimiter({ limit: deps.startsPerMinute, windowMs: 60_000 });
  const tags = ['bot'];
  const base = '/api/bot/conversations';
  const conversationId = (req: Request) => parseInput(conversationIdSchema, req.params.id, 'conversationId');
  const botName = 'Carebridge assistant';

  deps.openapi.add({
    method: 'post',
    path: base,
    summary:
      'Start a bot conversation on the channel API (Direct Line 3.0 shape): a visitor token comes back, or send a patient access token (public; rate limited per address). `draft: true` with a `trigger` and a bot author\'s access token runs that scenario\'s open draft (a test chat whose hand-offs reach nobody)',
    tags,
    auth: false,
    body: directLineStartSchema,
    responses: {
      201: { description: '`{ conversationId, token, expiresIn }`' },
      400: { description: 'A bad field, or `draft` without `trigger`' },
      401: { description: '`draft` without a staff access token' },
      403: { description: '`draft` by someone who is not a bot author' },
      404: { description: '`draft`: no scenario has this trigger' },
      429: { description: 'Too many starts from this address' },
    },
  });
  router.post(base, json, async (req, res) => {
    const address = req.ip ?? 'unknown';
    const retryAfter = perAddress.retryAfterSeconds(address);
    if (retryAfter > 0) throw tooManyRequests('Too many conversations started from this address: try again shortly.', retryAfter);
    perAddress.hit(address);
    const body = parseInput(directLineStartSchema, req.body ?? {});
    const header = /^Bearer ([A-Za-z0-9_\-.]+)$/.exec(req.headers.authorization ?? '');
    if (body.draft) {
      res.setHeader('Cache-Control', 'no-store');
      res.status(201).json(await startTestChat(body, header?.[1]));
      return;
    }
    let actor: Actor | undefined;
    let issued: { token: string; expiresIn: number } | undefined;
    if (header) {
      actor = await deps.actors.actorForToken(header[1]!);
      if (!actor || actor.kind === 'staff') throw unauthorized('Send a patient access token, or no Authorization header to chat as a visitor.');
    } else {
      const visitor = await deps.visitorTokens.issue(body.displayName ?? 'Guest');
      actor = { kind: 'visitor', userId: visitor.visitorId, displayName: body.displayName ?? 'Guest' };
      issued = { token: visitor.token, expiresIn: deps.visitorTokens.ttlSeconds };
    }
    const start = { ...(body.trigger ? { trigger: body.trigger } : {}), ...(body.locale ? { locale: body.locale } : {}) };
    const { conversation } = await deps.conversations.bot.start(actor, 'api', undefined, start);
    // A patient keeps using their own access token: only a visitor gets one.
    const response: DirectLineStartResponse = { conversationId: conversation.id, ...(issued ? issued : {}) };
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json(response);
  });

  /** A bot author's test chat of a draft: the author's access token opens it; the chat itself runs on a visitor token, like any other. */
  async function startTestChat(body: DirectLineStart, token: string | undefined): Promise<DirectLineStartResponse> {
    if (!body.trigger) throw badRequest('A test chat of a draft needs the scenario\'s trigger.');
    const author = token ? await deps.actors.actorForToken(token) : undefined;
    if (!author) throw unauthorized('A test chat of a draft needs a bot author\'s access token.');
    if (author.kind !== 'staff' || !(BOT_AUTHOR_ROLES as readonly string[]).includes(author.role)) throw forbidden('Only bot authors and admins can run a draft.');
    if (!deps.drafts) throw forbidden('Test chats of drafts are not available on this server.');
    const draft = await deps.drafts.load(body.trigger);
    const displayName = body.displayName ?? 'Test chat';
    const visitor = await deps.visitorTokens.issue(displayName);
    const actor: Actor = { kind: 'visitor', userId: visitor.visitorId, displayName };
    const { conversation } = await deps.drafts.run(draft, () => deps.conversations.bot.start(actor, 'api', undefined, { trigger: draft.trigger, ...(body.locale ? { locale: body.locale } : {}) }));
    return { conversationId: conversation.id, token: visitor.token, expiresIn: deps.visitorTokens.ttlSeconds };
  }

  deps.openapi.add({
    method: 'post',
    path: `${base}/:id/activities`,
    summary: 'Send a message activity `{ type: "message", text | value, id? }` (a card submission or suggested action in `value`); answers once the bot has replied',
    tags,
    auth: true,
    body: directLineActivitySchema,
    responses: { 200: { description: '`{ id }`' }, 400: { description: 'Not a message activity, or neither text nor value' }, 401: { description: 'No or a bad token' }, 403: { description: 'Not this token’s conversation' }, 409: { description: 'The conversation is closed' } },
  });
  router.post(`${base}/:id/activities`, auth, json, async (req, res) => {
    const id = conversationId(req);
    const activity = parseInput(directLineActivitySchema, req.body ?? {});
    const text = activity.text?.trim() ? activity.text : typeof activity.value === 'string' ? activity.value : JSON.stringify(activity.value);
    const value = activity.value !== undefined && typeof activity.value !== 'string' ? activity.value : undefined;
    const { message } = await deps.conversations.core.sendMessageDurably(locals(res).actor, {
      conversationId: id,
      clientMessageId: activity.id ?? randomUUID(),
      body: text.slice(0, 4_000),
      ...(value !== undefined ? { value } : {}),
    });
    // Answer after the bot's turn, so the next GET has its reply (bounded: a slow data connection does not hold the client).
    await Promise.race([deps.conversations.bot.settled(id), new Promise((resolve) => setTimeout(resolve, deps.replyWaitMs ?? 10_000).unref())]);
    res.setHeader('Cache-Control', 'no-store');
    res.json({ id: `${id}|${message.seq}` });
  });

  deps.openapi.add({
    method: 'get',
    path: `${base}/:id/activities`,
    summary: 'The conversation’s activities after `watermark` (bot, agent and own messages); choice prompts carry `suggestedActions`, cards `attachments`',
    tags,
    auth: true,
    query: directLineWatermarkSchema,
    responses: { 200: { description: '`{ activities, watermark }`' }, 401: { description: 'No or a bad token' }, 403: { description: 'Not this token’s conversation' }, 404: { description: 'No such conversation' } },
  });
  router.get(`${base}/:id/activities`, auth, (req, res) => {
    const id = conversationId(req);
    const { watermark = 0 } = parseInput(directLineWatermarkSchema, req.query, 'query');
    const { conversation, messages } = deps.conversations.core.sync(locals(res).actor, id, watermark);
    const body: DirectLineActivitiesResponse = {
      activities: messages.map((m) => toActivity(m, botName)),
      watermark: String(messages.at(-1)?.seq ?? Math.min(watermark, conversation.last_seq)),
    };
    res.setHeader('Cache-Control', 'no-store');
    res.json(body);
  });

  return router;
}
