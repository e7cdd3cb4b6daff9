/** The public door of features/bot-studio: the bot author's workspace (scenarios, strings, language models). */
import { lazy } from 'react';

/** The workspace page, in a chunk of its own (registered in app/workspaces.ts). */
export const BotStudioPage = lazy(() => import('./BotStudioPage.js'));
