/**
 * Words of an utterance with their places in the text as typed: folded (lower case, accents and
 * marks removed) so "Presión" and "presion" are one word, while entities still point at what the
 * patient wrote.
 */

export interface Token {
  /** Folded form: lower case, no accents. */
  word: string;
  start: number;
  end: number;
}

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;
const MARKS = /\p{M}/gu;

export function fold(text: string): string {
  return text.normalize('NFD').replace(MARKS, '').toLowerCase();
}

/** Apostrophes dropped ("don't" → "dont", "crohn's" → "crohns"), as patients type them either way. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const match of text.matchAll(WORD)) {
    const word = fold(match[0]).replace(/['’]/g, '');
    if (word) tokens.push({ word, start: match.index, end: match.index + match[0].length });
  }
  return tokens;
}

/** The folded words joined by single spaces: what RegEx patterns and the classifier see. */
export function foldedText(text: string): string {
  return tokenize(text)
    .map((t) => t.word)
    .join(' ');
}

/** `en-US` → `en`, `es-MX` → `es`; anything else is English, the base language. */
export type Language = 'en' | 'es';
export function languageOf(locale: string): Language {
  return locale.toLowerCase().startsWith('es') ? 'es' : 'en';
}
export const LOCALE_OF: Record<Language, 'en-US' | 'es-US'> = { en: 'en-US', es: 'es-US' };
