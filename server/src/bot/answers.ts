/**
 * Reading a patient's answer to a prompt by its data type: numbers, yes/no, dates, times, one or
 * several choices, card inputs. Pure functions, table-tested (answers.test.ts). English and Spanish
 * words; anything we cannot read is `undefined`, and the engine re-asks with help.
 */

/** Lower case, accents removed, punctuation to single spaces, trimmed. */
export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

const NUMBER_WORDS: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  cero: 0, uno: 1, una: 1, dos: 2, tres: 3, cuatro: 4, cinco: 5, seis: 6, siete: 7, ocho: 8, nueve: 9, diez: 10,
};

export function parseNumber(text: string): number | undefined {
  const match = /-?\d+(?:[.,]\d+)?/.exec(text.replace(/(\d),(\d{3})\b/g, '$1$2'));
  if (match) {
    const value = Number(match[0].replace(',', '.'));
    return Number.isFinite(value) ? value : undefined;
  }
  const word = fold(text);
  return word in NUMBER_WORDS ? NUMBER_WORDS[word] : undefined;
}

const YES = new Set(['yes', 'y', 'yeah', 'yep', 'yup', 'sure', 'ok', 'okay', 'true', 'correct', 'right', 'of course', 'i do', 'i am', 'si', 's', 'claro', 'por supuesto', 'vale', 'de acuerdo', 'afirmativo', 'cierto']);
const NO = new Set(['no', 'n', 'nope', 'nah', 'false', 'not', 'never', 'i dont', 'i do not', 'i am not', 'negative', 'nunca', 'para nada', 'negativo']);

export function parseBoolean(text: string): boolean | undefined {
  const words = fold(text);
  if (YES.has(words)) return true;
  if (NO.has(words)) return false;
  const first = words.split(' ')[0] ?? '';
  if (YES.has(first) && !NO.has(words)) return true;
  if (NO.has(first)) return false;
  return undefined;
}

const pad = (n: number) => String(n).padStart(2, '0');
const isoDate = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;

/** A calendar date as `YYYY-MM-DD` (relative words from `today`). US order for slashes: 3/5/2025 is March 5. */
export function parseDate(text: string, today: Date = new Date()): string | undefined {
  const words = fold(text);
  const base = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()));
  const shift = (days: number) => isoDate(new Date(base.getTime() + days * 86_400_000));
  if (words === 'today' || words === 'hoy') return shift(0);
  if (words === 'tomorrow' || words === 'manana') return shift(1);
  if (words === 'yesterday' || words === 'ayer') return shift(-1);
  const iso = /\b(\d{4})-(\d{1,2})-(\d{1,2})\b/.exec(text);
  if (iso) return validDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  const us = /\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})\b/.exec(text);
  if (us) {
    const year = Number(us[3]) < 100 ? 2000 + Number(us[3]) : Number(us[3]);
    return validDate(year, Number(us[1]), Number(us[2]));
  }
  const parsed = Date.parse(`${text.trim()} UTC`);
  if (Number.isFinite(parsed) && /[a-z]/i.test(text) && /\d/.test(text)) return isoDate(new Date(parsed));
  return undefined;
}

function validDate(year: number, month: number, day: number): string | undefined {
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  return isoDate(d);
}

/** A time of day as `HH:MM` (24 h). */
export function parseTime(text: string): string | undefined {
  const words = fold(text);
  if (words === 'noon' || words === 'mediodia') return '12:00';
  if (words === 'midnight' || words === 'medianoche') return '00:00';
  const match = /\b(\d{1,2})(?:[:.h](\d{2}))?\s*(a\.?\s?m\.?|p\.?\s?m\.?)?/i.exec(text);
  if (!match) return undefined;
  let hours = Number(match[1]);
  const minutes = match[2] ? Number(match[2]) : 0;
  const meridiem = match[3]?.toLowerCase().replace(/[^ap]/g, '');
  if (!match[2] && !meridiem) return undefined;
  if (meridiem === 'p' && hours < 12) hours += 12;
  if (meridiem === 'a' && hours === 12) hours = 0;
  if (hours > 23 || minutes > 59) return undefined;
  return `${pad(hours)}:${pad(minutes)}`;
}

/** A choice answer, as Azure Health Bot gives it to scripts: the choice's text and its 0-based index. */
export interface FoundChoice {
  entity: string;
  index: number;
  score: number;
}

/**
 * Which choice the answer names: the choice itself (any case, accents ignored), its number in the
 * list (1-based, as the bot lists them), or a choice that starts with or is contained in the answer.
 */
export function matchChoice(answer: string, choices: readonly string[]): FoundChoice | undefined {
  const folded = fold(answer);
  if (folded === '') return undefined;
  const foldedChoices = choices.map(fold);
  const exact = foldedChoices.indexOf(folded);
  if (exact >= 0) return { entity: choices[exact]!, index: exact, score: 1 };
  if (/^\d{1,3}$/.test(folded)) {
    const n = Number(folded);
    if (n >= 1 && n <= choices.length) return { entity: choices[n - 1]!, index: n - 1, score: 1 };
  }
  let best: FoundChoice | undefined;
  foldedChoices.forEach((choice, index) => {
    if (choice === '') return;
    let score = 0;
    if (choice.startsWith(`${folded} `) && folded.length >= 2) score = 0.8 * (folded.length / choice.length) + 0.1;
    else if (` ${folded} `.includes(` ${choice} `)) score = 0.7 * (choice.length / folded.length) + 0.1;
    if (score > (best?.score ?? 0)) best = { entity: choices[index]!, index, score };
  });
  return best;
}

