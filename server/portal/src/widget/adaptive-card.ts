/**
 * Adaptive Cards in the widget, drawn by the `adaptivecards` package. Loaded only when a bot message
 * carries a card: in the portal as a chunk of its own (`import()`), in the one-tag embed as the
 * separate classic script /widget-cards.js (cards-entry.ts), so /widget.js stays small.
 *
 * The host config follows the widget's styles (its font, the clinic's accent colour, dark mode via
 * CSS variables set in styles.ts); images from the Carebridge server only (others become their alt
 * text); Markdown goes through `cardMarkdownToHtml` (everything escaped,
 * safe links only); `Action.Submit` (and `Action.Execute`) hands the inputs to `onSubmit`;
 * `Action.OpenUrl` opens same-site paths and https links only, in a new tab without an opener.
 */
import { AdaptiveCard, ChoiceSetInput, ExecuteAction, HostConfig, OpenUrlAction, SerializationContext, SubmitAction, Version, type Action, type Input } from 'adaptivecards';
import { cardMarkdownToHtml, cardSubmission, safeCardUrl, sameSiteImageUrl, withAllowedImages, type SubmittedInput } from '../../../src/contracts/bot-cards.js';

export interface AdaptiveCardOptions {
  serverOrigin: string;
  /** The patient pressed a submit button: the message to send (body for the transcript, value for the bot). */
  onSubmit(submission: { body: string; value: string | Record<string, unknown> }): void;
  /** Read-only: inputs and buttons drawn but disabled (the desk's transcript). */
  readOnly?: boolean;
  /** Host config overrides (colours, font) of the client drawing the card. */
  hostConfig?: Record<string, unknown>;
}

export interface RenderedAdaptiveCard {
  element: HTMLElement;
  /** Enables or disables the card's inputs and buttons (a card answered, or followed by a newer bot message). */
  setActive(active: boolean): void;
}

/** Matches the widget: its font, 14–16 px text, the accent colour for buttons and accents, theme colours from CSS variables. */
export const WIDGET_HOST_CONFIG = {
  fontFamily: 'inherit',
  supportsInteractivity: true,
  spacing: { small: 4, default: 8, medium: 12, large: 16, extraLarge: 20, padding: 10 },
  separator: { lineThickness: 1, lineColor: '#c9d1d9' },
  fontTypes: {
    default: {
      fontFamily: 'inherit',
      fontSizes: { small: 13, default: 15, medium: 16, large: 18, extraLarge: 20 },
      fontWeights: { lighter: 300, default: 400, bolder: 600 },
    },
    monospace: { fontFamily: 'ui-monospace, Menlo, Consolas, monospace', fontSizes: { small: 13, default: 14, medium: 15, large: 17, extraLarge: 19 }, fontWeights: { lighter: 300, default: 400, bolder: 600 } },
  },
  containerStyles: {
    default: {
      backgroundColor: 'var(--cb-card-bg, #ffffff)',
      foregroundColors: {
        default: { default: 'var(--cb-card-text, #1f2328)', subtle: 'var(--cb-card-subtle, #57606a)' },
        accent: { default: 'var(--cb-card-accent, #0b5cad)', subtle: 'var(--cb-card-accent, #0b5cad)' },
        good: { default: 'var(--cb-card-good, #1a7f37)', subtle: 'var(--cb-card-good, #1a7f37)' },
        warning: { default: 'var(--cb-card-warning, #9a6700)', subtle: 'var(--cb-card-warning, #9a6700)' },
        attention: { default: 'var(--cb-card-attention, #b42318)', subtle: 'var(--cb-card-attention, #b42318)' },
        dark: { default: 'var(--cb-card-text, #1f2328)', subtle: 'var(--cb-card-subtle, #57606a)' },
        light: { default: 'var(--cb-card-subtle, #57606a)', subtle: 'var(--cb-card-subtle, #57606a)' },
      },
    },
    emphasis: { backgroundColor: 'var(--cb-card-emphasis, #f6f8fa)', foregroundColors: { default: { default: 'var(--cb-card-text, #1f2328)', subtle: 'var(--cb-card-subtle, #57606a)' } } },
  },
  actions: { maxActions: 6, spacing: 'default', buttonSpacing: 6, showCard: { actionMode: 'inline', inlineTopMargin: 8 }, actionsOrientation: 'horizontal', actionAlignment: 'left' },
  imageSizes: { small: 40, medium: 80, large: 160 },
  inputs: { label: { requiredInputs: { weight: 'bolder', suffix: ' *' }, optionalInputs: { weight: 'bolder' } }, errorMessage: { weight: 'bolder', color: 'attention' } },
} as const;

