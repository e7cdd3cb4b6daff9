/**
 * The portal domain's public door: the patient portal at `/portal`, the chat widget at `/widget.js`,
 * the survey link page `/survey/<token>`, and CORS for the few visitor endpoints clinic websites call.
 */
import type { Config } from '../platform/config.js';
import type { DomainModule } from '../platform/module.js';
import { WIDGET_API_PATHS, redactTokenPath, widgetCors, widgetOriginPolicy } from './cors.js';
import { registerPortalRoutes } from './routes.js';

export { realtimeCorsOrigin, widgetOriginPolicy } from './cors.js';
export { WIDGET_CACHE_CONTROL } from './routes.js';

export function createPortalModule(deps: { config: Pick<Config, 'PORTAL_DIR' | 'WIDGET_ORIGINS'> }): DomainModule {
  return {
    name: 'portal',
    // The survey link's token (its page and its API path) is a credential: never in the request log.
    redactPath: redactTokenPath,
    mounts: [
      // The chat widget on clinic websites (WIDGET_ORIGINS) calls a few visitor endpoints cross-origin.
      { phase: 'pre-cors', mount: (app) => app.use(WIDGET_API_PATHS, widgetCors(widgetOriginPolicy(deps.config))) },
      { phase: 'post-api', mount: (app) => registerPortalRoutes(app, deps) },
    ],
  };
}
