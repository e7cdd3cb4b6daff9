/**
 * Auto-update plan: electron-updater's `generic` provider at `<server>/updates/<channel>/`. Pure;
 * the platform layer applies the plan to `autoUpdater`.
 */
export interface UpdateInputs {
  serverUrl: string | null;
  updateChannel: string;
  updatesEnabled: boolean;
  isPackaged: boolean;
  platform: NodeJS.Platform;
  /**
   * Windows only: whether the NSIS uninstaller sits beside the executable. MSI installs (and
   * portable copies) have none; they are updated by IT's software distribution, never in-app.
   */
  hasNsisUninstaller: boolean;
}

export type UpdatePlan =
  | { enabled: true; feed: { provider: 'generic'; url: string; channel: string } }
  | { enabled: false; reason: string };

export function planUpdates(inputs: UpdateInputs): UpdatePlan {
  if (!inputs.isPackaged) return { enabled: false, reason: 'not a packaged build' };
  if (!inputs.updatesEnabled) return { enabled: false, reason: 'turned off by configuration' };
  if (inputs.platform === 'win32' && !inputs.hasNsisUninstaller) return { enabled: false, reason: 'MSI or portable install: updated by IT' };
  if (!inputs.serverUrl) return { enabled: false, reason: 'no server configured' };
  const channel = inputs.updateChannel;
  return { enabled: true, feed: { provider: 'generic', url: `${inputs.serverUrl.replace(/\/+$/, '')}/updates/${channel}/`, channel } };
}
