/**
 * Clinic settings routes: `GET /api/admin/settings` (admins all sections, supervisors the
 * conversations section) and `PUT /api/admin/settings/:section` `{ version, value }`.
 */
import type { Router } from 'express';
import { z } from 'zod';
import { CLINIC_SETTING_SECTIONS, clinicSettingUpdateSchema } from '../contracts/clinic-settings.js';
import { addGuardedRoute, requireStaff, roles } from '../platform/auth/access.js';
import { notFound } from '../platform/errors.js';
import type { OpenApiRegistry } from '../platform/http/openapi.js';
import type { ClinicSettings } from './service.js';

const sectionSchema = z.enum(CLINIC_SETTING_SECTIONS);

export function registerClinicSettingsRoutes(api: Router, ctx: { openapi: OpenApiRegistry; settings: ClinicSettings }): void {
  const route = addGuardedRoute.bind(null, api, ctx.openapi);
  const tags = ['admin'];
  const editors = roles('admin', 'supervisor');

  route(
    {
      method: 'get',
      path: '/admin/settings',
      summary: 'Clinic settings in force, by section, with their versions (supervisors: conversations only)',
      tags,
      access: editors,
      responses: { 200: { description: 'Sections the caller may see' } },
    },
    (req, res) => {
      const staff = requireStaff(req, ['admin', 'supervisor']);
      res.setHeader('Cache-Control', 'no-store');
      res.json(ctx.settings.list(staff));
    },
  );

  route(
    {
      method: 'put',
      path: '/admin/settings/:section',
      summary: 'Save a section (routing, conversations, survey); in force at once',
      tags,
      access: editors,
      body: clinicSettingUpdateSchema,
      responses: {
        200: { description: 'The saved section with its new version' },
        400: { description: 'An invalid body or value; `details.issues` names each field' },
        403: { description: 'Not an admin (supervisors may change quick replies only)' },
        404: { description: 'Unknown section' },
        409: { description: 'Saved by someone else meanwhile (reload), or refused by the running service (a queue still in use)' },
      },
    },
    (req, res) => {
      const staff = requireStaff(req, ['admin', 'supervisor']);
      const section = sectionSchema.safeParse(req.params.section);
      if (!section.success) throw notFound('Settings section');
      res.json(ctx.settings.update(staff, section.data, req.body));
    },
  );
}
