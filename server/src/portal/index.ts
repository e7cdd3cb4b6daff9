/**
 * The portal domain's public door: the patient portal at `/portal`, the chat widget at `/widget.js`
 * with its public endpoints (configuration, availability, offline messages), the survey link page
 * `/survey/<token>`, and CORS for the few endpoints clinic websites call.
 */
import type { WidgetConfig } from '../contracts/widget.js';
import type { SystemFhir } from '../fhir/index.js';
import type { Config } from '../platform/config.js';
import type { OpenApiRegistry } from '../platform/http/openapi.js';
import type { DomainModule } from '../platform/module.js';
import { WIDGET_API_PATHS, redactTokenPath, widgetCors, widgetOriginPolicy } from './cors.js';
import { OfflineMessages } from './offline-messages.js';
import { registerPortalRoutes } from './routes.js';
import { DEFAULT_WIDGET_CONFIG } from './widget-config.js';
import { registerWidgetRoutes } from './widget-routes.js';

export { realtimeCorsOrigin, widgetOriginPolicy } from './cors.js';
export { WIDGET_CACHE_CONTROL } from './routes.js';
export { DEFAULT_WIDGET_CONFIG, loadWidgetConfig } from './widget-config.js';
export { OFFLINE_MESSAGES_PER_WINDOW } from './widget-routes.js';

export interface PortalModuleDeps {
  config: Pick<Config, 'PORTAL_DIR' | 'WIDGET_ORIGINS'>;
  openapi: OpenApiRegistry;
  /** The clinic's widget configuration (`loadWidgetConfig(config.WIDGET_CONFIG)`); default: built in. */
  widget?: WidgetConfig;
  /** Whether any chat queue is open now (routing's business hours). */
  availability: () => { open: boolean; nextOpenAt: number | null };
  /** Offline messages become Tasks through the FHIR system facade. */
  fhir: Pick<SystemFhir, 'write'>;
  /** A signed-in patient's name, for the Task of their offline message. */
  displayNameOf: (userId: string) => string | undefined;
}

export function createPortalModule(deps: PortalModuleDeps): DomainModule {
  const offlineMessages = new OfflineMessages({ fhir: deps.fhir });
  return {
    name: 'portal',
    // The survey link's token (its page and its API path) is a credential: never in the request log.
    redactPath: redactTokenPath,
    routes: (api) =>
      registerWidgetRoutes(api, {
        openapi: deps.openapi,
        config: deps.widget ?? DEFAULT_WIDGET_CONFIG,
        availability: deps.availability,
        offlineMessages,
        displayNameOf: deps.displayNameOf,
      }),
    mounts: [
      // The chat widget on clinic websites (WIDGET_ORIGINS) calls a few visitor endpoints cross-origin.
      { phase: 'pre-cors', mount: (app) => app.use(WIDGET_API_PATHS, widgetCors(widgetOriginPolicy(deps.config))) },
      { phase: 'post-api', mount: (app) => registerPortalRoutes(app, deps) },
    ],
  };
}