let markdownOrigin = '';
// One hook for the whole page (the package's setting is global): every card's Markdown is escaped, then the safe subset applied.
AdaptiveCard.onProcessMarkdown = (text, result) => {
  result.outputHtml = cardMarkdownToHtml(text, markdownOrigin);
  result.didProcess = true;
};

/** The inputs of a card with their labels and the values as the patient saw them (a choice's title). */
function submittedInputs(action: Action): { inputs: SubmittedInput[]; values: Record<string, string> } {
  const referenced = action.getReferencedInputs() ?? {};
  const inputs: SubmittedInput[] = [];
  const values: Record<string, string> = {};
  for (const input of Object.values(referenced) as Input[]) {
    if (!input.id || !input.isSet()) continue;
    const raw = input.value === undefined || input.value === null ? '' : String(input.value);
    values[input.id] = raw;
    let shown = raw;
    if (input instanceof ChoiceSetInput) {
      shown = raw
        .split(',')
        .map((v) => input.choices.find((c) => c.value === v)?.title ?? v)
        .join(', ');
    }
    inputs.push({ id: input.id, label: input.label ?? '', shown });
  }
  return { inputs, values };
}

/** The controls the card drew, to enable or disable together. */
const CONTROLS = 'input, select, textarea, button';

/** Every control gets an accessible name: the label the card gave, else its placeholder or title, else a generic one. */
function nameControls(root: HTMLElement): void {
  for (const control of Array.from(root.querySelectorAll<HTMLElement>(CONTROLS))) {
    const labelled = control.getAttribute('aria-label') || control.getAttribute('aria-labelledby') || (control as HTMLInputElement).labels?.length || control.textContent?.trim();
    if (labelled) continue;
    const words = control.getAttribute('placeholder') || control.getAttribute('title') || (control.tagName === 'BUTTON' ? 'Card button' : 'Card answer');
    control.setAttribute('aria-label', words);
  }
  for (const image of Array.from(root.querySelectorAll('img'))) if (!image.hasAttribute('alt')) image.alt = '';
}

/** Draws an Adaptive Card; throws when it cannot be drawn (the caller shows the fallback text). */
export function renderAdaptiveCard(content: Record<string, unknown>, options: AdaptiveCardOptions): RenderedAdaptiveCard {
  markdownOrigin = options.serverOrigin;
  const card = new AdaptiveCard();
  card.hostConfig = new HostConfig({ ...WIDGET_HOST_CONFIG, ...(options.hostConfig ?? {}) });
  const context = new SerializationContext(Version.parse('1.5', new SerializationContext()));
  // Images only from the Carebridge server (the portal's CSP allows those, and no one else learns the patient opened the chat).
  card.parse(withAllowedImages(content, (url) => sameSiteImageUrl(url, options.serverOrigin)), context);
  let active = !options.readOnly;
  card.onExecuteAction = (action) => {
    if (!active) return;
    if (action instanceof OpenUrlAction) {
      const url = safeCardUrl(action.url, options.serverOrigin);
      if (url) window.open(url, '_blank', 'noopener,noreferrer');
      return;
    }
    if (action instanceof SubmitAction || action instanceof ExecuteAction) {
      const { inputs, values } = submittedInputs(action);
      options.onSubmit(cardSubmission(action.data, inputs, values, action.title ?? ''));
    }
  };
  const element = card.render();
  if (!element) throw new Error('The card could not be drawn.');
  // The package makes the card itself a tab stop; its controls are the tab stops that matter.
  element.removeAttribute('tabindex');
  nameControls(element);
  const setActive = (on: boolean) => {
    active = on && !options.readOnly;
    for (const control of Array.from(element.querySelectorAll<HTMLInputElement>(CONTROLS))) control.disabled = !active;
  };
  setActive(active);
  return { element, setActive };
}
