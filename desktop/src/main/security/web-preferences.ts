/**
 * The BrowserWindow `webPreferences` of every Carebridge window: the Electron security checklist in
 * one object. Pure, so the test can pin each value.
 */
export interface SecureWebPreferences {
  preload: string;
  contextIsolation: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  sandbox: true;
  webSecurity: true;
  allowRunningInsecureContent: false;
  webviewTag: false;
  experimentalFeatures: false;
  navigateOnDragDrop: false;
  spellcheck: boolean;
  devTools: boolean;
}

export function secureWebPreferences(preloadPath: string, { devTools }: { devTools: boolean }): SecureWebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    sandbox: true,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    spellcheck: true,
    devTools,
  };
}

/** The privileges of the `app://` scheme: a standard, secure origin that can fetch its own files. Never `bypassCSP`. */
export const APP_SCHEME_PRIVILEGES = {
  standard: true,
  secure: true,
  supportFetchAPI: true,
  codeCache: true,
  bypassCSP: false,
  corsEnabled: false,
  allowServiceWorkers: false,
  stream: false,
} as const;

/** The global shortcut that accepts the next offered conversation. */
export const ACCEPT_NEXT_OFFER_SHORTCUT = 'CommandOrControl+Shift+A';
