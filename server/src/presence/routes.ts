import type { Router } from 'express';
import { presenceListResponseSchema, presenceSchema, presenceUpdateSchema, type PresenceListResponse } from '../contracts/realtime.js';
import type { OpenApiRegistry } from '../platform/http/openapi.js';
import type { Logger } from '../platform/logging.js';
import type { PresenceService } from './service.js';
import { addGuardedRoute, requireStaff, staff } from '../platform/auth/access.js';
import { parseInput } from '../platform/http/validation.js';

/** Roles that see everyone's presence (to staff a queue); others see only their own. */
const SEES_EVERYONE = new Set(['supervisor', 'admin']);

export function registerPresenceRoutes(api: Router, ctx: { openapi: OpenApiRegistry; presence: PresenceService; logger: Logger }): void {
  addGuardedRoute(
    api,
    ctx.openapi,
    {
      method: 'get',
      path: '/presence',
      summary: "Presence of staff: everyone's for supervisors and admins, one's own otherwise",
      tags: ['presence'],
      access: staff,
      responses: { 200: { description: 'Presence list', schema: presenceListResponseSchema } },
    },
    (req, res) => {
      const principal = requireStaff(req);
      const items = SEES_EVERYONE.has(principal.role) ? ctx.presence.list() : [ctx.presence.get(principal.userId)];
      const body: PresenceListResponse = { items };
      res.setHeader('Cache-Control', 'no-store');
      res.json(body);
    },
  );

  addGuardedRoute(
    api,
    ctx.openapi,
    {
      method: 'put',
      path: '/presence/me',
      summary: 'Set my presence (available, busy, away, offline)',
      tags: ['presence'],
      access: staff,
      body: presenceUpdateSchema,
      responses: { 200: { description: 'The new presence', schema: presenceSchema } },
    },
    (req, res) => {
      const principal = requireStaff(req);
      const { state } = parseInput(presenceUpdateSchema, req.body);
      const presence = ctx.presence.set(principal.userId, state);
      ctx.logger.info({ userId: principal.userId, state }, 'presence changed');
      res.json(presence);
    },
  );
}
