/**
 * `GET|PUT /api/admin/users/:id/routing-profile`: an agent's skills and capacity for routing.
 * Admins change them; supervisors may read them. Thin: access rule → zod → `ctx.agentProfiles`.
 */
import type { Router } from 'express';
import { agentRoutingProfileSchema, type AgentRoutingProfile } from '../contracts/routing.js';
import { userIdParamSchema } from '../contracts/auth.js';
import type { OpenApiRegistry } from '../platform/http/openapi.js';
import type { AgentProfiles } from './routing-profiles.js';
import { addGuardedRoute, admins, roles } from '../platform/auth/access.js';
import { requirePrincipal } from '../platform/auth/middleware.js';
import { parseInput } from '../platform/http/validation.js';
import { requestMeta } from '../platform/http/request-meta.js';

export function registerRoutingProfileRoutes(api: Router, ctx: { openapi: OpenApiRegistry; agentProfiles: AgentProfiles }): void {
  const route = addGuardedRoute.bind(null, api, ctx.openapi);
  const tags = ['admin', 'routing'];

  route(
    {
      method: 'get',
      path: '/admin/users/:id/routing-profile',
      summary: "An agent's routing skills and capacity (defaults when none is stored: all skills, capacity 4)",
      tags,
      access: roles('admin', 'supervisor'),
      responses: {
        200: { description: 'The profile', schema: agentRoutingProfileSchema },
        404: { description: 'No such account' },
        409: { description: 'The account is not an agent or supervisor' },
      },
    },
    (req, res) => {
      const id = parseInput(userIdParamSchema, req.params.id, 'id');
      const body: AgentRoutingProfile = ctx.agentProfiles.read(id);
      res.json(body);
    },
  );

  route(
    {
      method: 'put',
      path: '/admin/users/:id/routing-profile',
      summary: "Set an agent's routing skills and capacity (applies at once to a signed-in agent; audited)",
      tags,
      access: admins,
      body: agentRoutingProfileSchema,
      responses: {
        200: { description: 'The stored profile', schema: agentRoutingProfileSchema },
        404: { description: 'No such account' },
        409: { description: 'The account is not an agent or supervisor' },
      },
    },
    (req, res) => {
      const principal = requirePrincipal(req);
      const id = parseInput(userIdParamSchema, req.params.id, 'id');
      const body = parseInput(agentRoutingProfileSchema, req.body);
      const stored: AgentRoutingProfile = ctx.agentProfiles.update(principal, id, body, requestMeta(req));
      res.json(stored);
    },
  );
}
