/** The public door of features/sentiment: the Sentiment panel, the session tabs' badge, the supervisors' heat view, the live listeners and slice. */
import { lazy } from 'react';

/** The context pane's "Sentiment" panel (its own chunk; registered in app/context-panels.ts). */
export const SentimentPanel = lazy(() => import('./SentimentPanel.js'));
/** A session tab's sentiment badge (tiny, on every tab from the first paint: not lazy). */
export { default as SentimentBadge } from './SentimentBadge.js';
/** The supervisor workspace's heat view of ongoing conversations. */
export const SentimentHeatView = lazy(() => import('./SentimentHeatView.js'));
export { sentimentSlice, type SentimentState } from './sentiment-slice.js';
export { registerSentimentListeners } from './sentiment-api.js';
