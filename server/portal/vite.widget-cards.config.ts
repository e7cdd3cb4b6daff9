/**
 * Builds the Adaptive Cards renderer of the one-tag widget into ONE classic script,
 * portal/dist/widget-cards.js (served at /widget-cards.js), apart from /widget.js: the
 * `adaptivecards` package is large, so the widget loads it only when a bot message carries a card
 * (see src/widget/card-loader.ts). Run after the portal build, which empties dist/.
 */
import { classicScriptConfig } from './vite.classic-script.js';

export default classicScriptConfig({ entry: './src/widget/cards-entry.ts', name: 'CarebridgeWidgetCards', fileName: 'widget-cards.js' });
