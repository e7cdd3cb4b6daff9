/** The desk domain's public door: the workstation at `/desk` and the desktop update feed at `/updates/<channel>/`. */
import type { Config } from '../platform/config.js';
import type { DomainModule } from '../platform/module.js';
import { registerDeskRoutes } from './routes.js';

export { UPDATE_CHANNEL_PATTERN } from './routes.js';

export function createDeskModule(deps: { config: Pick<Config, 'UPDATES_DIR' | 'DESK_DIR'> }): DomainModule {
  return { name: 'desk', mounts: [{ phase: 'post-api', mount: (app) => registerDeskRoutes(app, deps) }] };
}
