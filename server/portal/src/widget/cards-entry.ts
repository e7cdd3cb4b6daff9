/**
 * The entry of /widget-cards.js (vite.widget-cards.config.ts): the Adaptive Cards renderer for the
 * one-tag embed, loaded by `scriptCardLoader` when the first card arrives.
 */
import { renderAdaptiveCard } from './adaptive-card.js';
import type { AdaptiveCardRenderer } from './card-loader.js';

const renderer: AdaptiveCardRenderer = { renderAdaptiveCard };
window.CarebridgeChatCards ??= renderer;
