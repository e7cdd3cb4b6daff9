/**
 * Audit log reading: administrators search by time range; a patient reads who accessed their record.
 */
import type { Router } from 'express';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { OpenApiRegistry } from '../http/openapi.js';
import type { AuditLog } from './audit.js';
import { accessLogPageSchema, accessLogQuerySchema, auditPageSchema, auditQuerySchema } from '../../contracts/audit.js';
import { parseInput } from '../http/validation.js';
import { validationFailed } from '../errors.js';
import { addGuardedRoute, admins, patients, requirePatient } from '../auth/access.js';
import { requirePrincipal } from '../auth/middleware.js';
import { AuditReader, decodeCursor } from './reader.js';

const DAY_MS = 24 * 3600 * 1000;

export function registerAuditRoutes(api: Router, ctx: { db: Kysely<Database>; openapi: OpenApiRegistry; audit: AuditLog }): void {
  const reader = new AuditReader(ctx.db);
  const route = addGuardedRoute.bind(null, api, ctx.openapi);

  route(
    {
      method: 'get',
      path: '/audit',
      summary: 'Search the audit log by time range (default: the last 24 hours), newest first',
      tags: ['audit'],
      access: admins,
      query: auditQuerySchema,
      responses: { 200: { description: 'A page of audit entries', schema: auditPageSchema } },
    },
    async (req, res) => {
      const principal = requirePrincipal(req);
      const query = parseInput(auditQuerySchema, req.query, 'query');
      const toMs = query.to ? Date.parse(query.to) : Date.now();
      const fromMs = query.from ? Date.parse(query.from) : toMs - DAY_MS;
      if (fromMs >= toMs) throw validationFailed('Invalid query: from: must be before to');
      const from = new Date(fromMs).toISOString();
      const to = new Date(toMs).toISOString();
      const beforeSeq = decodeCursor(query.cursor);
      const page = await reader.search({
        from,
        to,
        limit: query.limit,
        ...(query.actor ? { actor: query.actor } : {}),
        ...(query.patient ? { patient: query.patient } : {}),
        ...(query.action ? { action: query.action } : {}),
        ...(query.outcome ? { outcome: query.outcome } : {}),
        ...(beforeSeq !== undefined ? { beforeSeq } : {}),
      });
      // Reading the audit log is itself audited (who looked, with which filters).
      ctx.audit.record({
        actorId: principal.userId,
        actorRole: principal.role,
        action: 'audit.read',
        ip: req.ip ?? null,
        requestId: req.id === undefined ? null : String(req.id),
        details: { from, to, actor: query.actor ?? null, patient: query.patient ?? null, action: query.action ?? null, returned: page.items.length },
      });
      res.json({ from, to, ...page });
    },
  );

  route(
    {
      method: 'get',
      path: '/me/access-log',
      summary: "Who accessed the signed-in patient's record: when, what and why, newest first",
      tags: ['audit'],
      access: patients,
      query: accessLogQuerySchema,
      responses: { 200: { description: 'A page of accesses', schema: accessLogPageSchema } },
    },
    async (req, res) => {
      const principal = requirePatient(req);
      const query = parseInput(accessLogQuerySchema, req.query, 'query');
      res.json(await reader.accessLog(principal.patientId, query.limit, decodeCursor(query.cursor)));
    },
  );
}
