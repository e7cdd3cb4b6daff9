/**
 * Words as search sees them: folded (lower case, accents removed, as FTS5's `unicode61
 * remove_diacritics 2` does), split on anything that is not a letter or digit; the stop words of
 * English and Spanish that carry no topic; and an article body's Markdown as plain text (for the
 * index, snippets and the excerpts an agent pastes into a chat).
 */

/** Lower case, accents and other marks removed: "Corazón" → "corazon". */
export function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
}

const WORD = /[\p{L}\p{N}]+/gu;

/** The folded words of `text`, in order. */
export function words(text: string): string[] {
  return fold(text).match(WORD) ?? [];
}

/** Whether `text` ends inside a word (the user is still typing it): the last word is then a prefix. */
export function endsInWord(text: string): boolean {
  return /[\p{L}\p{N}\p{M}]$/u.test(text);
}

// Words that say nothing about the topic, in the forms people type them (folded).
const STOP_WORDS_EN = `a about after again all am an and any are as at be been before being but by can could did do does doing
  for from get got had has have having he her here hers him his how i if im in into is it its ive just me more most my
  no nor not now of off on once only or other our out over own same she should so some such than that thats the their
  them then there these they this those through to too under until up very was we were what whats when where which while
  who whom why will with would you your yours yourself s t don dont doesnt didnt cant wont isnt need want please help
  tell know let lets ok okay hi hello thanks thank`;
const STOP_WORDS_ES = `a al algo algun alguna algunas alguno algunos ante antes como con contra cual cuales cuando de del desde donde
  durante e el ella ellas ellos en entre era eres es esa esas ese eso esos esta estan estas este esto estos estoy fue ha
  hay la las le les lo los me mi mis mucho muy nada ni no nos nuestra nuestro o os otra otro para pero poco por porque
  que quien se ser si sin sobre soy su sus te tengo tiene tu tus un una uno unos y ya yo hola gracias favor quiero puedo
  necesito saber`;

export const STOP_WORDS: ReadonlySet<string> = new Set(`${STOP_WORDS_EN} ${STOP_WORDS_ES}`.split(/\s+/).filter(Boolean));

/** The blocks of a Markdown body as plain text: headings, paragraphs and list items, markup removed. */
export function markdownBlocks(markdown: string): Array<{ kind: 'heading' | 'paragraph' | 'item'; text: string }> {
  const blocks: Array<{ kind: 'heading' | 'paragraph' | 'item'; text: string }> = [];
  let paragraph: string[] = [];
  const flush = () => {
    const text = inlinePlain(paragraph.join(' ')).trim();
    if (text) blocks.push({ kind: 'paragraph', text });
    paragraph = [];
  };
  let fenced = false;
  for (const raw of markdown.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.trimEnd();
    if (/^\s*(```|~~~)/.test(line)) {
      flush();
      fenced = !fenced;
      continue;
    }
    if (fenced) {
      if (line.trim()) paragraph.push(line.trim());
      continue;
    }
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    const item = /^\s*(?:[-*+]|\d+[.)])\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      const text = inlinePlain(heading[1]!).trim();
      if (text) blocks.push({ kind: 'heading', text });
    } else if (item) {
      flush();
      const text = inlinePlain(item[1]!).trim();
      if (text) blocks.push({ kind: 'item', text });
    } else if (/^\s*$/.test(line) || /^\s*(?:-{3,}|\*{3,}|_{3,})\s*$/.test(line)) {
      flush();
    } else if (/^\s*\|?\s*:?-{3,}/.test(line)) {
      // a table's separator row
    } else {
      // A continuation of a list item joins it; else the paragraph goes on.
      const last = blocks[blocks.length - 1];
      if (paragraph.length === 0 && last?.kind === 'item' && /^\s{2,}\S/.test(raw)) last.text += ` ${inlinePlain(line.trim())}`;
      else paragraph.push(line.replace(/^\s*>\s?/, '').replace(/\|/g, ' ').trim());
    }
  }
  flush();
  return blocks;
}

/** Inline Markdown as plain text: links and images keep their words, emphasis and code marks go. */
function inlinePlain(text: string): string {
  return text
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, ' ')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/(\*|_)(\S(?:.*?\S)?)\1/g, '$2')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\\([\\`*_{}[\]()#+\-.!|])/g, '$1')
    .replace(/\s+/g, ' ');
}

/** The whole body as plain text, one block a line (what the index holds and snippets are cut from). */
export function markdownPlainText(markdown: string): string {
  return markdownBlocks(markdown)
    .map((b) => b.text)
    .join('\n');
}

/**
 * What an agent may paste into a chat: each paragraph, and each list with its lead-in joined into
 * one passage ("Call 911 if: chest pain; shortness of breath."), headings left out.
 */
export function excerpts(markdown: string): string[] {
  const out: string[] = [];
  let list: string[] = [];
  const flushList = () => {
    if (list.length > 0) {
      const lead = out.length > 0 && /:$/.test(out[out.length - 1]!) ? out.pop()! : null;
      const items = list.map((i) => i.replace(/[.;]$/, '')).join('; ');
      out.push(lead ? `${lead} ${items}.` : `${items}.`);
    }
    list = [];
  };
  for (const block of markdownBlocks(markdown)) {
    if (block.kind === 'item') {
      list.push(block.text);
      continue;
    }
    flushList();
    if (block.kind === 'paragraph') out.push(block.text);
  }
  flushList();
  return out;
}

/** A slug from a title: "High blood pressure (hypertension)" → "high-blood-pressure-hypertension". */
export function slugFor(title: string, maxLength = 80): string {
  const slug = words(title).join('-').slice(0, maxLength).replace(/-+$/, '');
  return slug || 'article';
}
