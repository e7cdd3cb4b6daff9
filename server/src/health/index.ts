/** The health domain's public door: `GET /api/health` (server and database status). */
import type { DomainModule } from '../platform/module.js';
import { registerHealthRoutes, type HealthDeps } from './routes.js';

export function createHealthModule(deps: HealthDeps): DomainModule {
  return { name: 'health', routes: (api) => registerHealthRoutes(api, deps) };
}
