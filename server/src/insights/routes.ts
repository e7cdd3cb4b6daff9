/**
 * Insights routes under /api/insights, for supervisors and admins: the historical report (JSON and
 * the same figures as CSV) and the live picture. Validate → authorise → service → present.
 */
import type { Router } from 'express';
import { insightsReportQuerySchema } from '../contracts/insights.js';
import { SUPERVISOR_ROLES } from '../contracts/supervision.js';
import type { OpenApiRegistry } from '../platform/http/openapi.js';
import { addGuardedRoute, requireStaff, roles } from '../platform/auth/access.js';
import { parseInput } from '../platform/http/validation.js';
import { reportCsv, type InsightsService } from './service.js';

export function registerInsightsRoutes(api: Router, ctx: { openapi: OpenApiRegistry; insights: InsightsService }): void {
  const route = addGuardedRoute.bind(null, api, ctx.openapi);
  const tags = ['insights'];
  const access = roles(...SUPERVISOR_ROLES);
  const report = {
    tags,
    access,
    query: insightsReportQuerySchema,
    responses: {
      400: { description: 'A bad date, from after to, or a range over 400 days' },
      403: { description: 'Not a supervisor or admin' },
    },
  };

  route(
    {
      ...report,
      method: 'get',
      path: '/insights/report',
      summary: 'Metrics per day, agent, queue or channel over a date range (clinic days), and their totals, from the event log',
      responses: { ...report.responses, 200: { description: 'InsightsReport' } },
    },
    async (req, res) => {
      requireStaff(req, SUPERVISOR_ROLES);
      const query = parseInput(insightsReportQuerySchema, req.query, 'query');
      res.setHeader('Cache-Control', 'private, no-store');
      res.json(await ctx.insights.report(query));
    },
  );

  route(
    {
      ...report,
      method: 'get',
      path: '/insights/report.csv',
      summary: 'The same report as CSV: one row per group, then the total',
      responses: { ...report.responses, 200: { description: 'text/csv' } },
    },
    async (req, res) => {
      requireStaff(req, SUPERVISOR_ROLES);
      const query = parseInput(insightsReportQuerySchema, req.query, 'query');
      const body = reportCsv(await ctx.insights.report(query));
      res.setHeader('Cache-Control', 'private, no-store');
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="insights-${query.from}-to-${query.to}-by-${query.groupBy}.csv"`);
      res.send(body);
    },
  );

  route(
    {
      method: 'get',
      path: '/insights/live',
      summary: "Queues (waiting, longest wait, today's service level), agents (presence, load, today's handle time), open conversations' sentiment",
      tags,
      access,
      responses: { 200: { description: 'InsightsLive' }, 403: { description: 'Not a supervisor or admin' } },
    },
    async (req, res) => {
      requireStaff(req, SUPERVISOR_ROLES);
      res.setHeader('Cache-Control', 'private, no-store');
      res.json(await ctx.insights.live());
    },
  );
}
