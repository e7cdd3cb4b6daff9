/**
 * The clinic-settings domain's public door: what the desk's admin workspace saves (routing,
 * conversations, survey), kept in the database with versions and applied to the running services.
 * The composition root builds `ClinicSettings` before the modules that use the values, builds them
 * with `settings.value(section)`, then connects them with `applyWith`. Every staff socket hears
 * `settings:changed` after a save, so open desks read their dispositions and quick replies again.
 */
import type { ClinicSettingsChangedEvent } from '../contracts/clinic-settings.js';
import { listen } from '../platform/events.js';
import type { OpenApiRegistry } from '../platform/http/openapi.js';
import type { DomainModule } from '../platform/module.js';
import type { RealtimeHub } from '../platform/realtime/hub.js';
import { registerClinicSettingsRoutes } from './routes.js';
import type { ClinicSettings } from './service.js';

export { ClinicSettings, type ClinicSettingAppliers, type ClinicSettingValues } from './service.js';

declare module '../platform/events.js' {
  interface DomainEvents {
    /** A section of the clinic settings was saved and is in force. */
    'clinic-settings.changed': ClinicSettingsChangedEvent;
  }
}

/** Every staff socket, for the settings broadcast. */
export const STAFF_SETTINGS_ROOM = 'clinic-settings:staff';

export type ClinicSettingsModule = DomainModule & { api: ClinicSettings };

export function createClinicSettingsModule(deps: { settings: ClinicSettings; openapi: OpenApiRegistry; hub: RealtimeHub }): ClinicSettingsModule {
  return {
    name: 'clinic-settings',
    api: deps.settings,
    routes: (api) => registerClinicSettingsRoutes(api, { openapi: deps.openapi, settings: deps.settings }),
    sockets: [{ namespace: 'staff', onConnection: (socket) => void socket.join(STAFF_SETTINGS_ROOM) }],
    listeners: [listen('clinic-settings.changed', 'clinic-settings.realtime', (event) => deps.hub.emit('staff', STAFF_SETTINGS_ROOM, 'settings:changed', event))],
  };
}
