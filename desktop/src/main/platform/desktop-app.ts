/**
 * The composition root of the Electron main process: the only code (with updater.ts) that touches
 * Electron. Each Electron API is wrapped in the narrow interface a service takes; the decisions
 * (what to allow, what to store, what to show) live in the services and security modules.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  app,
  BrowserWindow,
  globalShortcut,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  protocol,
  safeStorage,
  session,
  shell,
  Tray,
  type WebContents,
} from 'electron';
import type { DesktopConfig, EventChannel, EventPayload } from '../../shared/ipc-contract.js';
import { createIpcDispatcher, registerIpcHandlers } from '../ipc/dispatch.js';
import { createIpcHandlers } from '../ipc/handlers.js';
import { consoleSink, createLogger, fileSink, type Logger } from '../logger.js';
import { APP_ENTRY_URL, APP_SCHEME, DEEP_LINK_SCHEME, originOf } from '../origins.js';
import { createAppProtocolHandler } from '../protocol/app-protocol.js';
import { buildContentSecurityPolicy, trustedOrigins } from '../security/csp.js';
import { decideNavigation, externalAllowlistFor } from '../security/external-urls.js';
import { isPermissionGranted } from '../security/permissions.js';
import { ACCEPT_NEXT_OFFER_SHORTCUT, APP_SCHEME_PRIVILEGES, secureWebPreferences } from '../security/web-preferences.js';
import { configFilePaths, readConfigFiles, resolveDesktopConfig } from '../services/config.js';
import { createDeepLinkQueue, deepLinkFromArgv, parseDeepLink } from '../services/deep-links.js';
import { openLocalStore } from '../services/local-store.js';
import { bringToFront, createNotificationService } from '../services/notifications.js';
import { createSessionStore } from '../services/session-store.js';
import { createUnreadBadge } from '../services/unread-badge.js';
import { planUpdates } from '../services/updates.js';
import { TRAY_ICON_DATA_URL } from './icon.js';
import { startAutoUpdates } from './updater.js';

const PRODUCT_NAME = 'Carebridge';

export interface StartOptions {
  /** The folder holding main/, preload/ and renderer/ (desktop/dist, or the asar's dist). */
  distDir: string;
  argv?: readonly string[];
  env?: Readonly<Record<string, string | undefined>>;
  /** Also log to the console (the log file in userData is always written). */
  logToConsole?: boolean;
}

/** Every web contents: no navigation, no new windows, no webviews; allowlisted https links go to the browser. */
function hardenWebContents(contents: WebContents, allowlist: readonly string[], logger: Logger): void {
  const leave = (url: string, how: string) => {
    const decision = decideNavigation(url, allowlist);
    if (decision.action === 'open-external') {
      void shell.openExternal(decision.url);
      return;
    }
    // The origin only: a URL's path or query may carry patient data.
    logger.warn(`${how} refused`, { origin: originOf(url) ?? 'unparseable' });
  };
  contents.on('will-navigate', (event, url) => {
    event.preventDefault();
    leave(url, 'navigation');
  });
  contents.on('will-redirect', (event, url) => {
    event.preventDefault();
    leave(url, 'redirect');
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    logger.warn('webview refused');
  });
  contents.setWindowOpenHandler(({ url }) => {
    leave(url, 'new window');
    return { action: 'deny' };
  });
}

