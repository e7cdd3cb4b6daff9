/** The public door of features/bot-studio. Bot studio: scenario editor (placeholder until the health bot's editor lands). */
import { lazy } from 'react';

/** The workspace page, in a chunk of its own (registered in app/workspaces.ts). */
export const BotStudioPage = lazy(() => import('./BotStudioPage.js'));
