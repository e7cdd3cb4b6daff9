/**
 * What the chat clients (the widget, the portal chat, the desk transcript) need to show a bot
 * message's cards and suggested actions (`BotContent` in conversations.ts): the words a card stands
 * for, hero cards read into a plain shape, which links a card may open, what a card submission sends,
 * and the safe Markdown subset of card texts. Pure and free of zod, so the widget may import it as
 * values without bundling zod (like forms.ts and colour.ts).
 */

/** Same strings as `ADAPTIVE_CARD_CONTENT_TYPE` / `HERO_CARD_CONTENT_TYPE` in bot.ts (bot-cards.test.ts checks). */
export const ADAPTIVE_CARD_TYPE = 'application/vnd.microsoft.card.adaptive';
export const HERO_CARD_TYPE = 'application/vnd.microsoft.card.hero';

/** A card as a message carries it (`BotAttachment`), typed loosely so clients need not import zod. */
export interface BotCardAttachment {
  contentType: string;
  content: Record<string, unknown>;
}

/**
 * The words of a card, its titles, subtitles and texts in order: what the bot puts in the body of a
 * message that is only a card (engine.ts `cardsText` does the same walk), so a client can tell a
 * card-only body from text of its own.
 */
export function cardWords(content: unknown): string {
  const words: string[] = [];
  const walk = (node: unknown, depth: number) => {
    if (depth > 20 || !node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((n) => walk(n, depth + 1));
    const element = node as Record<string, unknown>;
    for (const key of ['title', 'subtitle', 'text']) if (typeof element[key] === 'string' && element[key] !== '') words.push(element[key]);
    for (const value of Object.values(element)) if (value && typeof value === 'object') walk(value, depth + 1);
  };
  walk(content, 0);
  return words.join('\n\n');
}

/** True when the message's body is just its cards' words: the client shows the cards instead of repeating them. */
export function bodyIsCardWords(body: string, attachments: readonly BotCardAttachment[]): boolean {
  if (attachments.length === 0) return false;
  const words = attachments
    .map((a) => cardWords(a.content))
    .filter((w) => w !== '')
    .join('\n\n');
  return body.trim() === words.trim();
}

/** What to show instead of a card that cannot be drawn: its `fallbackText`, else its words. */
export function cardFallbackText(attachment: BotCardAttachment): string {
  const fallback = attachment.content.fallbackText;
  if (typeof fallback === 'string' && fallback.trim() !== '') return fallback.trim();
  return cardWords(attachment.content);
}

/**
 * Where a card's link may go: a path on the Carebridge server (resolved against it, not against the
 * page the widget is on), or an https link. Anything else (javascript:, data:, http:, //host) is
 * refused with null.
 */
export function safeCardUrl(url: unknown, serverOrigin: string): string | null {
  if (typeof url !== 'string') return null;
  const trimmed = url.trim();
  if (trimmed.length === 0 || trimmed.length > 2000 || /[\s\\]/.test(trimmed)) return null;
  if (trimmed.startsWith('/') && !trimmed.startsWith('//')) return `${serverOrigin}${trimmed}`;
  try {
    const parsed = new URL(trimmed);
    return parsed.protocol === 'https:' && parsed.username === '' && parsed.password === '' ? parsed.href : null;
  } catch {
    return null;
  }
}

// --- hero cards (Bot Framework) ---

export interface HeroCardButton {
  /** `imBack`, `postBack`, `messageBack` send `value`; `openUrl` opens it. */
  type: 'send' | 'openUrl';
  title: string;
  /** What a send button answers with: text, or an object (a postBack's data). */
  value: string | Record<string, unknown>;
}

export interface HeroCardView {
  title: string;
  subtitle: string;
  text: string;
  images: { url: string; alt: string }[];
  buttons: HeroCardButton[];
}

const str = (value: unknown, max: number) => (typeof value === 'string' ? value.trim().slice(0, max) : '');

/** A hero card's content read into what a client draws; null when it has nothing to show. */
export function readHeroCard(content: Record<string, unknown>): HeroCardView | null {
  const images = (Array.isArray(content.images) ? content.images : [])
    .slice(0, 5)
    .map((image: unknown) => {
      const i = (image ?? {}) as Record<string, unknown>;
      return { url: str(i.url, 2000), alt: str(i.alt, 300) };
    })
    .filter((image) => image.url !== '');
  const buttons: HeroCardButton[] = [];
  for (const button of (Array.isArray(content.buttons) ? content.buttons : []).slice(0, 10)) {
    const b = (button ?? {}) as Record<string, unknown>;
    const kind = typeof b.type === 'string' ? b.type : 'imBack';
    const title = str(b.title, 200) || (typeof b.value === 'string' ? str(b.value, 200) : '');
    if (title === '') continue;
    if (kind === 'openUrl') {
      if (typeof b.value === 'string') buttons.push({ type: 'openUrl', title, value: b.value });
      continue;
    }
    if (kind !== 'imBack' && kind !== 'postBack' && kind !== 'messageBack') continue;
    const value = b.value && typeof b.value === 'object' && !Array.isArray(b.value) ? (b.value as Record<string, unknown>) : typeof b.value === 'string' && b.value.trim() !== '' ? b.value.trim() : title;
    buttons.push({ type: 'send', title, value });
  }
  const view = { title: str(content.title, 300), subtitle: str(content.subtitle, 300), text: str(content.text, 3000), images, buttons };
  return view.title || view.subtitle || view.text || images.length > 0 || buttons.length > 0 ? view : null;
}

// --- card submissions ---

/** One input of a submitted card: its id, its label (if any) and its value as the patient saw it. */
export interface SubmittedInput {
  id: string;
  label: string;
  /** The value as shown (a choice's title, not its value). */
  shown: string;
}

/**
 * The message a card's submit button sends: `value` (the button's data with the inputs' values by
 * id, as Adaptive Cards shape it) answers the bot's prompt; `body` is what the transcript shows.
 */
export function cardSubmission(data: unknown, inputs: readonly SubmittedInput[], values: Readonly<Record<string, string>>, actionTitle: string): { body: string; value: string | Record<string, unknown> } {
  const filled = inputs.filter((input) => (values[input.id] ?? '') !== '');
  const summary =
    filled.length === 1
      ? filled[0]!.shown
      : filled
          .map((input) => (input.label ? `${input.label.replace(/[:\s]+$/, '')}: ${input.shown}` : input.shown))
          .join('\n');
  const body = (summary.trim() || actionTitle.trim() || 'Submitted').slice(0, 4000);
  // A string as the button's data with no inputs answers as that text (Adaptive Cards sends it as is).
  if (typeof data === 'string' && filled.length === 0) return { body: actionTitle.trim() || data, value: data };
  const base = data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
  return { body, value: { ...base, ...Object.fromEntries(filled.map((input) => [input.id, values[input.id]!])) } };
}

// --- Markdown in cards ---

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/**
 * The Markdown subset Adaptive Cards' TextBlocks use (bold, italic, links, bulleted and numbered
 * lists, line breaks) turned into HTML. Everything is escaped first, so no markup of the card's own
 * survives; links only to a safe URL (`safeCardUrl`), in a new tab with rel="noopener noreferrer".
 */
export function cardMarkdownToHtml(text: string, serverOrigin: string): string {
  const inline = (line: string) =>
    escapeHtml(line)
      .replace(/\[([^\]\n]{1,300})\]\(([^)\s]{1,2000})\)/g, (whole, label: string, href: string) => {
        // The href was escaped with the rest: unescape what escaping changed before checking it.
        const url = safeCardUrl(href.replace(/&amp;/g, '&').replace(/&#39;/g, "'").replace(/&quot;/g, '"'), serverOrigin);
        return url ? `<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${label}</a>` : label;
      })
      .replace(/\*\*([^*\n]+)\*\*/g, '<strong>$1</strong>')
      .replace(/__([^_\n]+)__/g, '<strong>$1</strong>')
      .replace(/(^|[\s(])\*([^*\n]+)\*/g, '$1<em>$2</em>')
      .replace(/(^|[\s(])_([^_\n]+)_/g, '$1<em>$2</em>');
  const out: string[] = [];
  const items: string[] = [];
  let listTag: 'ul' | 'ol' = 'ul';
  const endList = () => {
    if (items.length > 0) out.push(`<${listTag}>${items.map((item) => `<li>${item}</li>`).join('')}</${listTag}>`);
    items.length = 0;
  };
  const paragraph: string[] = [];
  const endParagraph = () => {
    if (paragraph.length > 0) out.push(`<p>${paragraph.join('<br>')}</p>`);
    paragraph.length = 0;
  };
  for (const line of text.split(/\r?\n/)) {
    const bullet = /^\s*[-*+]\s+(.*)$/.exec(line);
    const numbered = /^\s*\d{1,3}[.)]\s+(.*)$/.exec(line);
    if (bullet || numbered) {
      endParagraph();
      const tag = bullet ? 'ul' : 'ol';
      if (tag !== listTag) endList();
      listTag = tag;
      items.push(inline((bullet ?? numbered)![1]!));
    } else if (line.trim() === '') {
      endList();
      endParagraph();
    } else {
      endList();
      paragraph.push(inline(line));
    }
  }
  endList();
  endParagraph();
  return out.join('');
}

// --- images in cards ---

/**
 * A card with its images kept only where `resolve` gives them a URL (a client passes its own rule:
 * the widget takes images on the Carebridge server, which its CSP allows and which tell no one else
 * the patient opened the chat; the desk none). An Image the rule refuses becomes a TextBlock of its
 * alt text (or goes), a refused background image or button icon goes. Returns a copy.
 */
export function withAllowedImages(content: Record<string, unknown>, resolve: (url: string) => string | null): Record<string, unknown> {
  const visit = (node: unknown, depth: number): unknown => {
    if (depth > 30 || !node || typeof node !== 'object') return node;
    if (Array.isArray(node)) return node.map((item) => visit(item, depth + 1)).filter((item) => item !== undefined);
    const element = { ...(node as Record<string, unknown>) };
    if (element.type === 'Image') {
      const url = typeof element.url === 'string' ? resolve(element.url) : null;
      if (url) element.url = url;
      else {
        const alt = typeof element.altText === 'string' ? element.altText.trim() : '';
        return alt ? { type: 'TextBlock', text: `[${alt}]`, wrap: true, isSubtle: true } : undefined;
      }
    }
    for (const key of ['backgroundImage', 'iconUrl']) {
      const value = element[key];
      const url = typeof value === 'string' ? value : value && typeof value === 'object' ? (value as Record<string, unknown>).url : undefined;
      if (url === undefined) continue;
      const resolved = typeof url === 'string' ? resolve(url) : null;
      if (!resolved) delete element[key];
      else element[key] = typeof value === 'string' ? resolved : { ...(value as Record<string, unknown>), url: resolved };
    }
    for (const [key, value] of Object.entries(element)) if (value && typeof value === 'object' && key !== 'backgroundImage') element[key] = visit(value, depth + 1);
    return element;
  };
  return visit(content, 0) as Record<string, unknown>;
}

/** The widget's image rule: paths on the Carebridge server (and URLs already on it) only. */
export function sameSiteImageUrl(url: string, serverOrigin: string): string | null {
  const safe = safeCardUrl(url, serverOrigin);
  return safe && (safe === serverOrigin || safe.startsWith(`${serverOrigin}/`)) ? safe : null;
}

/**
 * A card with its inputs showing what the patient submitted (the desk draws the card as it was
 * answered): each input whose id is in `value` gets that value. Returns a copy.
 */
export function withSubmittedValues(content: Record<string, unknown>, value: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const visit = (node: unknown, depth: number): unknown => {
    if (depth > 30 || !node || typeof node !== 'object') return node;
    if (Array.isArray(node)) return node.map((item) => visit(item, depth + 1));
    const element = Object.fromEntries(Object.entries(node as Record<string, unknown>).map(([k, v]) => [k, visit(v, depth + 1)]));
    const given = typeof element.id === 'string' && typeof element.type === 'string' && element.type.startsWith('Input.') ? value[element.id] : undefined;
    if (given !== undefined && given !== null && typeof given !== 'object') element.value = String(given);
    return element;
  };
  return visit(content, 0) as Record<string, unknown>;
}

/** The card inputs a patient's message submitted (its `bot.value` when that is an object), else null. */
export function submittedCardValue(bot: { value?: unknown } | undefined): Record<string, unknown> | null {
  const value = bot?.value;
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}
