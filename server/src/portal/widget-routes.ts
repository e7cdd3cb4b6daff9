/**
 * The chat widget's public endpoints, called from clinic sites (CORS: WIDGET_ORIGINS) and the portal:
 * its configuration, whether the clinic is open, and the offline form's messages. Nothing here
 * answers with PHI; the offline message is written as a FHIR Task and audited.
 */
import type { Router } from 'express';
import {
  availabilitySchema,
  offlineMessageResponseSchema,
  offlineMessageSchema,
  visitorOfflineMessageSchema,
  widgetConfigResponseSchema,
  type Availability,
  type OfflineMessageResponse,
  type WidgetConfig,
} from '../contracts/widget.js';
import { addGuardedRoute, anyone } from '../platform/auth/access.js';
import { SlidingWindowLimiter } from '../platform/auth/rate-limit.js';
import { forbidden, tooManyRequests } from '../platform/errors.js';
import type { OpenApiRegistry } from '../platform/http/openapi.js';
import { requestMeta } from '../platform/http/request-meta.js';
import { parseInput } from '../platform/http/validation.js';
import type { OfflineMessages, OfflineSender } from './offline-messages.js';

/** The widget reads its configuration at every page load: caches may keep it a minute. */
export const WIDGET_CONFIG_CACHE_CONTROL = 'public, max-age=60';
/** Opening and closing happen on the minute: half a minute of caching is harmless. */
export const AVAILABILITY_CACHE_CONTROL = 'public, max-age=30';
/** Offline messages per client address: a person leaves one or two, not dozens. */
export const OFFLINE_MESSAGES_PER_WINDOW = { limit: 5, windowMs: 10 * 60_000 };

export interface WidgetRouteDeps {
  openapi: OpenApiRegistry;
  config: WidgetConfig;
  availability: () => { open: boolean; nextOpenAt: number | null };
  offlineMessages: OfflineMessages;
  displayNameOf: (userId: string) => string | undefined;
}

export function registerWidgetRoutes(api: Router, ctx: WidgetRouteDeps): void {
  const perAddress = new SlidingWindowLimiter(OFFLINE_MESSAGES_PER_WINDOW);

  addGuardedRoute(
    api,
    ctx.openapi,
    {
      method: 'get',
      path: '/chat/widget-config',
      summary: 'The chat widget’s configuration: accent colour, header title, greeting, pre-chat form',
      tags: ['widget'],
      access: anyone,
      responses: { 200: { description: 'Widget configuration', schema: widgetConfigResponseSchema } },
    },
    (_req, res) => {
      res.setHeader('Cache-Control', WIDGET_CONFIG_CACHE_CONTROL);
      res.json(ctx.config);
    },
  );

  addGuardedRoute(
    api,
    ctx.openapi,
    {
      method: 'get',
      path: '/chat/availability',
      summary: 'Whether any chat queue is open now, and when one opens next',
      tags: ['widget'],
      access: anyone,
      responses: { 200: { description: 'Open or closed', schema: availabilitySchema } },
    },
    (_req, res) => {
      const { open, nextOpenAt } = ctx.availability();
      const body: Availability = { open, nextOpenAt: nextOpenAt === null ? null : new Date(nextOpenAt).toISOString() };
      res.setHeader('Cache-Control', AVAILABILITY_CACHE_CONTROL);
      res.json(body);
    },
  );

  addGuardedRoute(
    api,
    ctx.openapi,
    {
      method: 'post',
      path: '/chat/offline-messages',
      summary: 'Leave a message for the team while every queue is closed (a FHIR Task; a signed-in patient sends their token)',
      tags: ['widget'],
      access: anyone,
      body: offlineMessageSchema,
      responses: { 201: { description: 'The Task created', schema: offlineMessageResponseSchema } },
    },
    (req, res) => {
      const principal = req.principal;
      if (principal && principal.kind !== 'patient') throw forbidden('Offline messages come from patients and visitors.');
      const address = req.ip ?? 'unknown';
      const retryAfter = perAddress.retryAfterSeconds(address);
      if (retryAfter > 0) throw tooManyRequests('Too many messages from this address: please try again later.', retryAfter);
      const message = parseInput(principal ? offlineMessageSchema : visitorOfflineMessageSchema, req.body);
      // Only stored messages count: a typo answered 400 does not use up the visitor's budget.
      perAddress.hit(address);
      const sender: OfflineSender = principal
        ? { kind: 'patient', userId: principal.userId, patientId: principal.patientId, displayName: ctx.displayNameOf(principal.userId) ?? null }
        : { kind: 'visitor' };
      const body: OfflineMessageResponse = ctx.offlineMessages.leave(message, sender, requestMeta(req));
      res.setHeader('Cache-Control', 'no-store');
      res.status(201).json(body);
    },
  );
}
