/**
 * Adaptive Cards in the desk's transcript, drawn by the `adaptivecards` package as the patient saw
 * them, read-only: inputs and buttons are there but disabled, and no action runs. Loaded with the
 * first card (BotContent.tsx imports it lazily), so the desk's first load stays light. The host
 * config takes the desk's theme variables (light and dark), and Markdown goes through the same safe
 * subset as the widget's (`cardMarkdownToHtml`).
 */
import { AdaptiveCard, HostConfig, SerializationContext, Version } from 'adaptivecards';
import { cardMarkdownToHtml, withAllowedImages } from '@carebridge/server/contracts';

const colours = (normal: string, subtle: string) => ({ default: normal, subtle });

const DESK_HOST_CONFIG = {
  fontFamily: 'inherit',
  supportsInteractivity: true,
  spacing: { small: 4, default: 8, medium: 12, large: 16, extraLarge: 20, padding: 10 },
  separator: { lineThickness: 1, lineColor: 'var(--border)' },
  fontTypes: {
    default: { fontFamily: 'inherit', fontSizes: { small: 12, default: 14, medium: 15, large: 17, extraLarge: 19 }, fontWeights: { lighter: 300, default: 400, bolder: 600 } },
    monospace: { fontFamily: 'ui-monospace, Menlo, Consolas, monospace', fontSizes: { small: 12, default: 13, medium: 14, large: 16, extraLarge: 18 }, fontWeights: { lighter: 300, default: 400, bolder: 600 } },
  },
  containerStyles: {
    default: {
      backgroundColor: 'var(--surface)',
      foregroundColors: {
        default: colours('var(--text)', 'var(--muted)'),
        accent: colours('var(--accent)', 'var(--accent)'),
        good: colours('var(--ok)', 'var(--ok)'),
        warning: colours('var(--warn)', 'var(--warn)'),
        attention: colours('var(--danger)', 'var(--danger)'),
        dark: colours('var(--text)', 'var(--muted)'),
        light: colours('var(--muted)', 'var(--muted)'),
      },
    },
    emphasis: { backgroundColor: 'var(--surface-2)', foregroundColors: { default: colours('var(--text)', 'var(--muted)') } },
  },
  actions: { maxActions: 6, spacing: 'default', buttonSpacing: 6, showCard: { actionMode: 'inline', inlineTopMargin: 8 }, actionsOrientation: 'horizontal', actionAlignment: 'left' },
  imageSizes: { small: 40, medium: 80, large: 160 },
} as const;

let markdownOrigin = '';
AdaptiveCard.onProcessMarkdown = (text, result) => {
  result.outputHtml = cardMarkdownToHtml(text, markdownOrigin);
  result.didProcess = true;
};

/** Draws the card read-only into a new element; throws when it cannot be drawn (the caller shows the fallback text). */
export function renderReadOnlyAdaptiveCard(content: Record<string, unknown>, serverOrigin: string): HTMLElement {
  markdownOrigin = serverOrigin;
  const card = new AdaptiveCard();
  card.hostConfig = new HostConfig(DESK_HOST_CONFIG);
  // The desk's CSP loads no outside images (and the server's only as blobs): images show as their alt text.
  card.parse(withAllowedImages(content, () => null), new SerializationContext(Version.parse('1.5', new SerializationContext())));
  // Nothing the agent clicks acts for the patient.
  card.onExecuteAction = () => undefined;
  const element = card.render();
  if (!element) throw new Error('The card could not be drawn.');
  element.removeAttribute('tabindex');
  for (const control of Array.from(element.querySelectorAll<HTMLInputElement>('input, select, textarea, button'))) {
    control.disabled = true;
    if (!control.getAttribute('aria-label') && !control.getAttribute('aria-labelledby') && !control.labels?.length && !control.textContent?.trim()) {
      control.setAttribute('aria-label', control.getAttribute('placeholder') || (control.tagName === 'BUTTON' ? 'Card button' : 'Card answer'));
    }
  }
  for (const image of Array.from(element.querySelectorAll('img'))) if (!image.hasAttribute('alt')) image.alt = '';
  return element;
}
