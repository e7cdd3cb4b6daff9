/** The public door of features/insights: the Insights workspace (supervisors and admins). */
import { lazy } from 'react';

/** The workspace page, with echarts, in a chunk of its own (registered in app/workspaces.ts). */
export const InsightsPage = lazy(() => import('./InsightsPage.js'));
