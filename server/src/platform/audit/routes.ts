/** Audit log reading: admins by time range, patients their own access log. (Being built.) */
import type { Router } from 'express';
import type { AppContext } from '../../app.js';

export function registerAuditRoutes(_api: Router, _ctx: AppContext): void {}
