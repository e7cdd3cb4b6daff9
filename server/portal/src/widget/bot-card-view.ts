/**
 * What a bot message carries besides its text, drawn under it: its cards (hero cards here; Adaptive
 * Cards by the renderer loaded on demand, see card-loader.ts) and its suggested actions as a row of
 * buttons. Until an Adaptive Card is drawn, and whenever it cannot be (a card the package refuses,
 * the renderer not loading), its fallback text stands in: the chat never breaks over a card.
 */
import type { MessageView } from '../../../src/contracts/conversations.js';
import { ADAPTIVE_CARD_TYPE, HERO_CARD_TYPE, bodyIsCardWords, cardFallbackText, cardMarkdownToHtml, cardWords, readHeroCard, safeCardUrl, sameSiteImageUrl, type BotCardAttachment, type HeroCardView } from '../../../src/contracts/bot-cards.js';
import type { LoadAdaptiveCards } from './card-loader.js';
import { h } from './dom.js';
import type { Strings } from './strings.js';

export interface BotContentDeps {
  serverOrigin: string;
  strings: Strings;
  /** Absent: Adaptive Cards show their fallback text. */
  loadAdaptiveCards?: LoadAdaptiveCards;
  /** The patient answers: `body` for the transcript, `value` (if any) for the bot. */
  send(body: string, value?: string | Record<string, unknown>): void;
}

export interface BotContentView {
  /** Appended to the message's element after its sender. */
  nodes: Node[];
  setActive(active: boolean): void;
}

/** A card's accessible name: "Card: " and its first words (its title or first text, without Markdown's emphasis marks). */
function cardName(t: Strings, attachment: BotCardAttachment): string {
  const words = cardWords(attachment.content) || cardFallbackText(attachment);
  const first = (words.split('\n').find((line) => line.trim() !== '') ?? '').replace(/\*\*|__/g, '').trim();
  return t.cardLabel(first.length > 80 ? `${first.slice(0, 79)}…` : first);
}

/**
 * A message's words: the bot's Markdown (`textFormat: 'markdown'`: bold, italics, links to this site or
 * https, lists, paragraphs) as HTML built from escaped text, anything else as plain text.
 */
export function messageText(message: Pick<MessageView, 'body' | 'sender' | 'bot'>, serverOrigin: string): HTMLElement {
  if (message.sender.kind === 'bot' && message.bot?.textFormat === 'markdown') {
    const el = h('div', { className: 'cb-text cb-markdown' });
    // cardMarkdownToHtml escapes every character of the text before adding its own tags.
    el.innerHTML = cardMarkdownToHtml(message.body, serverOrigin);
    return el;
  }
  return h('span', { className: 'cb-text' }, message.body);
}

export function botContentView(message: MessageView, deps: BotContentDeps): BotContentView {
  const t = deps.strings;
  const attachments = (message.bot?.attachments ?? []) as BotCardAttachment[];
  const nodes: Node[] = [];
  const toggles: Array<(active: boolean) => void> = [];
  let active = false;

  if (!bodyIsCardWords(message.body, attachments)) nodes.push(messageText(message, deps.serverOrigin));

  for (const attachment of attachments) {
    const box = h('div', { className: 'cb-botcard', role: 'group', 'aria-label': cardName(t, attachment) });
    nodes.push(box);
    if (attachment.contentType === HERO_CARD_TYPE) {
      const hero = readHeroCard(attachment.content);
      if (hero) toggles.push(heroCard(box, hero, deps));
      else box.append(fallback(attachment, t));
    } else if (attachment.contentType === ADAPTIVE_CARD_TYPE) {
      toggles.push(adaptiveCard(box, attachment, deps, () => active));
    } else {
      box.append(fallback(attachment, t));
    }
  }

  const actions = message.bot?.suggestedActions ?? [];
  if (actions.length > 0) {
    const row = h('div', { className: 'cb-suggested', role: 'group', 'aria-label': t.suggestedReplies });
    const buttons = actions.map((action) => {
      const button = h('button', { type: 'button', disabled: true }, action.title || action.value);
      button.addEventListener('click', () => {
        if (active) deps.send(action.value);
      });
      return button;
    });
    row.append(...buttons);
    nodes.push(row);
    toggles.push((on) => buttons.forEach((b) => (b.disabled = !on)));
  }

  return {
    nodes,
    setActive(on) {
      active = on;
      for (const toggle of toggles) toggle(on);
    },
  };
}

function fallback(attachment: BotCardAttachment, t: Strings): HTMLElement {
  const text = cardFallbackText(attachment);
  return h('p', { className: 'cb-card-fallback' }, text || t.cardUnavailable);
}

function adaptiveCard(box: HTMLElement, attachment: BotCardAttachment, deps: BotContentDeps, isActive: () => boolean): (active: boolean) => void {
  const stand = fallback(attachment, deps.strings);
  box.append(stand);
  let setActive: ((active: boolean) => void) | null = null;
  if (deps.loadAdaptiveCards) {
    deps.loadAdaptiveCards().then(
      (renderer) => {
        try {
          const rendered = renderer.renderAdaptiveCard(attachment.content, {
            serverOrigin: deps.serverOrigin,
            onSubmit: ({ body, value }) => {
              if (isActive()) deps.send(body, value);
            },
          });
          stand.replaceWith(rendered.element);
          setActive = rendered.setActive;
          setActive(isActive());
        } catch {
          // A card the package cannot draw keeps its fallback text.
        }
      },
      () => undefined,
    );
  }
  return (on) => setActive?.(on);
}

function heroCard(box: HTMLElement, hero: HeroCardView, deps: BotContentDeps): (active: boolean) => void {
  box.classList.add('cb-hero');
  for (const image of hero.images) {
    const src = sameSiteImageUrl(image.url, deps.serverOrigin);
    if (src) box.append(h('img', { src, alt: image.alt, loading: 'lazy', referrerPolicy: 'no-referrer' }));
    else if (image.alt) box.append(h('span', { className: 'cb-card-sub' }, `[${image.alt}]`));
  }
  if (hero.title) box.append(h('strong', { className: 'cb-card-title' }, hero.title));
  if (hero.subtitle) box.append(h('span', { className: 'cb-card-sub' }, hero.subtitle));
  if (hero.text) box.append(h('span', { className: 'cb-card-text' }, hero.text));
  const sendButtons: HTMLButtonElement[] = [];
  const row = h('div', { className: 'cb-row' });
  for (const button of hero.buttons) {
    if (button.type === 'openUrl') {
      const href = typeof button.value === 'string' ? safeCardUrl(button.value, deps.serverOrigin) : null;
      if (href) row.append(h('a', { className: 'cb-card-action', href, target: '_blank', rel: 'noopener noreferrer' }, button.title));
      continue;
    }
    const el = h('button', { type: 'button', disabled: true }, button.title);
    el.addEventListener('click', () => {
      if (el.disabled) return;
      if (typeof button.value === 'string') deps.send(button.value);
      else deps.send(button.title, button.value);
    });
    sendButtons.push(el);
    row.append(el);
  }
  if (row.childElementCount > 0) box.append(row);
  return (on) => sendButtons.forEach((b) => (b.disabled = !on));
}

