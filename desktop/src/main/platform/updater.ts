/**
 * Applies an update plan (services/updates.ts) to electron-updater's autoUpdater. Platform layer:
 * electron-updater imports electron.
 */
import electronUpdater from 'electron-updater';
import type { Logger } from '../logger.js';
import type { UpdatePlan } from '../services/updates.js';

const CHECK_EVERY_MS = 4 * 60 * 60 * 1000;

export function startAutoUpdates(plan: UpdatePlan, logger: Logger): void {
  if (!plan.enabled) {
    logger.info('auto-update off', { reason: plan.reason });
    return;
  }
  const { autoUpdater } = electronUpdater;
  autoUpdater.logger = null;
  autoUpdater.setFeedURL(plan.feed);
  autoUpdater.channel = plan.feed.channel;
  // Setting a channel allows downgrades; a pinned channel must never roll a machine back by itself.
  autoUpdater.allowDowngrade = false;
  autoUpdater.autoInstallOnAppQuit = true;
  autoUpdater.on('error', (err: Error) => logger.warn('update check failed', { error: err.message.slice(0, 200) }));
  autoUpdater.on('update-downloaded', (info: { version: string }) => logger.info('update downloaded; installs on quit', { version: info.version }));
  const check = () => void autoUpdater.checkForUpdatesAndNotify().catch((err: unknown) => logger.warn('update check failed', { error: String(err).slice(0, 200) }));
  logger.info('auto-update on', { feed: plan.feed.url, channel: plan.feed.channel });
  check();
  setInterval(check, CHECK_EVERY_MS).unref();
}
