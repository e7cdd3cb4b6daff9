import type { Router } from 'express';
import { sql } from 'kysely';
import { healthResponseSchema, type HealthResponse } from '../contracts/health.js';
import type { Kysely } from 'kysely';
import type { Database } from '../platform/db/schema.js';
import type { OpenApiRegistry } from '../platform/http/openapi.js';
import { VERSION } from '../platform/version.js';

export interface HealthDeps {
  openapi: OpenApiRegistry;
  db: Kysely<Database>;
  startedAt: number;
}

export function registerHealthRoutes(router: Router, ctx: HealthDeps): void {
  ctx.openapi.add({
    method: 'get',
    path: '/api/health',
    summary: 'Server and database status',
    tags: ['platform'],
    auth: false,
    responses: { 200: { description: 'Healthy', schema: healthResponseSchema }, 503: { description: 'Database unavailable', schema: healthResponseSchema } },
  });
  router.get('/health', async (_req, res) => {
    const base = { version: VERSION, uptimeSeconds: Math.round((Date.now() - ctx.startedAt) / 1000) };
    try {
      const row = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM resources WHERE resource_type = 'Patient' AND deleted = 0`.execute(
        ctx.db,
      );
      const body: HealthResponse = { status: 'ok', ...base, database: { status: 'ok', patients: Number(row.rows[0]?.n ?? 0) } };
      res.json(body);
    } catch (err) {
      const body: HealthResponse = { status: 'degraded', ...base, database: { status: 'error', message: (err as Error).message } };
      res.status(503).json(body);
    }
  });
}
