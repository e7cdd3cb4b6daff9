/**
 * Placeholder for the desktop workstation (Electron main, preload and React renderer), which its
 * own issue builds. It exists so that the workspace, lint and typecheck cover the folder already.
 */
export const DESKTOP_APP_NAME = 'Carebridge';
