/**
 * Dates, times, numbers and yes/no in an utterance, in English and Spanish, with Microsoft's
 * Recognizers-Text (the recognizers Azure Health Bot and the Bot Framework use). Building a
 * recognizer costs ~0.3 s, so each is built once per language on first use; parsing a date costs
 * 3–9 ms, so the date and number recognizers run only when the text has a word that can start one,
 * and results are cached by text. The cue words are the ones a date cannot do without: "next" or
 * "pasado" come with a weekday or "week", "3pm" with a digit; "am" alone is mostly "I am".
 */
import { ChoiceRecognizer } from '@microsoft/recognizers-text-choice';
import { DateTimeRecognizer } from '@microsoft/recognizers-text-date-time';
import { NumberRecognizer } from '@microsoft/recognizers-text-number';
import type { RecognizedEntity } from '../../contracts/language.js';
import { fold, type Language } from './text.js';

interface ParseModel {
  parse(text: string, referenceDate?: Date): Array<{ start: number; end: number; text: string; typeName: string; resolution?: Record<string, unknown> }>;
}

const CULTURE: Record<Language, string> = { en: 'en-us', es: 'es-es' };

const DATE_CUES: Record<Language, RegExp> = {
  en: /\d|\b(today|tonight|tomorrow|yesterday|noon|midnight|morning|afternoon|evening|night|week|weekend|month|year|day|days|hour|hours|minute|minutes|ago|oclock|(mon|tues|wednes|thurs|fri|satur|sun)day|january|february|march|april|june|july|august|september|october|november|december)\b/,
  es: /\d|\b(hoy|manana|ayer|mediodia|medianoche|tarde|noche|semana|mes|ano|dia|dias|hora|horas|minuto|minutos|lunes|martes|miercoles|jueves|viernes|sabado|domingo|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre)\b/,
};
const NUMBER_CUES: Record<Language, RegExp> = {
  en: /\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|dozen|half|first|second|third)\b/,
  es: /\d|\b(dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce|trece|catorce|quince|dieci\w+|veinte|veinti\w+|treinta|cuarenta|cincuenta|sesenta|setenta|ochenta|noventa|cien|ciento|mil|docena|media|medio|primero|segundo|tercero)\b/,
};
/** Yes/no is looked for in short answers only: in a long sentence "no" is rarely the answer. */
const BOOLEAN_MAX_WORDS = 8;
const BOOLEAN_MAX_LENGTH = 100;
/**
 * Dates and numbers are looked for in the first 500 characters: the recognizers' cost grows with
 * the text, and a date that matters to the bot is not at the end of an essay.
 */
export const ENTITY_TEXT_LENGTH = 500;
/** "una cita" is one appointment, not the number 1 worth telling the bot about. */
const ARTICLES = new Set(['a', 'an', 'un', 'una', 'uno']);

export interface EntityRecognizerOptions {
  /** Texts whose results are kept (0: no cache). */
  cacheSize?: number;
}

export class EntityRecognizers {
  private readonly models = new Map<string, ParseModel>();
  private readonly cache = new Map<string, RecognizedEntity[]>();
  private readonly cacheSize: number;

  constructor(options: EntityRecognizerOptions = {}) {
    this.cacheSize = options.cacheSize ?? 2_000;
  }

  private model(kind: 'datetime' | 'number' | 'boolean', language: Language): ParseModel {
    const key = `${kind}:${language}`;
    let model = this.models.get(key);
    if (!model) {
      const culture = CULTURE[language];
      model =
        kind === 'datetime'
          ? (new DateTimeRecognizer(culture).getDateTimeModel() as ParseModel)
          : kind === 'number'
            ? (new NumberRecognizer(culture).getNumberModel() as ParseModel)
            : (new ChoiceRecognizer(culture).getBooleanModel() as ParseModel);
      this.models.set(key, model);
    }
    return model;
  }

  /** Builds every recognizer now (a server's start), so the first patient does not wait for it. */
  warmUp(): void {
    for (const language of ['en', 'es'] as const) for (const kind of ['datetime', 'number', 'boolean'] as const) this.model(kind, language);
  }

  /** Entities in the text, by position; dates are resolved against `now` (its hour is part of the cache key). */
  recognize(text: string, language: Language, now: Date): RecognizedEntity[] {
    const key = `${language}|${now.toISOString().slice(0, 13)}|${text}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const folded = fold(text.slice(0, ENTITY_TEXT_LENGTH));
    const head = text.slice(0, ENTITY_TEXT_LENGTH);
    const entities: RecognizedEntity[] = [];
    const add = (kind: 'datetime' | 'number' | 'boolean') => {
      for (const r of this.model(kind, language).parse(head, now)) {
        entities.push(presentEntity(kind, r));
      }
    };
    if (DATE_CUES[language].test(folded)) add('datetime');
    if (NUMBER_CUES[language].test(folded)) add('number');
    if (text.length <= BOOLEAN_MAX_LENGTH && folded.split(/\s+/).filter(Boolean).length <= BOOLEAN_MAX_WORDS) add('boolean');
    const kept = dropOverlaps(entities.filter((e) => !(e.type === 'number' && ARTICLES.has(fold(e.text)))));
    if (this.cacheSize > 0) {
      if (this.cache.size >= this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(key, kept);
    }
    return kept;
  }
}

function presentEntity(kind: 'datetime' | 'number' | 'boolean', r: { start: number; end: number; text: string; typeName: string; resolution?: Record<string, unknown> }): RecognizedEntity {
  // The recognizers' `end` is the last character; ours is exclusive, like String.slice.
  const place = { text: r.text, start: r.start, end: r.end + 1 };
  if (kind === 'datetime') {
    return { type: r.typeName.replace(/^datetimeV2\./, ''), ...place, value: (r.resolution?.values as unknown[]) ?? [] };
  }
  if (kind === 'number') return { type: 'number', ...place, value: Number(r.resolution?.value) };
  return { type: 'boolean', ...place, value: r.resolution?.value === true };
}

/** A number inside a date ("3" of "at 3pm") is part of the date, not an entity of its own. */
function dropOverlaps(entities: RecognizedEntity[]): RecognizedEntity[] {
  const dates = entities.filter((e) => e.type !== 'number' && e.type !== 'boolean');
  return entities
    .filter((e) => e.type !== 'number' || !dates.some((d) => e.start < d.end && d.start < e.end))
    .sort((a, b) => a.start - b.start);
}