/**
 * Several choices: a list of values; numbers ("1, 3"); the choices' own words found in the text
 * (choices may contain commas themselves: "Nausea, vomiting, or diarrhea"); else parts separated by
 * commas or "and", each read as one choice.
 */
export function matchChoices(answer: string | readonly unknown[], choices: readonly string[]): FoundChoice[] | undefined {
  const found: FoundChoice[] = [];
  const add = (choice: FoundChoice | undefined) => {
    if (!choice) return false;
    if (!found.some((f) => f.index === choice.index)) found.push(choice);
    return true;
  };
  const sorted = () => (found.length > 0 ? found.sort((a, b) => a.index - b.index) : undefined);
  if (Array.isArray(answer)) {
    for (const part of answer) if (!add(matchChoice(String(part), choices))) return undefined;
    return sorted();
  }
  const text = String(answer);
  if (/^\s*\d{1,3}(\s*[,;\s]\s*\d{1,3})*\s*$/.test(text)) {
    for (const n of text.match(/\d{1,3}/g) ?? []) if (!add(matchChoice(n, choices))) return undefined;
    return sorted();
  }
  const folded = ` ${fold(text)} `;
  choices.forEach((choice, index) => {
    const c = fold(choice);
    if (c !== '' && folded.includes(` ${c} `)) add({ entity: choice, index, score: 1 });
  });
  if (found.length > 0) return sorted();
  const parts = text.split(/\s*(?:,|;|\n|\band\b|\by\b|&)\s*/i).filter((p) => p.trim() !== '');
  for (const part of parts) if (!add(matchChoice(part, choices))) return undefined;
  return sorted();
}

/** The choices a prompt's choice expression gave: an array (of strings or `{ title, value }`), JSON text of one, or `a|b|c`. */
export function choiceList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(choiceTitle).filter((c) => c !== '');
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed.startsWith('[')) {
      try {
        return choiceList(JSON.parse(trimmed) as unknown);
      } catch {
        // Not JSON after all: a pipe-separated list below.
      }
    }
    return trimmed
      .split('|')
      .map((c) => c.trim())
      .filter((c) => c !== '');
  }
  return [];
}

function choiceTitle(item: unknown): string {
  if (typeof item === 'string') return item;
  if (typeof item === 'number' || typeof item === 'boolean') return String(item);
  if (item && typeof item === 'object') {
    const { title, value, text } = item as { title?: unknown; value?: unknown; text?: unknown };
    return String(title ?? text ?? value ?? '');
  }
  return '';
}

/** The inputs an Adaptive Card asks for (nested show-cards included), to read a typed answer as the card's submission. */
export interface CardInputs {
  choiceSets: { id: string; choices: { title: string; value: string }[] }[];
  texts: { id: string }[];
  submits: { title: string; data: Record<string, unknown> }[];
}

export function cardInputs(card: unknown): CardInputs {
  const out: CardInputs = { choiceSets: [], texts: [], submits: [] };
  const walk = (node: unknown, depth: number) => {
    if (depth > 20 || !node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const item of node) walk(item, depth + 1);
      return;
    }
    const element = node as Record<string, unknown>;
    const id = typeof element.id === 'string' ? element.id : undefined;
    if (element.type === 'Input.ChoiceSet' && id && Array.isArray(element.choices)) {
      out.choiceSets.push({
        id,
        choices: element.choices.map((c) => {
          const choice = (c ?? {}) as { title?: unknown; value?: unknown };
          return { title: String(choice.title ?? choice.value ?? ''), value: String(choice.value ?? choice.title ?? '') };
        }),
      });
    } else if ((element.type === 'Input.Text' || element.type === 'Input.Number' || element.type === 'Input.Date' || element.type === 'Input.Time') && id) {
      out.texts.push({ id });
    } else if (element.type === 'Action.Submit' && typeof element.title === 'string') {
      const data = element.data && typeof element.data === 'object' && !Array.isArray(element.data) ? (element.data as Record<string, unknown>) : {};
      out.submits.push({ title: element.title, data });
    }
    for (const value of Object.values(element)) if (value && typeof value === 'object') walk(value, depth + 1);
  };
  walk(card, 0);
  return out;
}

/**
 * A typed answer read as a card's submission, for channels that cannot show the card (SMS, IVR): a
 * submit button's title, then a choice of the card's one choice set (by title, value or number; the
 * card's placeholder choice excluded), then the text as the card's one text input.
 */
export function answerFromCard(text: string, inputs: CardInputs): Record<string, unknown> | undefined {
  const folded = fold(text);
  const submit = inputs.submits.find((s) => fold(s.title) === folded && folded !== '');
  if (submit) return { ...submit.data };
  if (inputs.choiceSets.length === 1) {
    const set = inputs.choiceSets[0]!;
    const real = set.choices.filter((c) => c.value !== 'default_message');
    const found = matchChoice(text, real.map((c) => c.title)) ?? matchChoice(text, real.map((c) => c.value));
    if (found) return { [set.id]: real[found.index]!.value };
    return undefined;
  }
  if (inputs.texts.length === 1 && text.trim() !== '') return { [inputs.texts[0]!.id]: text.trim() };
  return undefined;
}
