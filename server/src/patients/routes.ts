/**
 * `POST /api/patients/search` (staff who may read PHI, with a stated reason) and a conversation's
 * identity: `GET /api/conversations/:id/identity`, `POST /api/conversations/:id/identity/verify`.
 */
import type { Router } from 'express';
import { z } from 'zod';
import { patientSearchRequestSchema, verifyIdentityRequestSchema, type ConversationIdentity, type PatientSearchResponse } from '../contracts/patients.js';
import { actorOf } from '../platform/auth/actor.js';
import { addGuardedRoute, requireStaff, roles } from '../platform/auth/access.js';
import { accessReason, PHI_READER_ROLES } from '../platform/auth/phi-access.js';
import { notFound } from '../platform/errors.js';
import type { OpenApiRegistry } from '../platform/http/openapi.js';
import { requestMeta } from '../platform/http/request-meta.js';
import { parseInput } from '../platform/http/validation.js';
import type { ConversationIdentities } from './identity.js';
import type { PatientFinder } from './search.js';

const conversationIdParam = z.string().uuid();
const CHAT_STAFF = ['agent', 'supervisor', 'admin'] as const;

export function registerPatientRoutes(api: Router, ctx: { openapi: OpenApiRegistry; finder: PatientFinder; identities: ConversationIdentities }): void {
  const route = addGuardedRoute.bind(null, api, ctx.openapi);

  route(
    {
      method: 'post',
      path: '/patients/search',
      summary: 'Find a patient by name (misspellings tolerated), date of birth, phone, MRN or e-mail; needs X-Access-Reason; audited',
      tags: ['patients'],
      access: roles(...PHI_READER_ROLES),
      body: patientSearchRequestSchema,
      responses: {
        200: { description: '`{ results }`: name, date of birth, age, sex, city and the MRN’s last four — enough to tell people apart' },
        400: { description: 'Nothing to search by, or a malformed detail' },
        403: { description: 'No X-Access-Reason (reason_required)' },
      },
    },
    async (req, res) => {
      const principal = requireStaff(req, PHI_READER_ROLES);
      const body = parseInput(patientSearchRequestSchema, req.body);
      const meta = requestMeta(req);
      const results = await ctx.finder.search({ principal, reason: accessReason(req), requestId: meta.requestId ?? '', ip: meta.ip }, body);
      res.setHeader('Cache-Control', 'private, no-store');
      const response: PatientSearchResponse = { results };
      res.json(response);
    },
  );

  route(
    {
      method: 'get',
      path: '/conversations/:conversationId/identity',
      summary: 'Who the patient in this conversation is: verified (portal sign-in or two matching details) or not',
      tags: ['patients', 'conversations'],
      access: roles(...CHAT_STAFF),
      responses: { 200: { description: 'The identity' }, 403: { description: 'Not in this conversation' }, 404: { description: 'Unknown conversation' } },
    },
    (req, res) => {
      const principal = requireStaff(req, CHAT_STAFF);
      const id = conversationIdParam.safeParse(req.params.conversationId);
      if (!id.success) throw notFound('Conversation');
      res.setHeader('Cache-Control', 'private, no-store');
      const body: ConversationIdentity = ctx.identities.view(actorOf(principal), id.data);
      res.json(body);
    },
  );

  route(
    {
      method: 'post',
      path: '/conversations/:conversationId/identity/verify',
      summary: 'Verify the caller as a patient: at least two of date of birth, MRN, phone and ZIP code must match (audited either way)',
      tags: ['patients', 'conversations'],
      access: roles(...CHAT_STAFF),
      body: verifyIdentityRequestSchema,
      responses: {
        200: { description: 'Verified' },
        400: { description: 'Fewer than two details given, or a malformed one' },
        403: { description: 'Not in this conversation' },
        404: { description: 'Unknown conversation or patient' },
        409: { description: 'Already verified' },
        422: { description: 'Fewer than two details match (how many tries are left is in details.attemptsLeft)' },
        429: { description: 'Locked after five failed tries' },
      },
    },
    (req, res) => {
      const principal = requireStaff(req, CHAT_STAFF);
      const id = conversationIdParam.safeParse(req.params.conversationId);
      if (!id.success) throw notFound('Conversation');
      const body = parseInput(verifyIdentityRequestSchema, req.body);
      res.json(ctx.identities.verify(actorOf(principal), id.data, body, requestMeta(req)));
    },
  );
}
