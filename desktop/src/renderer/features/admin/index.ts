/** The public door of features/admin: the admin workspace (users, queues and hours, wrap-up, quick replies, survey). */
import { lazy } from 'react';

/** The workspace page, in a chunk of its own (registered in app/workspaces.ts). */
export const AdminPage = lazy(() => import('./AdminPage.js'));
