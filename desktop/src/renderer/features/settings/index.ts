/** The public door of features/settings. Settings: the per-device settings page. The settings state itself is app-wide (app/settings/). */
import { lazy } from 'react';

/** The workspace page, in a chunk of its own (registered in app/workspaces.ts). */
export const SettingsPage = lazy(() => import('./SettingsPage.js'));
