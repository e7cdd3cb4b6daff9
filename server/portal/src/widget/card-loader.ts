/**
 * How the panel gets the Adaptive Cards renderer (adaptive-card.ts, which bundles the `adaptivecards`
 * package): only when the first card arrives, never with the widget itself. The portal passes
 * `() => import('…/adaptive-card.js')` (a chunk of its own); the one-tag embed loads the classic
 * script /widget-cards.js from the Carebridge server (an IIFE build cannot split chunks), which hands
 * the renderer over on `window.CarebridgeChatCards`.
 */
import type { renderAdaptiveCard } from './adaptive-card.js';

export interface AdaptiveCardRenderer {
  renderAdaptiveCard: typeof renderAdaptiveCard;
}

export type LoadAdaptiveCards = () => Promise<AdaptiveCardRenderer>;

declare global {
  interface Window {
    /** Set by /widget-cards.js once it has run. */
    CarebridgeChatCards?: AdaptiveCardRenderer;
  }
}

/** Loads /widget-cards.js once per page (the same promise for every card); rejects when it cannot (offline, the page's CSP). */
export function scriptCardLoader(serverOrigin: string): LoadAdaptiveCards {
  let loading: Promise<AdaptiveCardRenderer> | null = null;
  return () => {
    if (window.CarebridgeChatCards) return Promise.resolve(window.CarebridgeChatCards);
    loading ??= new Promise<AdaptiveCardRenderer>((resolve, reject) => {
      const script = document.createElement('script');
      script.src = `${serverOrigin}/widget-cards.js`;
      script.async = true;
      script.addEventListener('load', () => (window.CarebridgeChatCards ? resolve(window.CarebridgeChatCards) : reject(new Error('widget-cards.js did not load'))));
      script.addEventListener('error', () => reject(new Error('widget-cards.js did not load')));
      document.head.append(script);
    }).catch((err: unknown) => {
      // A later card tries again (the connection may be back).
      loading = null;
      throw err;
    });
    return loading;
  };
}
