/**
 * The clinic-settings domain's public door: what the desk's admin workspace saves (routing,
 * conversations, survey), kept in the database with versions and applied to the running services.
 * The composition root builds `ClinicSettings` before the modules that use the values, builds them
 * with `settings.value(section)`, then connects them with `applyWith`.
 */
import type { OpenApiRegistry } from '../platform/http/openapi.js';
import type { DomainModule } from '../platform/module.js';
import { registerClinicSettingsRoutes } from './routes.js';
import type { ClinicSettings } from './service.js';

export { ClinicSettings, type ClinicSettingAppliers, type ClinicSettingValues } from './service.js';

export type ClinicSettingsModule = DomainModule & { api: ClinicSettings };

export function createClinicSettingsModule(deps: { settings: ClinicSettings; openapi: OpenApiRegistry }): ClinicSettingsModule {
  return {
    name: 'clinic-settings',
    api: deps.settings,
    routes: (api) => registerClinicSettingsRoutes(api, { openapi: deps.openapi, settings: deps.settings }),
  };
}