export function startDesktopApp({ distDir, argv = process.argv, env = process.env, logToConsole = true }: StartOptions): Promise<void> {
  app.setName(PRODUCT_NAME);
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { ...APP_SCHEME_PRIVILEGES } }]);
  app.enableSandbox();

  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return Promise.resolve();
  }
  if (process.defaultApp && argv[1]) app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME, process.execPath, [path.resolve(argv[1])]);
  else app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME);

  const userData = app.getPath('userData');
  const logger = createLogger(logToConsole ? [fileSink(path.join(userData, 'logs')), consoleSink] : [fileSink(path.join(userData, 'logs'))]);
  const config = resolveDesktopConfig({
    argv,
    env,
    files: readConfigFiles(configFilePaths(process.platform, env, userData)),
  });
  for (const problem of config.problems) logger.warn(problem);
  logger.info('configuration', { serverUrl: config.serverUrl, from: config.sources.serverUrl, file: config.sources.file });

  const allowlist = externalAllowlistFor(config.serverUrl, config.externalAllowlist);
  const ownOrigins = trustedOrigins(config.serverUrl);
  const csp = buildContentSecurityPolicy(config.serverUrl);

  let mainWindow: BrowserWindow | null = null;
  let tray: Tray | null = null;
  const send = <C extends EventChannel>(channel: C, payload: EventPayload<C>) => {
    if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(channel, payload);
  };
  const deepLinks = createDeepLinkQueue((link) => send('deeplink:conversation', { conversationId: link.conversationId }));
  const showWindow = () => {
    if (mainWindow && !mainWindow.isDestroyed()) bringToFront(mainWindow);
  };

  // Registered before ready: macOS delivers the link that launched the app early.
  app.on('open-url', (event, url) => {
    event.preventDefault();
    const link = parseDeepLink(url);
    if (!link) return logger.warn('deep link ignored');
    showWindow();
    deepLinks.push(link);
  });
  app.on('second-instance', (_event, argv) => {
    showWindow();
    const link = deepLinkFromArgv(argv);
    if (link) deepLinks.push(link);
  });
  const launchLink = deepLinkFromArgv(argv);
  if (launchLink) deepLinks.push(launchLink);

  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, allowlist, logger));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', () => globalShortcut.unregisterAll());

  return app.whenReady().then(async () => {
    const ses = session.defaultSession;
    ses.setPermissionRequestHandler((_contents, permission, callback, details) => {
      const mediaTypes = 'mediaTypes' in details ? (details.mediaTypes ?? []) : [];
      const granted = isPermissionGranted({ permission, requestingUrl: details.requestingUrl, mediaTypes }, ownOrigins);
      if (!granted) logger.warn('permission denied', { permission, origin: originOf(details.requestingUrl) ?? 'unknown' });
      callback(granted);
    });
    ses.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) =>
      isPermissionGranted({ permission, requestingUrl: requestingOrigin, mediaTypes: details.mediaType ? [details.mediaType] : [] }, ownOrigins),
    );
    ses.setDevicePermissionHandler(() => false);

    const rendererDir = path.join(distDir, 'renderer');
    const serve = createAppProtocolHandler({ rootDir: rendererDir, contentSecurityPolicy: () => csp });
    protocol.handle(APP_SCHEME, (request) => serve(request));

    const local = await openLocalStore(path.join(userData, 'carebridge-local.json'), logger);
    const sessions = createSessionStore(path.join(userData, 'session.bin'), safeStorage, logger);
    let activeUserId: string | undefined;

    const trayImage = nativeImage.createFromDataURL(TRAY_ICON_DATA_URL);
    tray = new Tray(trayImage);
    tray.setToolTip(PRODUCT_NAME);
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: `Show ${PRODUCT_NAME}`, click: showWindow },
        { type: 'separator' },
        { label: 'Quit', role: 'quit' },
      ]),
    );
    tray.on('click', showWindow);

    const badge = createUnreadBadge({
      setBadgeCount: (count) => app.setBadgeCount(count),
      setOverlay:
        process.platform === 'win32'
          ? (count) => mainWindow?.setOverlayIcon(count > 0 ? trayImage : null, count > 0 ? `${count} unread` : '')
          : undefined,
      setTrayTooltip: (text) => tray?.setToolTip(text),
    });

    const notifications = createNotificationService({
      window: () => (mainWindow && !mainWindow.isDestroyed() ? mainWindow : null),
      factory: { isSupported: () => Notification.isSupported(), create: (options) => new Notification(options) },
      send,
      settings: () => local.getSettings(activeUserId),
    });

    const desktopConfig = (): DesktopConfig => ({
      serverUrl: config.serverUrl,
      platform: 'electron',
      version: app.getVersion(),
      updateChannel: config.updatesEnabled ? config.updateChannel : null,
    });
    const baseHandlers = createIpcHandlers({
      sessions,
      local,
      notify: (n) => notifications.notify(n),
      setBadge: (count) => badge.set(count),
      openExternal: (url) => shell.openExternal(url),
      externalAllowlist: () => allowlist,
      config: desktopConfig,
      deepLinksReady: () => deepLinks.markReady(),
      logger,
    });
    // Notifications follow the preferences of whoever's settings the renderer last read or wrote.
    const handlers = {
      ...baseHandlers,
      'settings:get': (payload: Parameters<typeof baseHandlers['settings:get']>[0]) => {
        activeUserId = payload?.userId;
        return baseHandlers['settings:get'](payload);
      },
      'session:clear': (payload: undefined) => {
        activeUserId = undefined;
        return baseHandlers['session:clear'](payload);
      },
    };
    const dispatch = createIpcDispatcher({
      handlers,
      mainFrame: () => (mainWindow && !mainWindow.isDestroyed() ? mainWindow.webContents.mainFrame : null),
      logger,
    });
    registerIpcHandlers(ipcMain, dispatch);

    if (!globalShortcut.register(ACCEPT_NEXT_OFFER_SHORTCUT, () => {
      showWindow();
      send('shortcut:accept-next-offer', undefined);
    })) {
      logger.warn('global shortcut already taken by another application', { shortcut: ACCEPT_NEXT_OFFER_SHORTCUT });
    }

    const createWindow = () => {
      const preload = path.join(distDir, 'preload', 'index.cjs');
      const win = new BrowserWindow({
        width: 1360,
        height: 860,
        minWidth: 900,
        minHeight: 600,
        show: false,
        title: PRODUCT_NAME,
        autoHideMenuBar: true,
        webPreferences: secureWebPreferences(preload, { devTools: !app.isPackaged }),
      });
      mainWindow = win;
      // Never an invisible app: show on first paint, or after 5 s whatever happened.
      const fallback = setTimeout(() => win.show(), 5000);
      win.once('ready-to-show', () => {
        clearTimeout(fallback);
        win.show();
      });
      win.webContents.on('did-start-loading', () => deepLinks.markNotReady());
      win.webContents.on('did-fail-load', (_e, code, description) => logger.error('renderer failed to load', { code, description }));
      win.webContents.on('render-process-gone', (_e, details) => {
        logger.error('renderer process gone; reloading', { reason: details.reason });
        if (details.reason !== 'clean-exit' && !win.isDestroyed()) win.webContents.reload();
      });
      win.on('closed', () => {
        if (mainWindow === win) mainWindow = null;
      });
      void win.loadURL(APP_ENTRY_URL);
    };
    createWindow();
    app.on('activate', () => {
      if (!mainWindow) createWindow();
      else showWindow();
    });

    const exeDir = path.dirname(app.getPath('exe'));
    startAutoUpdates(
      planUpdates({
        serverUrl: config.serverUrl,
        updateChannel: config.updateChannel,
        updatesEnabled: config.updatesEnabled,
        isPackaged: app.isPackaged,
        platform: process.platform,
        hasNsisUninstaller: fs.existsSync(path.join(exeDir, `Uninstall ${PRODUCT_NAME}.exe`)),
      }),
      logger,
    );
  });
}
