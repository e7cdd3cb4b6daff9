/** Sign-in, tokens, MFA and account management under /api. (Being built.) */
import type { Router } from 'express';
import type { AppContext } from '../app.js';

export function registerAccountRoutes(_api: Router, _ctx: AppContext): void {}
