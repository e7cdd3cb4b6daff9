/** The public door of features/assist: the conversation view's "Smart assist" panel and its red-flag banner. */
import { lazy } from 'react';

/** The context pane's "Smart assist" panel (its own chunk; registered in app/context-panels.ts). */
export const SmartAssistPanel = lazy(() => import('./SmartAssistPanel.js'));
/** Above the transcript while the conversation has a red flag (small, and in the conversation's first paint: not lazy). */
export { default as RedFlagBanner } from './RedFlagBanner.js';
