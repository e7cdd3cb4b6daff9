/** The public door of features/outreach. Outreach: segments, journeys and campaigns (placeholder). */
import { lazy } from 'react';

/** The workspace page, in a chunk of its own (registered in app/workspaces.ts). */
export const OutreachPage = lazy(() => import('./OutreachPage.js'));
