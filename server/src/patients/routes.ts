/**
 * `POST /api/patients/search` (staff who may read PHI, with a stated reason) and a conversation's
 * identity: `GET /api/conversations/:id/identity`, `POST /api/conversations/:id/identity/verify`.
 */
import type { Router } from 'express';
import { z } from 'zod';
import {
  patient360QuerySchema,
  patientSearchRequestSchema,
  revealRequestSchema,
  verifyIdentityRequestSchema,
  type ConversationIdentity,
  type Patient360,
  type PatientSearchResponse,
} from '../contracts/patients.js';
import type { Request } from 'express';
import type { FhirActor } from '../fhir/index.js';
import type { Principal } from '../platform/auth/principal.js';
import type { PatientSummary } from './summary.js';
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

const patientIdParam = z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/);

export interface PatientRouteDeps {
  openapi: OpenApiRegistry;
  finder: PatientFinder;
  identities: ConversationIdentities;
  summary: PatientSummary;
}

export function registerPatientRoutes(api: Router, ctx: PatientRouteDeps): void {
  const route = addGuardedRoute.bind(null, api, ctx.openapi);

  /**
   * Who reads a patient's record and why: in a conversation, staff in it once the patient is verified
   * (the reason is the conversation); otherwise the stated X-Access-Reason (the FHIR service refuses without one).
   */
  function recordAccess(req: Request, principal: Extract<Principal, { kind: 'staff' }>, patientId: string, conversationId: string | undefined): { actor: FhirActor; access: Patient360['access'] } {
    const meta = requestMeta(req);
    if (conversationId !== undefined) {
      ctx.identities.requireVerifiedPatient(actorOf(principal), conversationId, patientId);
      const reason = `patient contact in conversation ${conversationId}`;
      return { actor: { principal, reason, requestId: meta.requestId ?? '', ip: meta.ip }, access: { conversationId, reason } };
    }
    const reason = accessReason(req);
    return { actor: { principal, reason, requestId: meta.requestId ?? '', ip: meta.ip }, access: { conversationId: null, reason: reason ?? '' } };
  }

  route(
    {
      method: 'get',
      path: '/patients/:patientId/360',
      summary: 'Patient 360: demographics, contacts, coverage, allergies, conditions, medications, immunizations, labs and vitals, appointments, visits, care plans and team, tasks, conversations, preferences (audited)',
      tags: ['patients'],
      access: roles(...PHI_READER_ROLES),
      query: patient360QuerySchema,
      responses: {
        200: { description: 'The record, contact details masked' },
        403: { description: 'Not verified in this conversation (details.reason not_verified), not in it, or no X-Access-Reason outside one' },
        404: { description: 'Unknown patient or conversation' },
      },
    },
    async (req, res) => {
      const principal = requireStaff(req, PHI_READER_ROLES);
      const patientId = patientIdParam.safeParse(req.params.patientId);
      if (!patientId.success) throw notFound('Patient');
      const query = parseInput(patient360QuerySchema, req.query);
      const { actor, access } = recordAccess(req, principal, patientId.data, query.conversationId);
      res.setHeader('Cache-Control', 'private, no-store');
      res.json(await ctx.summary.build(actor, patientId.data, access));
    },
  );

  route(
    {
      method: 'post',
      path: '/patients/:patientId/reveal',
      summary: 'Show one masked detail of a patient in full (MRN, phone, e-mail, address, contacts’ phones, member id); audited as phi.reveal',
      tags: ['patients'],
      access: roles(...PHI_READER_ROLES),
      body: revealRequestSchema,
      responses: { 200: { description: '`{ field, values }`' }, 403: { description: 'As for the 360' }, 404: { description: 'Unknown patient or conversation' } },
    },
    async (req, res) => {
      const principal = requireStaff(req, PHI_READER_ROLES);
      const patientId = patientIdParam.safeParse(req.params.patientId);
      if (!patientId.success) throw notFound('Patient');
      const body = parseInput(revealRequestSchema, req.body);
      const { actor, access } = recordAccess(req, principal, patientId.data, body.conversationId);
      res.setHeader('Cache-Control', 'private, no-store');
      res.json(await ctx.summary.reveal(actor, patientId.data, body.field, access));
    },
  );

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
